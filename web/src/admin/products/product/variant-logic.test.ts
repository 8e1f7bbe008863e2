import { describe, expect, it } from 'vitest';
import {
  combinations,
  missingRows,
  optionsForValue,
  parseOptionValues,
  proposedSku,
  proposeVariantRows,
  typedOptions,
  variantTitle,
  type RowDefaults,
} from './variant-logic';

const size = { name: 'Size', values: ['S', 'M'] };
const colour = { name: 'Colour', values: ['Red', 'Blue'] };
const defaults: RowDefaults = { sku: 'TEE', price: '18.00', stock: '5' };

describe('options and their combinations', () => {
  it('reads comma-separated values, each once whatever its case, blanks dropped', () => {
    expect(parseOptionValues(' S, M,L , ,m,')).toEqual(['S', 'M', 'L']);
    expect(parseOptionValues('  ')).toEqual([]);
  });

  it('combines every value of every option, the first option varying slowest', () => {
    const all = combinations([size, colour]);
    expect(all).toEqual([
      { Size: 'S', Colour: 'Red' },
      { Size: 'S', Colour: 'Blue' },
      { Size: 'M', Colour: 'Red' },
      { Size: 'M', Colour: 'Blue' },
    ]);
    expect(all.map((c) => variantTitle([size, colour], c))).toEqual([
      'S / Red',
      'S / Blue',
      'M / Red',
      'M / Blue',
    ]);
    expect(combinations([])).toEqual([]);
  });

  it('combines only the options typed far enough: a name and a value', () => {
    expect(
      typedOptions([
        { name: ' Size ', values: 'S, M' },
        { name: '', values: 'Red' },
        { name: 'Colour', values: ' , ' },
      ]),
    ).toEqual([{ name: 'Size', values: ['S', 'M'] }]);
  });

  it('proposes SKUs from the product’s, in the characters the server accepts', () => {
    expect(proposedSku('tee', ['M', 'Navy blue'])).toBe('TEE-M-NAVY-BLUE');
    expect(proposedSku('TEE', ['Grün', '10 / wide'])).toBe('TEE-GRUN-10-WIDE');
    expect(proposedSku(' ', ['M'])).toBe('');
    expect(proposedSku('_TEE', ['M'])).toBe('TEE-M');
    expect(proposedSku('T'.repeat(60), ['LARGE'])).toHaveLength(64);
  });
});

describe('the proposed variant rows', () => {
  it('proposes one included row per combination from the product’s fields', () => {
    expect(proposeVariantRows([size], [], defaults, defaults)).toEqual([
      {
        key: '["s"]',
        title: 'S',
        options: { Size: 'S' },
        include: true,
        sku: 'TEE-S',
        price: '18.00',
        stock: '5',
      },
      {
        key: '["m"]',
        title: 'M',
        options: { Size: 'M' },
        include: true,
        sku: 'TEE-M',
        price: '18.00',
        stock: '5',
      },
    ]);
  });

  it('keeps what a person changed and lets the rest follow the product’s fields', () => {
    const first = proposeVariantRows([size], [], defaults, defaults);
    const edited = first.map((row) =>
      row.title === 'M' ? { ...row, price: '22.00', include: false } : row,
    );
    const now = { sku: 'SHIRT', price: '19.00', stock: '2' };
    const next = proposeVariantRows([size], edited, defaults, now);
    expect(next.map((r) => [r.title, r.include, r.sku, r.price, r.stock])).toEqual([
      ['S', true, 'SHIRT-S', '19.00', '2'],
      ['M', false, 'SHIRT-M', '22.00', '2'],
    ]);
  });

  it('keeps rows through a new value and a renamed option; a removed value’s row goes', () => {
    const first = proposeVariantRows([size], [], defaults, defaults).map((row) => ({
      ...row,
      sku: `${row.sku}-X`,
    }));
    const renamed = { name: 'Fit', values: ['M', 'L'] };
    const next = proposeVariantRows([renamed], first, defaults, defaults);
    expect(next.map((r) => [r.title, r.options, r.sku])).toEqual([
      ['M', { Fit: 'M' }, 'TEE-M-X'],
      ['L', { Fit: 'L' }, 'TEE-L'],
    ]);
  });
});

describe('adding a value to a product’s option', () => {
  const options = [size, colour];
  const existing = [
    { Size: 'S', Colour: 'Red' },
    { Size: 'S', Colour: 'Blue' },
    { Size: 'M', Colour: 'Red' },
  ];
  const propose = (option: string, value: string) => {
    const restricted = optionsForValue(options, option, value);
    return missingRows(
      restricted,
      proposeVariantRows(restricted, [], defaults, defaults),
      existing,
    );
  };

  it('proposes a new value with every value of the other options', () => {
    expect(propose('Size', 'L').map((r) => [r.title, r.options, r.sku])).toEqual([
      ['L / Red', { Size: 'L', Colour: 'Red' }, 'TEE-L-RED'],
      ['L / Blue', { Size: 'L', Colour: 'Blue' }, 'TEE-L-BLUE'],
    ]);
  });

  it('spells a value the option has as the option does, and proposes only what is missing', () => {
    expect(propose('Size', ' m ').map((r) => [r.title, r.options])).toEqual([
      ['M / Blue', { Size: 'M', Colour: 'Blue' }],
    ]);
    expect(propose('Size', 's')).toEqual([]);
  });
});

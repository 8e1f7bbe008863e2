import { describe, expect, it } from 'vitest';
import { proposeVariantRows, typedOptions, type VariantRow } from './variant-logic';
import {
  addValueSchema,
  newProductFormValues,
  newProductSchema,
  variantEditSchema,
  variantEditValues,
} from './variant-schema';

/** Each field's first message, as the form shows it (react-hook-form keeps the first). */
function firstMessages(result: { error?: { issues: { path: PropertyKey[]; message: string }[] } }) {
  const messages: Record<string, string> = {};
  for (const issue of result.error?.issues ?? []) messages[issue.path.join('.')] ??= issue.message;
  return messages;
}

/** A new T-shirt with a Size option, its rows proposed as the form proposes them. */
function tee(values = 'S, M', change: (rows: VariantRow[]) => VariantRow[] = (rows) => rows) {
  const options = [{ name: 'Size', values }];
  const defaults = { sku: 'TEE', price: '18.00', stock: '5' };
  return {
    ...newProductFormValues('USD'),
    name: 'Tee',
    sku: 'TEE',
    price: '18.00',
    stock: '5',
    options,
    variants: change(proposeVariantRows(typedOptions(options), [], defaults, defaults)),
  };
}

describe('the new product form', () => {
  it('sends today’s body without options: the product’s SKU, price and opening stock', () => {
    const values = { ...newProductFormValues('USD'), name: 'Lamp', sku: 'LAMP', price: '12.30' };
    expect(newProductSchema('USD').parse(values)).toEqual({
      sku: 'LAMP',
      name: 'Lamp',
      description: '',
      price: 1230,
      stock: 0,
      active: true,
    });
  });

  it('sends the options and each included variant, with no price or stock of the product', () => {
    const values = tee('S, M, L', (rows) =>
      rows.map((row) =>
        row.title === 'M'
          ? { ...row, price: '22.50', stock: '0' }
          : row.title === 'L'
            ? { ...row, include: false, price: 'not a price' }
            : row,
      ),
    );
    expect(newProductSchema('USD').parse(values)).toEqual({
      sku: 'TEE',
      name: 'Tee',
      description: '',
      active: true,
      options: [{ name: 'Size', values: ['S', 'M', 'L'] }],
      variants: [
        { sku: 'TEE-S', options: { Size: 'S' }, price: 1800, stock: 5 },
        { sku: 'TEE-M', options: { Size: 'M' }, price: 2250, stock: 0 },
      ],
    });
  });

  it('says under each variant’s field what is wrong with it', () => {
    const values = tee('S, M', (rows) =>
      rows.map((row) =>
        row.title === 'M' ? { ...row, sku: 'TEE M', price: '1.234', stock: '-1' } : row,
      ),
    );
    expect(firstMessages(newProductSchema('USD').safeParse(values))).toEqual({
      'variants.1.sku':
        'Letters, digits, dots, dashes and underscores, starting with a letter or digit',
      'variants.1.price': 'USD amounts have at most 2 decimals',
      'variants.1.stock': 'Enter a whole number, 0 or more',
    });
  });

  it('refuses options without a name or values, and two options of one name', () => {
    const blank = { ...tee(), options: [{ name: ' ', values: ' , ' }] };
    expect(firstMessages(newProductSchema('USD').safeParse(blank))).toEqual({
      'options.0.name': 'Name the option, such as Size',
      'options.0.values': 'Enter at least one value, such as S, M, L',
    });
    const twice = { ...tee(), options: [tee().options[0]!, { name: 'size', values: 'XL' }] };
    expect(firstMessages(newProductSchema('USD').safeParse(twice))).toEqual({
      'options.1.name': 'Another option has this name',
    });
  });

  it('wants at least one variant, and a SKU of its own for each', () => {
    const none = tee('S, M', (rows) => rows.map((row) => ({ ...row, include: false })));
    expect(firstMessages(newProductSchema('USD').safeParse(none))).toEqual({
      variants: 'Include at least one variant',
    });
    const same = tee('S, M', (rows) => rows.map((row) => ({ ...row, sku: 'tee-1' })));
    same.variants[0]!.sku = 'TEE-1';
    expect(firstMessages(newProductSchema('USD').safeParse(same))).toEqual({
      'variants.1.sku': 'Another variant has this SKU: each needs its own',
    });
  });
});

describe('adding a value to an option', () => {
  const rows: VariantRow[] = [
    {
      key: '["l"]',
      title: 'L',
      options: { Size: 'L' },
      include: true,
      sku: 'TEE-L',
      price: '20.00',
      stock: '3',
    },
  ];

  it('sends each included row as a variant', () => {
    expect(
      addValueSchema('USD', ['Size']).parse({ option: 'Size', value: 'L', variants: rows }),
    ).toEqual([{ sku: 'TEE-L', options: { Size: 'L' }, price: 2000, stock: 3 }]);
  });

  it('refuses an option the product does not have, and an empty value', () => {
    expect(
      firstMessages(
        addValueSchema('USD', ['Size']).safeParse({ option: 'Fit', value: ' ', variants: rows }),
      ),
    ).toEqual({ option: 'Choose an option', value: 'Enter the value, such as XL' });
  });
});

describe('a variant’s row on the product page', () => {
  it('reads its SKU, price and active flag into the PATCH body', () => {
    const values = variantEditValues({ sku: 'TEE-M', price: 1800, active: true }, 'USD');
    expect(values).toEqual({ sku: 'TEE-M', price: '18.00', active: true });
    expect(variantEditSchema('USD').parse({ ...values, price: '19.5', active: false })).toEqual({
      sku: 'TEE-M',
      price: 1950,
      active: false,
    });
  });
});

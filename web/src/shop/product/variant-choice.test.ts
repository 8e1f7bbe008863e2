import { describe, expect, it } from 'vitest';
import {
  availabilityOf,
  initialSelection,
  parseProductSearch,
  pictureVariant,
  priceRange,
  selectionFromFilter,
  valueAvailability,
  variantFor,
} from './variant-choice';

const variant = (
  id: string,
  options: Record<string, string>,
  {
    price = 2500,
    stock = 5,
    active = true,
  }: { price?: number; stock?: number; active?: boolean } = {},
) => ({
  id,
  productId: 'tee',
  sku: id,
  title: Object.values(options).join(' / '),
  options,
  price,
  stock,
  active,
  position: 0,
});

/** S/M/L × Red/Blue: L/Red sold out, L/Blue not sold, M/Blue inactive. */
const tee = {
  price: 2500,
  options: [
    { name: 'Size', values: ['S', 'M', 'L'] },
    { name: 'Colour', values: ['Red', 'Blue'] },
  ],
  variants: [
    variant('s-red', { Size: 'S', Colour: 'Red' }, { stock: 0 }),
    variant('m-red', { Size: 'M', Colour: 'Red' }),
    variant('l-red', { Size: 'L', Colour: 'Red' }, { price: 2700, stock: 0 }),
    variant('s-blue', { Size: 'S', Colour: 'Blue' }, { price: 2400 }),
    variant('m-blue', { Size: 'M', Colour: 'Blue' }, { active: false }),
  ],
};
const mug = { price: 900, options: [], variants: [variant('mug', {}, { price: 900 })] };

describe('choosing a variant', () => {
  it('finds the variant of a combination, or none; a product without options has its one', () => {
    expect(variantFor(tee, { Size: 'M', Colour: 'Red' })?.id).toBe('m-red');
    expect(variantFor(tee, { Colour: 'Red', Size: 'L' })?.id).toBe('l-red');
    expect(variantFor(tee, { Size: 'L', Colour: 'Blue' })).toBeUndefined();
    expect(variantFor(tee, { Size: 'M' })).toBeUndefined();
    expect(variantFor(mug, {})?.id).toBe('mug');
  });

  it('says whether a combination is available, sold out or not sold', () => {
    expect(availabilityOf(variantFor(tee, { Size: 'M', Colour: 'Red' }))).toBe('available');
    expect(availabilityOf(variantFor(tee, { Size: 'L', Colour: 'Red' }))).toBe('sold-out');
    // Not sold: no variant, or an inactive one.
    expect(availabilityOf(variantFor(tee, { Size: 'L', Colour: 'Blue' }))).toBe('unavailable');
    expect(availabilityOf(variantFor(tee, { Size: 'M', Colour: 'Blue' }))).toBe('unavailable');
  });

  it('judges each value with the other options as chosen', () => {
    const red = { Size: 'M', Colour: 'Red' };
    expect(tee.options[0]!.values.map((v) => valueAvailability(tee, red, 'Size', v))).toEqual([
      'sold-out',
      'available',
      'sold-out',
    ]);
    const blue = { Size: 'S', Colour: 'Blue' };
    expect(tee.options[0]!.values.map((v) => valueAvailability(tee, blue, 'Size', v))).toEqual([
      'available',
      'unavailable',
      'unavailable',
    ]);
    expect(valueAvailability(tee, blue, 'Colour', 'Red')).toBe('sold-out');
  });

  it('starts from the URL’s values, filling the rest from a variant in stock', () => {
    // Nothing chosen: the first variant with stock.
    expect(initialSelection(tee, {})).toEqual({ Size: 'M', Colour: 'Red' });
    // Size L chosen: no L is in stock, so the first active L.
    expect(initialSelection(tee, { Size: 'L' })).toEqual({ Size: 'L', Colour: 'Red' });
    expect(initialSelection(tee, { Colour: 'Blue' })).toEqual({ Size: 'S', Colour: 'Blue' });
    // A whole combination is kept as it is, sold or not.
    expect(initialSelection(tee, { Size: 'L', Colour: 'Blue' })).toEqual({
      Size: 'L',
      Colour: 'Blue',
    });
    // Values the product does not offer, and unknown options, are ignored.
    expect(initialSelection(tee, { Size: 'XL', Fit: 'Slim' })).toEqual({
      Size: 'M',
      Colour: 'Red',
    });
    expect(initialSelection(mug, { Size: 'M' })).toEqual({});
  });

  it('reads the URL’s values, dropping what is not a short text', () => {
    expect(parseProductSearch({ Size: 'M', Colour: ' Red ', Ratio: 16, Bad: { a: 1 } })).toEqual({
      Size: 'M',
      Colour: 'Red',
      Ratio: '16',
    });
    expect(parseProductSearch({ Size: 'x'.repeat(101), ['n'.repeat(101)]: 'M' })).toEqual({});
  });

  it('shows the chosen variant’s image, or that of the variant sharing most of the choice', () => {
    const pictured = {
      ...tee,
      variants: tee.variants.map((v) => ({
        ...v,
        ...(v.options.Colour === 'Red' ? { imageId: 'img-red' } : {}),
        ...(v.id === 's-blue' ? { imageId: 'img-blue' } : {}),
      })),
    };
    expect(pictureVariant(pictured, { Size: 'M', Colour: 'Red' })?.imageId).toBe('img-red');
    // M in blue has no image of its own (and is inactive); S in blue has the blue one.
    expect(pictureVariant(pictured, { Size: 'M', Colour: 'Blue' })?.imageId).toBe('img-blue');
    // L in blue is not sold: the photos go by colour, so the blue one, over the red L's.
    expect(pictureVariant(pictured, { Size: 'L', Colour: 'Blue' })?.imageId).toBe('img-blue');
    // Photos by size instead: L in blue shows the L's.
    const bySize = {
      ...tee,
      variants: tee.variants.map((v) => ({ ...v, imageId: `img-${v.options.Size}` })),
    };
    expect(pictureVariant(bySize, { Size: 'L', Colour: 'Blue' })?.imageId).toBe('img-L');
    expect(pictureVariant(tee, { Size: 'M', Colour: 'Red' })).toBeUndefined();
  });

  it('prices a combination not sold by the range of the active variants', () => {
    expect(priceRange(tee)).toEqual({ min: 2400, max: 2700 });
    expect(priceRange(mug)).toEqual({ min: 900, max: 900 });
  });

  it('opens a product on the catalog filter’s single value of each of its options', () => {
    expect(
      selectionFromFilter(tee, [
        { name: 'Size', value: 'M' },
        { name: 'Colour', value: 'Red' },
        { name: 'Colour', value: 'Blue' },
        { name: 'Material', value: 'Wool' },
      ]),
    ).toEqual({ Size: 'M' });
    expect(selectionFromFilter(tee, [{ name: 'Size', value: 'XL' }])).toEqual({});
  });
});

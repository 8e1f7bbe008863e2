import type { Product } from '../../api/types';
import { optionalString } from '../search-params';

/**
 * Choosing a variant on the product page, pure: which values are chosen (from the URL, the rest
 * filled in), which variant they name, and whether each value is available with the others.
 */

type Variant = Product['variants'][number];
type Choosable = Pick<Product, 'options' | 'variants'>;

/** A value of each option, by option name: `{Size: "M", Colour: "Red"}`. */
export type Selection = Record<string, string>;

/**
 * What a combination is: `available` (an active variant with stock), `sold-out` (an active
 * variant without stock) or `unavailable` (no active variant has it).
 */
export type Availability = 'available' | 'sold-out' | 'unavailable';

/** The most option values the URL carries; a product has at most 3 options. */
const MAX_SEARCH_KEYS = 10;

/**
 * The product page's URL search params: each option's chosen value by the option's name
 * (`?Size=M&Colour=Red`), so a choice can be shared, reloaded and gone back to. Anything else
 * is dropped, never an error.
 */
export function parseProductSearch(raw: Record<string, unknown>): Selection {
  const selection: Selection = {};
  for (const [name, value] of Object.entries(raw).slice(0, MAX_SEARCH_KEYS)) {
    const text = optionalString(value, 100);
    if (name.length <= 100 && text !== undefined) selection[name] = text;
  }
  return selection;
}

/** The variant with exactly `selection`'s value of every option (active or not); a product without options has one. */
export function variantFor(product: Choosable, selection: Selection): Variant | undefined {
  if (product.options.length === 0) return product.variants[0];
  return product.variants.find((variant) =>
    product.options.every((option) => variant.options[option.name] === selection[option.name]),
  );
}

export function availabilityOf(variant: Variant | undefined): Availability {
  if (!variant?.active) return 'unavailable';
  return variant.stock > 0 ? 'available' : 'sold-out';
}

/** Whether `value` of option `name` is available with the other options as `selection` has them. */
export function valueAvailability(
  product: Choosable,
  selection: Selection,
  name: string,
  value: string,
): Availability {
  return availabilityOf(variantFor(product, { ...selection, [name]: value }));
}

/**
 * The values the page shows chosen: each option's value from `wanted` (the URL) when it is one
 * of the option's values; the options it leaves open are filled from the first variant (in
 * display order) that has `wanted`'s values, preferring one with stock, then an active one; an
 * option still open takes its first value.
 */
export function initialSelection(product: Choosable, wanted: Selection): Selection {
  const given: Selection = {};
  for (const option of product.options) {
    const value = wanted[option.name];
    if (value !== undefined && option.values.includes(value)) given[option.name] = value;
  }
  const matching = product.variants.filter((variant) =>
    Object.entries(given).every(([name, value]) => variant.options[name] === value),
  );
  const best =
    matching.find((v) => availabilityOf(v) === 'available') ??
    matching.find((v) => v.active) ??
    matching[0];
  return Object.fromEntries(
    product.options.map((option) => [
      option.name,
      given[option.name] ?? best?.options[option.name] ?? option.values[0] ?? '',
    ]),
  );
}

/** The lowest and highest price of the product's active variants (of all, when none is active). */
export function priceRange(product: Pick<Product, 'variants' | 'price'>): {
  min: number;
  max: number;
} {
  const active = product.variants.filter((v) => v.active);
  const prices = (active.length > 0 ? active : product.variants).map((v) => v.price);
  if (prices.length === 0) return { min: product.price, max: product.price };
  return { min: Math.min(...prices), max: Math.max(...prices) };
}

/**
 * The product page's search for a catalog filter: each of the product's options the filter
 * names with one value, so the page opens on it (a filter for Size M opens the product in M).
 */
export function selectionFromFilter(
  product: Pick<Product, 'options'>,
  filter: readonly { name: string; value: string }[],
): Selection {
  const selection: Selection = {};
  for (const option of product.options) {
    const values = filter.filter((f) => f.name === option.name).map((f) => f.value);
    if (values.length === 1 && option.values.includes(values[0]!)) {
      selection[option.name] = values[0]!;
    }
  }
  return selection;
}

/**
 * The variant whose image shows a choice: the chosen variant when it has an image; else, of the
 * variants with one, the first sharing most of the chosen values, the values of an option the
 * images go by (each colour its photo) counting before the others: a size not made in blue
 * still shows the blue photo. None when no variant has an image.
 */
export function pictureVariant(product: Choosable, selection: Selection): Variant | undefined {
  const chosen = variantFor(product, selection);
  if (chosen?.imageId) return chosen;
  const pictured = product.variants.filter((variant) => variant.imageId);
  // An option the images go by: variants with one of its values all have the same image.
  const picturing = new Set(
    product.options
      .filter((option) =>
        pictured.every((a) =>
          pictured.every(
            (b) => a.options[option.name] !== b.options[option.name] || a.imageId === b.imageId,
          ),
        ),
      )
      .map((option) => option.name),
  );
  let best: Variant | undefined;
  let bestScore = -1;
  for (const variant of pictured) {
    const score = product.options.reduce(
      (sum, option) =>
        variant.options[option.name] === selection[option.name]
          ? sum + (picturing.has(option.name) ? product.options.length + 1 : 1)
          : sum,
      0,
    );
    if (score > bestScore) {
      best = variant;
      bestScore = score;
    }
  }
  return best;
}

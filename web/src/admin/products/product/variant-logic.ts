/**
 * The pure part of editing a product's options and variants: the combinations a set of options
 * makes, their titles as the server writes them ("M / Red"), and the rows the forms propose for
 * them (a SKU, a price and an opening stock each, which follow the product's own fields until a
 * person changes them).
 */

export interface OptionValues {
  name: string;
  values: string[];
}

/** One value of each option, by option name: `{Size: "M", Colour: "Red"}`. */
export type Combination = Record<string, string>;

/** A proposed variant as a form holds it: text as typed, and whether to create it. */
export interface VariantRow {
  /** The combination's values in the options' order, as one string: rows are matched by it. */
  key: string;
  title: string;
  options: Combination;
  include: boolean;
  sku: string;
  price: string;
  stock: string;
}

/** What a new row starts with, from the product's own fields. */
export interface RowDefaults {
  sku: string;
  price: string;
  stock: string;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Values as typed in one field, separated by commas ("S, M,L" → S, M, L), each once. */
export function parseOptionValues(text: string): string[] {
  const values: string[] = [];
  for (const part of text.split(',')) {
    const value = part.trim();
    if (value !== '' && !values.some((v) => same(v, value))) values.push(value);
  }
  return values;
}

/** The values of a combination in the options' order. */
function valuesOf(options: readonly OptionValues[], combination: Combination): string[] {
  return options.map((option) => combination[option.name] ?? '');
}

/** The server's title for a combination: its values in the options' order ("M / Red"). */
export function variantTitle(options: readonly OptionValues[], combination: Combination): string {
  return valuesOf(options, combination).join(' / ');
}

/** A combination as one comparable key, whatever its options are named. */
export function combinationKey(options: readonly OptionValues[], combination: Combination): string {
  return JSON.stringify(valuesOf(options, combination).map((v) => v.toLowerCase()));
}

/** Every combination of the options' values, the first option varying slowest. */
export function combinations(options: readonly OptionValues[]): Combination[] {
  if (options.length === 0) return [];
  let all: Combination[] = [{}];
  for (const option of options) {
    all = all.flatMap((partial) =>
      option.values.map((value) => ({ ...partial, [option.name]: value })),
    );
  }
  return all;
}

/**
 * A variant SKU proposed from the product's: its values appended, upper case, in the letters
 * the server accepts ("TEE" and M / Navy blue → "TEE-M-NAVY-BLUE"), at most 64 characters.
 * Empty while the product has no SKU: a person then types each one.
 */
export function proposedSku(productSku: string, values: readonly string[]): string {
  const base = productSku.trim();
  if (base === '') return '';
  return [base, ...values]
    .join('-')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^A-Z0-9]+/, '')
    .replace(/-+$/, '')
    .slice(0, 64);
}

function proposal(options: readonly OptionValues[], combination: Combination, from: RowDefaults) {
  return {
    sku: proposedSku(from.sku, valuesOf(options, combination)),
    price: from.price,
    stock: from.stock,
  };
}

/**
 * The rows for every combination of `options`, in order. A combination that already has a row
 * keeps it (matched by its values, so renaming an option keeps what was typed), and each of its
 * fields still showing what the previous defaults proposed follows the new ones: a row follows
 * the product's SKU, price and stock until a person edits it.
 */
export function proposeVariantRows(
  options: readonly OptionValues[],
  rows: readonly VariantRow[],
  was: RowDefaults,
  now: RowDefaults,
): VariantRow[] {
  const byKey = new Map(rows.map((row) => [row.key, row]));
  return combinations(options).map((combination) => {
    const key = combinationKey(options, combination);
    const fresh = proposal(options, combination, now);
    const old = byKey.get(key);
    const base = { key, title: variantTitle(options, combination), options: combination };
    if (!old) return { ...base, include: true, ...fresh };
    const before = proposal(options, combination, was);
    return {
      ...base,
      include: old.include,
      sku: old.sku === before.sku ? fresh.sku : old.sku,
      price: old.price === before.price ? fresh.price : old.price,
      stock: old.stock === before.stock ? fresh.stock : old.stock,
    };
  });
}

/** The options as typed → those complete enough to combine: a name and at least one value. */
export function typedOptions(options: readonly { name: string; values: string }[]): OptionValues[] {
  return options
    .map((option) => ({ name: option.name.trim(), values: parseOptionValues(option.values) }))
    .filter((option) => option.name !== '' && option.values.length > 0);
}

/** A value as the option already spells it ("xl" when it offers "XL"), else as typed, trimmed. */
export function optionSpelling(option: OptionValues, value: string): string {
  const typed = value.trim();
  return option.values.find((v) => same(v, typed)) ?? typed;
}

/**
 * The combinations a product lacks that have `value` for `optionName`: all of them for a new
 * value (a new Size joins every Colour), the missing ones for a value it has. Each is the
 * options restricted to that value, so `proposeVariantRows` can propose their rows.
 */
export function optionsForValue(
  options: readonly OptionValues[],
  optionName: string,
  value: string,
): OptionValues[] {
  return options.map((option) =>
    option.name === optionName
      ? { name: option.name, values: [optionSpelling(option, value)] }
      : option,
  );
}

/** The rows whose combination the product does not have yet. */
export function missingRows(
  options: readonly OptionValues[],
  rows: readonly VariantRow[],
  existing: readonly Combination[],
): VariantRow[] {
  const have = new Set(existing.map((combination) => combinationKey(options, combination)));
  return rows.filter((row) => !have.has(row.key));
}

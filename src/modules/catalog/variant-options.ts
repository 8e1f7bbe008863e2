import { AppError, type FieldError } from '../../shared/errors.js';
import type { ProductOption, VariantOptions } from './product.table.js';

/**
 * The rules that tie a product's options to its variants, pure: at most 3 options, each named
 * once with at least one value, each value once; every variant names exactly one value of each
 * option; every combination at most once. Broken rules are 422 VARIANT_OPTIONS_INVALID with one
 * `errors` entry each.
 */

export const MAX_OPTIONS = 3;

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** A variant's title: its values in the options' order ("M / Red"); empty without options. */
export function variantTitle(options: readonly ProductOption[], values: VariantOptions): string {
  return options.map((option) => values[option.name] ?? '').join(' / ');
}

/** A combination as one comparable key, whatever order its object's keys came in. */
export function combinationKey(options: readonly ProductOption[], values: VariantOptions): string {
  return JSON.stringify(options.map((option) => values[option.name] ?? null));
}

/** The variant's options in the product's option order, as they are stored. */
export function orderedOptions(
  options: readonly ProductOption[],
  values: VariantOptions,
): VariantOptions {
  return Object.fromEntries(options.map((option) => [option.name, values[option.name]!]));
}

function optionErrors(options: readonly ProductOption[]): FieldError[] {
  const errors: FieldError[] = [];
  if (options.length > MAX_OPTIONS) {
    errors.push({ path: 'options', message: `at most ${MAX_OPTIONS} options` });
  }
  options.forEach((option, i) => {
    if (options.findIndex((o) => same(o.name, option.name)) !== i) {
      errors.push({ path: `options.${i}.name`, message: `option ${option.name} is named twice` });
    }
    if (option.values.length === 0) {
      errors.push({ path: `options.${i}.values`, message: 'at least one value' });
    }
    option.values.forEach((value, j) => {
      if (option.values.findIndex((v) => same(v, value)) !== j) {
        errors.push({ path: `options.${i}.values.${j}`, message: `value ${value} is given twice` });
      }
    });
  });
  return errors;
}

/** What is wrong with one variant's `options` against the product's options. */
function variantErrors(
  options: readonly ProductOption[],
  values: VariantOptions,
  path: string,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const name of Object.keys(values)) {
    if (!options.some((o) => o.name === name)) {
      errors.push({ path: `${path}.${name}`, message: `the product has no option ${name}` });
    }
  }
  for (const option of options) {
    const value = values[option.name];
    if (value === undefined) {
      errors.push({
        path: `${path}.${option.name}`,
        message: `a value of ${option.name} is required`,
      });
    } else if (!option.values.includes(value)) {
      errors.push({
        path: `${path}.${option.name}`,
        message: `${value} is not one of ${option.name}'s values (${option.values.join(', ')})`,
      });
    }
  }
  return errors;
}

const invalid = (errors: FieldError[]) =>
  new AppError('VARIANT_OPTIONS_INVALID', errors.map((e) => `${e.path}: ${e.message}`).join('; '), {
    errors,
  });

/**
 * Checks a new product's options and variants together, or throws VARIANT_OPTIONS_INVALID.
 * Without options there is exactly one variant, with no option values.
 */
export function checkNewVariants(
  options: readonly ProductOption[],
  variants: readonly { options: VariantOptions }[],
): void {
  const errors = optionErrors(options);
  if (options.length === 0 && variants.length !== 1) {
    errors.push({
      path: 'variants',
      message: 'a product without options has exactly one variant; give options to sell more',
    });
  }
  const seen = new Map<string, number>();
  variants.forEach((variant, i) => {
    errors.push(...variantErrors(options, variant.options, `variants.${i}.options`));
    const key = combinationKey(options, variant.options);
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({
        path: `variants.${i}.options`,
        message: `the same combination as variants.${first} (each combination at most once)`,
      });
    } else seen.set(key, i);
  });
  if (errors.length > 0) throw invalid(errors);
}

/**
 * Checks one more variant of a product that has options, or throws VARIANT_OPTIONS_INVALID.
 * A value an option does not offer yet is added to it (the shop sells a new size): answers the
 * options with any new value appended.
 */
export function optionsWithVariant(
  options: readonly ProductOption[],
  existing: readonly VariantOptions[],
  values: VariantOptions,
): ProductOption[] {
  if (options.length === 0) {
    throw invalid([
      {
        path: 'options',
        message: 'a product without options has exactly one variant; it cannot take another',
      },
    ]);
  }
  const grown = options.map((option) => {
    const value = values[option.name];
    return value !== undefined && !option.values.some((v) => same(v, value))
      ? { name: option.name, values: [...option.values, value] }
      : { name: option.name, values: [...option.values] };
  });
  const errors = variantErrors(grown, values, 'options');
  const key = combinationKey(grown, values);
  if (errors.length === 0 && existing.some((other) => combinationKey(grown, other) === key)) {
    errors.push({
      path: 'options',
      message: 'the product already has a variant with these options',
    });
  }
  if (errors.length > 0) throw invalid(errors);
  return grown;
}

/**
 * The catalog's facets from its products' options: each option name once, with the values that
 * `sold` (an active variant's name and value) has, in the products' display order merged. Each
 * list in `orders` is one product's options (oldest product first): a name or value not seen
 * before goes right after the one before it in that list (see mergeInto), so Size S, M, L and
 * another product's M, L, XL make S, M, L, XL, and a product's 01, 02 then make S, M, L, XL, 01, 02. Names and values compare exactly, as the option filter matches them.
 */
export function mergeOptions(
  orders: readonly (readonly ProductOption[])[],
  sold: readonly { name: string; value: string }[],
): ProductOption[] {
  const soldValues = new Map<string, Set<string>>();
  for (const { name, value } of sold) {
    soldValues.set(name, (soldValues.get(name) ?? new Set()).add(value));
  }
  const names: string[] = [];
  const values = new Map<string, string[]>();
  for (const options of orders) {
    mergeInto(
      names,
      options.map((option) => option.name),
    );
    for (const option of options) {
      const merged = values.get(option.name) ?? [];
      mergeInto(merged, option.values);
      values.set(option.name, merged);
    }
  }
  return names.flatMap((name) => {
    const available = soldValues.get(name);
    const kept = (values.get(name) ?? []).filter((value) => available?.has(value));
    return kept.length > 0 ? [{ name, values: kept }] : [];
  });
}

/**
 * Inserts each of `sequence`'s items that `merged` lacks right after the item before it in
 * `sequence`; items before the first one `merged` has go before that one, or at the end when
 * it has none of them.
 */
function mergeInto(merged: string[], sequence: readonly string[]): void {
  let at = -1;
  sequence.forEach((item, i) => {
    const found = merged.indexOf(item);
    if (found >= 0) {
      at = found + 1;
      return;
    }
    if (at < 0) {
      const next = sequence
        .slice(i + 1)
        .map((later) => merged.indexOf(later))
        .find((index) => index >= 0);
      at = next ?? merged.length;
    }
    merged.splice(at, 0, item);
    at += 1;
  });
}

import fc from 'fast-check';
import type { Json } from './openapi.js';

/**
 * Values from a (dereferenced) JSON schema of the OpenAPI document:
 * - `validValue`: values the schema accepts, typical and boundary (min/max lengths and numbers,
 *   enum edges, empty and full arrays), with realistic values where a property name has a hint
 *   (an existing product id for `productId`);
 * - `hostileValue`: values meant to hurt a handler (injection strings, huge or odd unicode
 *   strings, extreme numbers, prototype keys);
 * - `wrongTypeValue`: a JSON value of another type than the schema's, never one it accepts.
 */

/** Realistic values by property or parameter name: ids of objects that exist, known codes. */
export type Hints = Record<string, fc.Arbitrary<unknown>>;

const SAFE = Number.MAX_SAFE_INTEGER;
/** Long arrays and strings are tried at their bounds; typical values stay small. */
const TYPICAL_ITEMS = 4;
const TYPICAL_CHARS = 24;

export function validValue(schema: Json, hints: Hints = {}, name?: string): fc.Arbitrary<unknown> {
  const hint = name ? hints[name] : undefined;
  const base = validOfType(schema, hints);
  const value = hint
    ? fc.oneof({ weight: 6, arbitrary: hint }, { weight: 1, arbitrary: base })
    : base;
  return schema.nullable === true
    ? fc.oneof({ weight: 5, arbitrary: value }, { weight: 1, arbitrary: fc.constant(null) })
    : value;
}

function validOfType(schema: Json, hints: Hints): fc.Arbitrary<unknown> {
  if (Array.isArray(schema.enum)) {
    const values = schema.enum.filter((v: unknown) => v !== null);
    return values.length ? fc.constantFrom(...values) : fc.constant(null);
  }
  if (schema.anyOf || schema.oneOf) {
    const options = (schema.anyOf ?? schema.oneOf) as Json[];
    return fc.oneof(...options.map((s) => validValue(s, hints)));
  }
  switch (schema.type) {
    case 'string':
      return validString(schema);
    case 'integer':
      return validNumber(schema, true);
    case 'number':
      return validNumber(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'array':
      return validArray(schema, hints);
    case 'object':
      return validObject(schema, hints);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function validString(schema: Json): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? 10_000;
  if (schema.format === 'date-time') {
    return fc
      .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString());
  }
  if (schema.format === 'binary') return fc.constant('');
  if (typeof schema.pattern === 'string') {
    const pattern = new RegExp(schema.pattern);
    const fitting = (s: string) => s.length >= min && s.length <= max && pattern.test(s);
    const boundary = [max, Math.max(min, 1)]
      .map((n) => 'A'.repeat(n))
      .filter(fitting)
      .map((s) => fc.constant(s));
    return fc.oneof(
      { weight: 4, arbitrary: fc.stringMatching(pattern).filter(fitting) },
      ...boundary.map((arbitrary) => ({ weight: 1, arbitrary })),
    );
  }
  return fc.oneof(
    {
      weight: 4,
      // Lengths are counted in UTF-16 units, as the server counts them.
      arbitrary: fc
        .string({
          minLength: min,
          maxLength: Math.max(min, Math.min(max, TYPICAL_CHARS)),
          unit: 'grapheme',
        })
        .filter((s) => s.length >= min && s.length <= max),
    },
    // Boundary lengths: the shortest and longest accepted, in ASCII and in astral characters
    // (a limit counted in UTF-16 units versus code points versus bytes shows here).
    { weight: 1, arbitrary: fc.constantFrom('x'.repeat(min), 'x'.repeat(Math.min(max, 20_000))) },
    {
      weight: 1,
      arbitrary: fc.constant('é'.repeat(Math.min(max, 20_000))).filter((s) => s.length >= min),
    },
  );
}

function validNumber(schema: Json, integer: boolean): fc.Arbitrary<number> {
  const min = Math.max(schema.minimum ?? -SAFE, -SAFE);
  const max = Math.min(schema.maximum ?? SAFE, SAFE);
  const edges = [min, max, min + 1, max - 1, 0, 1].filter((n) => n >= min && n <= max);
  const typical = integer
    ? fc.integer({ min, max })
    : fc.oneof(
        fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).map((n) => {
          // Amounts with at most two decimals are the documented ones (percentOff 12.5).
          const two = Math.round(n * 100) / 100;
          return Math.min(max, Math.max(min, two));
        }),
        fc.integer({ min: Math.ceil(min), max: Math.floor(max) }),
      );
  return fc.oneof(
    { weight: 3, arbitrary: typical },
    { weight: 1, arbitrary: fc.constantFrom(...edges) },
  );
}

function validArray(schema: Json, hints: Hints): fc.Arbitrary<unknown[]> {
  const min = schema.minItems ?? 0;
  const max = schema.maxItems ?? 100;
  const item = validValue(schema.items ?? {}, hints);
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.array(item, {
        minLength: min,
        maxLength: Math.max(min, Math.min(max, TYPICAL_ITEMS)),
      }),
    },
    // The boundaries: the fewest and the most items accepted.
    { weight: 1, arbitrary: fc.array(item, { minLength: min, maxLength: min }) },
    { weight: 1, arbitrary: fc.array(item, { minLength: max, maxLength: max }) },
  );
}

function validObject(schema: Json, hints: Hints): fc.Arbitrary<Json> {
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  const required = (schema.required ?? []) as string[];
  const model = Object.fromEntries(
    Object.entries(properties).map(([key, s]) => [key, validValue(s, hints, key)]),
  );
  return fc.record(model, {
    requiredKeys: required.filter((k) => k in properties),
  });
}

/** Strings meant to break a handler, a query or a template, or a database's text type. */
export const HOSTILE_STRINGS = [
  '',
  ' ',
  "' OR '1'='1",
  "'; drop table users; --",
  '" OR ""="',
  '\\',
  "1' union select null, version() --",
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '{{constructor.constructor("return process")()}}',
  '${7*7}',
  '%s%s%s%n',
  '../../../../etc/passwd',
  '%00',
  '%',
  '_',
  '*',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-1',
  '1e309',
  '0x10',
  '__proto__',
  'constructor',
  '\u202egnp.exe',
  '\uFEFF',
  'Ａ\u0301\u0301\u0301',
  '🧨🧨🧨',
  '\uD800',
  '\uDFFF\uD800',
  '\u0000',
  'a\u0000b',
  '\r\nX-Injected: 1',
  '=cmd|" /C calc"!A0',
  'x'.repeat(65),
  'x'.repeat(257),
  'x'.repeat(5_001),
  '🧨'.repeat(5_000),
];

const HOSTILE_NUMBERS = [
  -1,
  -0,
  0.5,
  -0.000001,
  1e21,
  -1e21,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 63,
  -(2 ** 63),
  1e308,
  -1e308,
  Number.MIN_VALUE,
  2147483648,
  -2147483649,
];

/** A hostile value of any JSON type: injection text, huge or odd strings, extreme numbers, shapes. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<unknown>(...HOSTILE_STRINGS) },
  { weight: 3, arbitrary: fc.constantFrom<unknown>(...HOSTILE_NUMBERS) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      null,
      true,
      false,
      [],
      {},
      [null],
      [[[[[[[[[[[]]]]]]]]]]],
      { __proto__: { admin: true } },
      JSON.parse('{"__proto__": {"polluted": true}}'),
      { constructor: { prototype: { polluted: true } } },
      { $gt: '' },
      { $where: '1' },
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constant('x'.repeat(300_000)) },
);

/** The JSON type a schema asks for ('integer' counts as 'number' when it comes to JSON). */
function jsonTypeOf(schema: Json): string | undefined {
  if (Array.isArray(schema.enum)) {
    const types = new Set(
      schema.enum.filter((v: unknown) => v !== null).map((v: unknown) => typeof v),
    );
    return types.size === 1 ? [...types][0] : undefined;
  }
  return schema.type === 'integer' ? 'number' : schema.type;
}

/** A value of another JSON type than `schema` asks for, which it therefore refuses. */
export function wrongTypeValue(schema: Json): fc.Arbitrary<unknown> {
  const type = jsonTypeOf(schema);
  const candidates: [string, fc.Arbitrary<unknown>][] = [
    ['string', fc.constantFrom('1', 'true', '', 'null', '[]')],
    ['number', fc.constantFrom(0, 1, -1, 1.5, 1e30)],
    ['boolean', fc.boolean()],
    ['array', fc.constantFrom([], [1], ['a'], [{}])],
    ['object', fc.constantFrom({}, { a: 1 }, { length: 1 })],
  ];
  const others = candidates.filter(([t]) => t !== type).map(([, a]) => a);
  // A nullable schema accepts null: only give null where it is refused.
  if (schema.nullable !== true) others.push(fc.constant(null));
  // An integer field refuses fractions, a string field refuses numbers: both are wrong types.
  if (schema.type === 'integer') others.push(fc.constantFrom(0.5, 1.000001, -2.5));
  return fc.oneof(...others);
}

/** A property name meant to reach the prototype or confuse a merge. */
export const hostileKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'id',
  'role',
  'price',
  'unitPrice',
  'total',
  'status',
  'customerId',
  'userId',
  '$where',
  '',
  ' ',
  'é',
);

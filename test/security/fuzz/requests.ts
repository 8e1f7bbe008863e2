import fc from 'fast-check';
import {
  HOSTILE_STRINGS,
  hostileKey,
  hostileValue,
  validValue,
  wrongTypeValue,
  type Hints,
} from './arbitraries.js';
import type { Json, Operation, Param } from './openapi.js';

export type Actor = 'anonymous' | 'customer' | 'staff' | 'admin';

/**
 * What a request tries. Every kind but `valid`, `hostile-field` and `bad-query` is refused by
 * construction (a 4xx is the only right answer), and so is any request an actor may not make.
 */
export type Kind =
  | 'valid'
  | 'hostile-field'
  | 'bad-query'
  | 'wrong-type'
  | 'missing-required'
  | 'extra-property'
  | 'wrong-content-type'
  | 'malformed-json'
  | 'oversized'
  | 'bad-path'
  | 'bad-header';

export interface FuzzRequest {
  op: Operation;
  kind: Kind;
  actor: Actor;
  /** Path and query, e.g. `/api/v1/orders/ord_1?page=2`. */
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array | FormData;
  /** Hostile by construction, or an actor without the right: a 4xx is the only right answer. */
  refused: boolean;
}

/** The world the fuzzer aims at: realistic ids and values, tokens per actor, an image. */
export interface FuzzWorld {
  hints: Hints;
  /** Ids of objects that exist, for a path parameter of an operation. */
  pathValues(op: Operation, param: string): fc.Arbitrary<string>;
  tokens: Record<Exclude<Actor, 'anonymous'>, string>;
  image: Uint8Array;
}

/** Mostly the actor who may make the request, so the handler runs; the others now and then. */
const actorsOf = (op: Operation) =>
  op.path.startsWith('/api/v1/admin/')
    ? fc.constantFrom<Actor>('anonymous', 'customer', 'staff', 'admin', 'admin', 'admin', 'admin')
    : fc.constantFrom<Actor>('anonymous', 'customer', 'customer', 'customer', 'staff', 'admin');

/**
 * `encodeURIComponent`, except that a lone surrogate (which it refuses) goes out as the bytes
 * a careless encoder would send: invalid UTF-8.
 */
export function encodeComponent(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return value
      .split('')
      .map((c) => {
        try {
          return encodeURIComponent(c);
        } catch {
          return '%ED%A0%80';
        }
      })
      .join('');
  }
}

const isUnsafe = (op: Operation) => op.method !== 'GET';
const isJsonBody = (op: Operation) => op.body?.contentType === 'application/json';
const isWebhook = (op: Operation) => op.path.startsWith('/api/v1/webhooks/');

const ADMIN_ONLY = /^\/api\/v1\/admin\/(users|products|promo-codes|jobs)(\/|$)/;

/** Requests an actor cannot make whatever they carry: anonymous on a secured route, a customer in the back office. */
export function actorRefused(op: Operation, actor: Actor): boolean {
  // /metrics answers a local caller without a token when METRICS_TOKEN is unset (SECURITY.md §5).
  if (op.path === '/metrics') return false;
  if (op.secured && actor === 'anonymous') return true;
  if (op.path.startsWith('/api/v1/admin/') && actor === 'customer') return true;
  // Staff work on orders; users, products and their images, promo codes and jobs are admins'.
  if (ADMIN_ONLY.test(op.path) && actor === 'staff') return true;
  return false;
}

/** The kinds that apply to an operation. */
export function kindsOf(op: Operation): Kind[] {
  const kinds: Kind[] = ['valid'];
  if (op.params.some((p) => p.in === 'query')) kinds.push('bad-query');
  if (op.params.some((p) => p.in === 'path')) kinds.push('bad-path');
  if (op.params.some((p) => p.in === 'header')) kinds.push('bad-header');
  if (isJsonBody(op)) {
    kinds.push('hostile-field', 'wrong-type', 'missing-required', 'extra-property');
  }
  if (isUnsafe(op)) kinds.push('wrong-content-type', 'malformed-json', 'oversized');
  return kinds;
}

export const REFUSING_KINDS: readonly Kind[] = [
  'wrong-type',
  'missing-required',
  'extra-property',
  'wrong-content-type',
  'malformed-json',
  'oversized',
  'bad-path',
  'bad-header',
];

function isRefused(op: Operation, kind: Kind, actor: Actor, body: Body['body']): boolean {
  // An unsigned event is hostile by construction: the fuzzer cannot sign one.
  if (isWebhook(op) || actorRefused(op, actor)) return true;
  if (kind === 'missing-required') return hasRequired(op.body?.schema);
  // An empty body is no body, which a route whose body may be null accepts (refresh, logout).
  if (kind === 'malformed-json' && body === '') return op.body?.schema.nullable !== true;
  return REFUSING_KINDS.includes(kind);
}

const hasRequired = (schema: Json | undefined) =>
  !!schema && Array.isArray(schema.required) && schema.required.length > 0;

/** Every request the fuzzer may send to `op`; valid ones most often, so handlers run. */
export function requestArbitrary(op: Operation, world: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  const weighted = kindsOf(op).map((kind) => ({
    weight: kind === 'valid' ? 8 : kind === 'hostile-field' ? 2 : 1,
    arbitrary: fc.constant(kind),
  }));
  return fc.record({ kind: fc.oneof(...weighted), actor: actorsOf(op) }).chain(({ kind, actor }) =>
    fc
      .record({
        path: pathArbitrary(op, world, kind === 'bad-path' ? 'bad' : 'realistic'),
        query: queryArbitrary(op, world, kind === 'bad-query'),
        headers: headerArbitrary(op, kind === 'bad-header'),
        body: bodyArbitrary(op, world, kind),
      })
      .map(({ path, query, headers, body }): FuzzRequest => {
        const token = actor === 'anonymous' ? undefined : world.tokens[actor];
        return {
          op,
          kind,
          actor,
          url: query ? `${path}?${query}` : path,
          headers: {
            ...headers,
            ...body.headers,
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          ...(body.body !== undefined ? { body: body.body } : {}),
          refused: isRefused(op, kind, actor, body.body),
        };
      }),
  );
}

// --- path -----------------------------------------------------------------------------------

const BAD_IDS = [
  ...HOSTILE_STRINGS.filter((s) => s.length > 0 && s.length <= 300 && !s.includes('\u0000')),
  '00000000-0000-0000-0000-000000000000',
  'prd_does_not_exist',
  'x'.repeat(64),
  'x'.repeat(65),
  '..',
  '.',
  '%2e%2e',
  '1;select pg_sleep(1)',
];

/** Segments sent as they are, not encoded: bad percent-escapes and invalid UTF-8. */
const RAW_BAD_SEGMENTS = ['%FF', '%E0%A4%A', '%', '%%', '%C0%AE%C0%AE', '..%2F..%2Fetc', '%u0041'];

function pathArbitrary(op: Operation, world: FuzzWorld, mode: 'realistic' | 'bad') {
  const params = op.params.filter((p) => p.in === 'path');
  if (params.length === 0) return fc.constant(op.path);
  const values = params.map((p) => {
    const realistic = world.pathValues(op, p.name);
    if (mode === 'realistic') return realistic;
    return fc.oneof(
      fc.constantFrom(...BAD_IDS).map(encodeComponent),
      fc.constantFrom(...RAW_BAD_SEGMENTS),
      fc.uuid(),
      fc.string({ minLength: 1, maxLength: 80, unit: 'grapheme' }).map(encodeComponent),
    );
  });
  // With two parameters, a bad request spoils at least one; the other may be real.
  return fc
    .tuple(...values)
    .map((vs) =>
      params.reduce(
        (path, p, i) =>
          path.replace(`{${p.name}}`, mode === 'realistic' ? encodeComponent(vs[i]!) : vs[i]!),
        op.path,
      ),
    );
}

// --- query ----------------------------------------------------------------------------------

function queryArbitrary(op: Operation, world: FuzzWorld, bad: boolean): fc.Arbitrary<string> {
  const params = op.params.filter((p) => p.in === 'query');
  if (params.length === 0) return fc.constant('');
  const valid = fc
    .record(
      Object.fromEntries(params.map((p) => [p.name, validValue(p.schema, world.hints, p.name)])),
      { requiredKeys: params.filter((p) => p.required).map((p) => p.name) },
    )
    .map((values) => encodeQuery(Object.entries(values)));
  if (!bad) return valid;
  return fc
    .tuple(valid, fc.constantFrom(...params), badQueryValue, fc.constantFrom(0, 1, 2, 3))
    .map(([base, p, value, how]) => {
      const name = encodeComponent(p.name);
      const v = encodeComponent(value);
      // The parameter given a bad value, given twice, as an array or object, or an unknown one.
      if (how === 0) {
        return appendQuery(base.replace(new RegExp(`(^|&)${name}=[^&]*`), ''), `${name}=${v}`);
      }
      if (how === 1) return appendQuery(base, `${name}=${v}&${name}=${v}`);
      if (how === 2) return appendQuery(base, `${name}[]=${v}&${name}[a]=${v}`);
      return appendQuery(base, `${encodeComponent(value.slice(0, 40) || 'x')}=${v}`);
    });
}

const badQueryValue = fc.oneof(
  // Encoded, at most 3 KB: twice that and the rest stay under Node's 16 KiB limit for the
  // request line and headers, above which Node itself answers 431 before Ordo sees a thing.
  fc.constantFrom(...HOSTILE_STRINGS.filter((s) => encodeComponent(s).length <= 3_000)),
  fc.constantFrom('0', '-1', '1.5', '1e3', '1e400', '100001', '101', '9'.repeat(40), 'true', ''),
  fc.string({ maxLength: 30, unit: 'grapheme' }),
);

function encodeQuery(entries: [string, unknown][]): string {
  return entries
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${encodeComponent(k)}=${encodeComponent(String(v))}`)
    .join('&');
}

const appendQuery = (base: string, extra: string) =>
  [base.replace(/^&|&$/g, ''), extra].filter(Boolean).join('&');

// --- headers --------------------------------------------------------------------------------

function headerArbitrary(op: Operation, bad: boolean): fc.Arbitrary<Record<string, string>> {
  const params = op.params.filter((p) => p.in === 'header');
  if (params.length === 0) return fc.constant({});
  return fc
    .tuple(...params.map((p) => headerValue(p, bad)))
    .map((values) =>
      Object.fromEntries(
        params.flatMap((p, i) => (values[i] === undefined ? [] : [[p.name, values[i]]])),
      ),
    );
}

function headerValue(p: Param, bad: boolean): fc.Arbitrary<string | undefined> {
  if (bad) {
    // Each breaks the documented pattern or length (fetch refuses only CR, LF and NUL).
    return fc.constantFrom('a b', 'x'.repeat(256), '\t', 'é', '"quoted key"');
  }
  return fc.option(fc.stringMatching(/^[\x21-\x7e]{1,40}$/), { nil: undefined });
}

// --- body -----------------------------------------------------------------------------------

interface Body {
  body?: string | Uint8Array | FormData;
  headers: Record<string, string>;
}

const json = (value: unknown): Body => ({
  body: JSON.stringify(value),
  headers: { 'content-type': 'application/json' },
});

const MALFORMED_JSON = [
  '{',
  '}',
  '{"a":',
  '{"email": "a@b.c",}',
  "{'email': 'a'}",
  '{"a" 1}',
  'nul',
  'undefined',
  '{"a":1}x',
  '{"a":1}{"b":2}',
  '[',
  '{"a": NaN}',
  '{"a": Infinity}',
  '{"a": 0x10}',
  '{"a": "\\u12"}',
  '{"a": "line\nbreak"}',
  '',
  ' ',
  '['.repeat(50_000),
  '{"a":'.repeat(20_000),
];

function bodyArbitrary(op: Operation, world: FuzzWorld, kind: Kind): fc.Arbitrary<Body> {
  if (!isUnsafe(op)) return fc.constant({ headers: {} });
  const schema = op.body?.schema;
  if (kind === 'wrong-content-type') return wrongContentType(op, world);
  if (kind === 'malformed-json') {
    return fc.constantFrom(...MALFORMED_JSON).map((body) => ({
      body,
      headers: { 'content-type': 'application/json' },
    }));
  }
  if (kind === 'oversized') {
    // Over the 1 MiB body limit (and the webhook's 512 KiB, and an image's 5 MB).
    return fc.constantFrom(1_100_000, 5_300_000).map((n) => ({
      body: JSON.stringify({ padding: 'x'.repeat(n) }),
      headers: { 'content-type': 'application/json' },
    }));
  }
  if (op.body?.contentType === 'multipart/form-data') return multipartBody(world);
  if (isWebhook(op)) return webhookBody();
  if (!schema) {
    // An unsafe operation without a body: usually none, sometimes an empty JSON object.
    return fc.constantFrom<Body>({ headers: {} }, json({}));
  }
  const full = validValue(withAllProperties(schema), world.hints);
  if (kind === 'hostile-field') {
    return fc.oneof(
      { weight: 9, arbitrary: mutated(schema, full, () => hostileValue).map(json) },
      // JSON whose strings are not UTF-8 (decoded leniently, not refused).
      {
        weight: 1,
        arbitrary: full.map((value) => ({
          body: notUtf8(JSON.stringify(value)),
          headers: { 'content-type': 'application/json' },
        })),
      },
    );
  }
  if (kind === 'wrong-type') return mutated(schema, full, wrongTypeValue).map(json);
  if (kind === 'missing-required') return full.map((value) => json(withoutRequired(schema, value)));
  if (kind === 'extra-property') {
    return fc.tuple(full, hostileKey, hostileValue).map(([value, key, extra]) => ({
      body: withExtraKey(schema, value, key, extra),
      headers: { 'content-type': 'application/json' },
    }));
  }
  return validValue(schema, world.hints).map(json);
}

function wrongContentType(op: Operation, world: FuzzWorld): fc.Arbitrary<Body> {
  const multipart = () => {
    const form = new FormData();
    form.append('file', new Blob([world.image as Uint8Array<ArrayBuffer>]), 'image.png');
    form.append('email', 'a@example.test');
    return form;
  };
  const options: fc.Arbitrary<Body>[] = [
    fc.constant({ body: '{"email":"a@example.test"}', headers: { 'content-type': 'text/plain' } }),
    // fetch labels a string body text/plain itself when nothing else is said.
    fc.constant({ body: '{"email":"a@example.test"}', headers: {} }),
    fc.constant({
      body: 'email=a%40example.test&password=x&items[0][productId]=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }),
    fc.constant({ body: '<a>1</a>', headers: { 'content-type': 'application/xml' } }),
    fc.constant({ body: '{}', headers: { 'content-type': 'application/jsonx' } }),
    fc.constant({ body: '{}', headers: { 'content-type': 'image/png' } }),
  ];
  // A multipart body where JSON is expected; JSON where an upload is.
  if (op.body?.contentType === 'multipart/form-data') {
    options.push(fc.constant(json({ file: 'aGVsbG8=' })));
  } else {
    options.push(fc.constant(null).map(() => ({ body: multipart(), headers: {} })));
  }
  return fc.oneof(...options);
}

function multipartBody(world: FuzzWorld): fc.Arbitrary<Body> {
  return fc
    .record({
      field: fc.constantFrom('file', 'file', 'file', 'image', ''),
      bytes: fc.oneof(
        { weight: 3, arbitrary: fc.constant(world.image) },
        // Not an image, or a truncated one, or a PNG signature with garbage after it.
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
        { weight: 1, arbitrary: fc.constant(world.image.slice(0, 40)) },
        {
          weight: 1,
          arbitrary: fc.constant(
            new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]),
          ),
        },
      ),
      name: fc.constantFrom('image.png', '../../etc/passwd', 'x.exe', '<script>.png', ''),
      type: fc.constantFrom('image/png', 'application/octet-stream', 'text/html'),
      second: fc.boolean(),
    })
    .map(({ field, bytes, name, type, second }) => {
      const form = new FormData();
      form.append(field, new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), name);
      if (second) form.append('file', new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), name);
      return { body: form, headers: {} };
    });
}

function webhookBody(): fc.Arbitrary<Body> {
  return fc
    .record({
      event: fc.oneof(
        fc.record({
          id: fc.string({ maxLength: 30 }),
          type: fc.constantFrom('payment_intent.succeeded', 'payment_intent.payment_failed', 'x'),
          data: fc.record({ object: fc.record({ id: fc.string(), amount: fc.integer() }) }),
        }),
        fc.jsonValue({ maxDepth: 3 }),
      ),
      signature: fc.option(
        fc.constantFrom('t=1,v1=00', 't=9999999999,v1=' + 'a'.repeat(64), 'garbage', ''),
        { nil: undefined },
      ),
    })
    .map(({ event, signature }) => ({
      body: JSON.stringify(event),
      headers: {
        'content-type': 'application/json',
        ...(signature !== undefined ? { 'stripe-signature': signature } : {}),
      },
    }));
}

// --- mutations of a valid body ----------------------------------------------------------------

/** The schema with every property required (recursively), so a mutation has a field to hit. */
function withAllProperties(schema: Json): Json {
  if (schema.type === 'object' && schema.properties) {
    const properties = Object.fromEntries(
      Object.entries(schema.properties as Record<string, Json>).map(([k, s]) => [
        k,
        withAllProperties(s),
      ]),
    );
    return { ...schema, nullable: false, properties, required: Object.keys(properties) };
  }
  if (schema.type === 'array' && schema.items) {
    return {
      ...schema,
      minItems: Math.max(1, schema.minItems ?? 0),
      items: withAllProperties(schema.items),
    };
  }
  return schema;
}

type Location = { path: (string | number)[]; schema: Json };

/** Where a value of `schema` may be replaced: the whole value, each property, the first item. */
function locations(schema: Json, path: (string | number)[] = [], depth = 0): Location[] {
  const here: Location = { path, schema };
  if (depth > 6) return [here];
  if (schema.type === 'object' && schema.properties) {
    return [
      here,
      ...Object.entries(schema.properties as Record<string, Json>).flatMap(([k, s]) =>
        locations(s, [...path, k], depth + 1),
      ),
    ];
  }
  if (schema.type === 'array' && schema.items) {
    return [here, ...locations(schema.items, [...path, 0], depth + 1)];
  }
  return [here];
}

function setAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  const copy: any = Array.isArray(value) ? [...value] : { ...(value as Json) };
  copy[head] = setAt(copy[head], rest, replacement);
  return copy;
}

function mutated(
  schema: Json,
  full: fc.Arbitrary<unknown>,
  replacement: (schema: Json) => fc.Arbitrary<unknown>,
): fc.Arbitrary<unknown> {
  const where = locations(schema);
  return fc
    .constantFrom(...where)
    .chain(({ path, schema: at }) =>
      fc.tuple(full, replacement(at)).map(([value, r]) => setAt(value, path, r)),
    );
}

function withoutRequired(schema: Json, value: unknown): unknown {
  const required = (schema.required ?? []) as string[];
  if (!value || typeof value !== 'object' || required.length === 0) return value;
  const copy = { ...(value as Json) };
  delete copy[required[0]!];
  return copy;
}

/** The body as JSON text with one more top-level key (`__proto__` included, as an own key). */
function withExtraKey(schema: Json, value: unknown, key: string, extra: unknown): string {
  const known = Object.keys((schema.properties ?? {}) as Json);
  const name = known.includes(key) ? `${key}_x` : key;
  const base = value && typeof value === 'object' && !Array.isArray(value) ? value : {};
  const rest = JSON.stringify(base).slice(1);
  const pair = `${JSON.stringify(name)}:${JSON.stringify(extra) ?? 'null'}`;
  return `{${pair}${rest === '}' ? '}' : `,${rest}`}`;
}

/** The JSON text with the bytes FF FE (never UTF-8) at the start of its first string value. */
function notUtf8(text: string): Uint8Array {
  const at = text.indexOf(':"');
  if (at < 0) return Buffer.from(text);
  return Buffer.concat([
    Buffer.from(text.slice(0, at + 2)),
    Buffer.from([0xff, 0xfe]),
    Buffer.from(text.slice(at + 2)),
  ]);
}

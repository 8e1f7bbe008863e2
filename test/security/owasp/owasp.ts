import { randomInt } from 'node:crypto';
import { afterAll, afterEach, expect } from 'vitest';
import { register } from '../../../src/modules/auth/auth.service.js';
import type { TestApp } from '../../helpers/test-app.js';

/**
 * Shared pieces of the OWASP API Security Top 10 (2023) suite: the OpenAPI document as the
 * list of what to attack, and a count of the checks each section makes.
 */

export type Json = Record<string, any>;

export interface Operation {
  /** `GET /api/v1/orders/{id}`: how failures name the operation. */
  id: string;
  method: string;
  path: string;
  op: Json;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

export async function openApi(t: TestApp): Promise<Json> {
  const res = await t.http.get<Json>('/openapi.json');
  expect(res.status).toBe(200);
  return res.body;
}

/** Every operation of the document. */
export const operationsOf = (doc: Json): Operation[] =>
  Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({
        id: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        op: op as Json,
      })),
  );

export const isAdmin = (o: Operation) => o.path.startsWith('/api/v1/admin/');
/** Behind a bearer token; `/metrics` takes its own token, not a user's. */
export const needsUser = (o: Operation) => !!o.op.security && o.path !== '/metrics';
export const hasPathId = (o: Operation) => /\{[^}]+\}/.test(o.path);
/**
 * Open to somebody without a session too (guest checkout): with nothing (`{}`: placing and
 * pricing an order), or with a guest order's token (`orderToken`: that one order).
 */
export const openToGuests = (o: Operation) =>
  ((o.op.security ?? []) as Json[]).some((s) => Object.keys(s).length === 0 || 'orderToken' in s);
/** Opened by a guest order's token (`X-Order-Token`). */
export const openedByOrderToken = (o: Operation) =>
  ((o.op.security ?? []) as Json[]).some((s) => 'orderToken' in s);

/** A schema with its `$ref` followed. */
export const resolve = (doc: Json, schema: Json | undefined): Json | undefined =>
  schema?.$ref ? doc.components.schemas[String(schema.$ref).split('/').pop()!] : schema;

/** The JSON request body schema of an operation, if it takes one. */
export const jsonBodyOf = (doc: Json, o: Operation): Json | undefined =>
  resolve(doc, o.op.requestBody?.content?.['application/json']?.schema);

/** Every schema under `schema` (properties, items, combinators), with where it is. */
export function* schemasIn(
  doc: Json,
  schema: Json | undefined,
  where: string,
  seen = new Set<Json>(),
): Generator<{ where: string; schema: Json }> {
  const s = resolve(doc, schema);
  if (!s || seen.has(s)) return;
  seen.add(s);
  yield { where, schema: s };
  for (const [key, value] of Object.entries((s.properties ?? {}) as Record<string, Json>)) {
    yield* schemasIn(doc, value, `${where}.${key}`, seen);
  }
  if (s.items) yield* schemasIn(doc, s.items as Json, `${where}[]`, seen);
  for (const part of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])] as Json[]) {
    yield* schemasIn(doc, part, where, seen);
  }
  if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    yield* schemasIn(doc, s.additionalProperties as Json, `${where}.*`, seen);
  }
}

/** Every property name anywhere in a JSON value. */
export function keysIn(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) keysIn(v, into);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      into.add(k);
      keysIn(v, into);
    }
  }
  return into;
}

/** The path with each `{param}` replaced by `fill(param)`. */
export const pathWith = (path: string, fill: (param: string) => string) =>
  path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(fill(name)));

const tallies = new Map<string, number>();

/**
 * Counts the assertions of every test in this file under `section`, and with OWASP_REPORT=1
 * prints them as one JSON line when the file is done:
 * `OWASP checks {"section":"API1:2023 Broken Object Level Authorization","checks":57}`.
 */
export function countChecks(section: string): void {
  tallies.set(section, 0);
  afterEach(() => {
    tallies.set(section, (tallies.get(section) ?? 0) + expect.getState().assertionCalls);
  });
  afterAll(() => {
    if (process.env.OWASP_REPORT) {
      console.log(`OWASP checks ${JSON.stringify({ section, checks: tallies.get(section) })}`);
    }
  });
}

export const tally = (statuses: number[]) =>
  statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});

export const shippingAddress = {
  name: 'O. Wasp',
  line1: '10 Top Street',
  city: 'Leeds',
  postalCode: 'LS1 1AA',
  country: 'GB',
};

const used = new Set<string>();
/**
 * A client address no other request of this run has used, for fastify's inject (100.64.0.0/10,
 * shared address space no other test uses), so rate-limit counters kept in Redis are this
 * test's alone.
 */
export function freshAddress(): string {
  for (;;) {
    const ip = `100.${randomInt(64, 128)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
    if (!used.has(ip)) {
      used.add(ip);
      return ip;
    }
  }
}

/**
 * An account logged in from an address of its own: for apps with a low RATE_LIMIT_AUTH, where
 * a login from loopback would count against (and, on Redis, share) every other test's counter.
 */
export async function createUserFromOwnAddress(
  t: TestApp,
): Promise<{ email: string; password: string; token: string }> {
  const email = `own-address-${randomInt(1e9)}-${Date.now()}@example.test`;
  const password = 'correct horse battery staple';
  await register(t.ctx, { email, password, name: 'Own Address' });
  const login = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
    remoteAddress: freshAddress(),
  });
  expect(login.statusCode).toBe(200);
  return { email, password, token: login.json<{ accessToken: string }>().accessToken };
}

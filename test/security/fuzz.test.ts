import { randomInt } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { describeRequest, send, violationsOf, type FuzzResponse } from './fuzz/check.js';
import { createWorld } from './fuzz/fixtures.js';
import { operationsOf, ResponseValidator, type Json, type Operation } from './fuzz/openapi.js';
import { requestArbitrary, type FuzzRequest, type FuzzWorld } from './fuzz/requests.js';
import { quiescentDigest, stateDigest, type Digest } from './fuzz/state.js';

/**
 * Fuzzing from Ordo's own OpenAPI document: every operation it lists gets valid, boundary and
 * hostile requests, as anonymous, customer, staff and admin. No answer may be a 5xx; every
 * error is problem+json with a code; every status and body is the documented one; a request
 * refused by construction changes nothing that is stored.
 *
 * Every run draws a new seed, so each CI run sends requests no run sent before, and prints it
 * first; FUZZ_SEED=<seed> (with the same FUZZ_RUNS) replays a run, its failure included. CI runs
 * a bounded count; `npm run test:fuzz` (or FUZZ_RUNS) a larger run, FUZZ_REPORT=1 prints the
 * figures.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
const SEED = seedOf(process.env.FUZZ_SEED);
/** What a failure message says to replay it. */
const REPLAY = `FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} npx vitest run test/security/fuzz.test.ts`;
console.log(`fuzz: seed ${SEED}, ${RUNS} runs per operation (replay: ${REPLAY})`);

/** FUZZ_SEED when given (it must be an integer), else a new seed for this run. */
function seedOf(given: string | undefined): number {
  if (given === undefined || given === '') return randomInt(0, 2 ** 31 - 1_000);
  const seed = Number(given);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED is not an integer: ${given}`);
  return seed;
}
const REPORT = process.env.FUZZ_REPORT === '1';
/** Requests in each batch of refused ones, compared against the stored state one by one. */
const REFUSED = Math.max(40, RUNS * 6);
/** Generous, and growing with the count: a larger run on demand must not hit a timeout. */
const FUZZ_TIMEOUT = 120_000 + RUNS * 20_000;
const BATCH_TIMEOUT = 60_000 + REFUSED * 1_000;

let t: TestApp;
let doc: Json;
let ops: Operation[];
let world: FuzzWorld;
let validator: ResponseValidator;

const fuzzed = new Set<string>();
const figures = {
  requests: 0,
  fiveHundreds: 0,
  refused: 0,
  byOperation: new Map<string, Record<string, number>>(),
};

beforeAll(async () => {
  t = await buildTestApp({}, { gateway: true });
  const res = await t.http.get('/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
  ops = operationsOf(doc);
  validator = new ResponseValidator(doc);
  world = await createWorld(t);
});

afterAll(async () => {
  if (REPORT) {
    const lines = [...figures.byOperation].map(
      ([id, statuses]) =>
        `  ${id}: ${Object.entries(statuses)
          .map(([s, n]) => `${s}×${n}`)
          .join(' ')}`,
    );
    console.log(
      [
        `fuzz: seed ${SEED}, ${RUNS} runs per operation, ${ops?.length ?? 0} operations, ` +
          `${figures.requests} requests (${figures.refused} refused by construction), ` +
          `${figures.fiveHundreds} 5xx`,
        ...lines,
      ].join('\n'),
    );
  }
  await t?.close();
});

/** Sends a request and keeps the figures. */
async function fire(request: FuzzRequest): Promise<FuzzResponse> {
  const response = await send(t.baseUrl, request);
  figures.requests++;
  if (request.refused) figures.refused++;
  if (response.status >= 500) figures.fiveHundreds++;
  const statuses = figures.byOperation.get(request.op.id) ?? {};
  statuses[response.status] = (statuses[response.status] ?? 0) + 1;
  figures.byOperation.set(request.op.id, statuses);
  fuzzed.add(request.op.id);
  return response;
}

function failure(request: FuzzRequest, response: FuzzResponse, violations: string[]): string {
  return `${violations.join('; ')}\n  ${describeRequest(request)}\n  → ${response.status} ${response.text.slice(0, 400)}`;
}

/**
 * Sends `count` requests refused by construction to the unsafe operations, one at a time,
 * and compares the stored state before and after each: a refusal changes nothing.
 */
async function refusedBatch(seed: number, count: number): Promise<string[]> {
  const unsafe = ops.filter((op) => op.method !== 'GET');
  const requests = fc.sample(
    fc.oneof(...unsafe.map((op) => requestArbitrary(op, world).filter((r) => r.refused))),
    { seed, numRuns: count },
  );
  const problems: string[] = [];
  let before: Digest = await quiescentDigest(t.ctx.db);
  for (const request of requests) {
    const response = await fire(request);
    const violations = violationsOf(request, response, validator);
    const after = await stateDigest(t.ctx.db);
    const changed = Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]);
    if (changed.length) violations.push(`a refused request changed ${changed.join(', ')}`);
    if (violations.length)
      problems.push(`${failure(request, response, violations)}\n  replay: ${REPLAY}`);
    before = after;
  }
  return problems;
}

describe('fuzzing every operation of /openapi.json', () => {
  it(
    'a refused request changes nothing (hostile requests on the fixtures)',
    async () => {
      expect(await refusedBatch(SEED, REFUSED)).toEqual([]);
    },
    BATCH_TIMEOUT,
  );

  it(
    'never answers a 5xx; errors are problem+json with a code; statuses and bodies are the documented ones',
    async () => {
      const failures: string[] = [];
      for (const [i, op] of ops.entries()) {
        let last = '';
        const details = await fc.check(
          fc.asyncProperty(requestArbitrary(op, world), async (request) => {
            let response: FuzzResponse;
            try {
              response = await fire(request);
            } catch (error) {
              last = `no answer (${String(error)}; ${String((error as Error).cause)})\n  ${describeRequest(request)}`;
              return false;
            }
            const violations = violationsOf(request, response, validator);
            last = violations.length ? failure(request, response, violations) : '';
            return violations.length === 0;
          }),
          // Shrinking resends requests; a failure reports the first counterexample as it is.
          { seed: SEED + i, numRuns: RUNS, endOnFailure: true },
        );
        if (details.failed) {
          failures.push(
            `${op.id} (seed ${SEED + i}, path ${details.counterexamplePath}): ${last}\n  replay: ${REPLAY}`,
          );
        }
      }
      expect(failures).toEqual([]);
    },
    FUZZ_TIMEOUT,
  );

  it(
    'a refused request changes nothing, after the fuzz has changed the shop',
    async () => {
      expect(await refusedBatch(SEED + 1, REFUSED)).toEqual([]);
    },
    BATCH_TIMEOUT,
  );

  it('answers a malformed percent-escape with a problem+json 400, an over-long path parameter with a 404', async () => {
    // Both are refused by the router before any route runs.
    for (const [path, status, code] of [
      ['/api/v1/products/%FF', 400, 'VALIDATION_FAILED'],
      [`/api/v1/products/${'x'.repeat(101)}`, 404, 'NOT_FOUND'],
    ] as const) {
      const res = await t.http.get(path);
      expect([path, res.status, res.headers.get('content-type')]).toEqual([
        path,
        status,
        expect.stringMatching(/^application\/problem\+json/),
      ]);
      expect(res.body).toMatchObject({ status, code });
    }
  });

  it('fuzzed every operation the document lists, and no other', () => {
    const documented = ops.map((op) => op.id).sort();
    expect(documented.length).toBeGreaterThan(40);
    expect([...fuzzed].sort()).toEqual(documented);
  });
});

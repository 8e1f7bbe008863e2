import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/client.js';
import { createGatewayState, type GatewayState } from '../src/gateway/gateway.state.js';
import { gatewayIdempotency } from '../src/gateway/gateway.table.js';
import { idempotent, storeAnswerSql, type KeyedAnswer } from '../src/gateway/idempotency.js';
import { StripeError } from '../src/gateway/stripe-objects.js';
import { systemClock } from '../src/shared/clock.js';
import { dropTestDatabase, openTestDatabase } from './helpers/test-app.js';
import { waitFor } from './helpers/wait.js';

// Stripe's Idempotency-Key on its own: a request is any function, the keys and their stored
// answers are rows in the gateway's schema.

let database: Database;
let url: string | undefined;
let gateway: GatewayState;

beforeAll(async () => {
  ({ database, url } = await openTestDatabase());
  gateway = createGatewayState({
    db: database.db,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    webhookUrl: 'http://127.0.0.1:9/unused',
    webhookSecret: 'whsec_idempotency_test',
  });
});

afterAll(async () => {
  await database.close();
  await dropTestDatabase(url);
});

/** A request that counts its runs and answers with its run number. */
function counting(status = 200) {
  const request = {
    runs: 0,
    run: async (): Promise<KeyedAnswer> => ({ status, body: { run: ++request.runs } }),
  };
  return request;
}

/** The Stripe error a call throws, or undefined. */
const stripeError = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => {
      if (error instanceof StripeError) return { status: error.status, ...error.body };
      throw error;
    },
  );

describe('the gateway idempotency keys, on their own', () => {
  it('replays the first answer for the same key and body, without running the request again', async () => {
    const key = randomUUID();
    const request = counting(402);
    const first = await idempotent(gateway, key, { amount: '500' }, request.run);
    const again = await idempotent(gateway, key, { amount: '500' }, request.run);
    expect(first).toMatchObject({ status: 402, body: { run: 1 } });
    expect(again).toEqual({ status: 402, body: { run: 1 } });
    expect(request.runs).toBe(1);
  });

  it('refuses the same key with another body with 400 idempotency_key_in_use, as Stripe does', async () => {
    const key = randomUUID();
    const request = counting();
    await idempotent(gateway, key, { amount: '500' }, request.run);
    expect(
      await stripeError(idempotent(gateway, key, { amount: '501' }, request.run)),
    ).toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      code: 'idempotency_key_in_use',
    });
    expect(request.runs).toBe(1);
  });

  it('answers 409 idempotency_error to a retry while the first request with the key still runs', async () => {
    const key = randomUUID();
    const first: { finish?: () => void } = {};
    const running = idempotent(gateway, key, {}, async () => {
      await new Promise<void>((resolve) => (first.finish = resolve));
      return { status: 200, body: { done: true } };
    });
    // The key is claimed before the request runs.
    const finish = await waitFor(() => first.finish, { what: 'the first request to run' });
    expect(await stripeError(idempotent(gateway, key, {}, counting().run))).toMatchObject({
      status: 409,
      type: 'idempotency_error',
      code: 'idempotency_key_in_use',
    });
    finish();
    expect(await running).toMatchObject({ status: 200, body: { done: true } });
    expect(await idempotent(gateway, key, {}, counting().run)).toEqual({
      status: 200,
      body: { done: true },
    });
  });

  it('gives the key back when the request fails unexpectedly, so a retry runs it', async () => {
    const key = randomUUID();
    await expect(
      idempotent(gateway, key, {}, () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    const rows = await database.db
      .select()
      .from(gatewayIdempotency)
      .where(eq(gatewayIdempotency.key, key));
    expect(rows).toEqual([]);
    const request = counting();
    expect(await idempotent(gateway, key, {}, request.run)).toMatchObject({ body: { run: 1 } });
    expect(request.runs).toBe(1);
  });

  it('replays the answer a request stored with its own changes (stored), not a second copy', async () => {
    const key = randomUUID();
    const answer = { status: 200, body: { written: 'with the request' } };
    await idempotent(gateway, key, {}, async () => {
      await database.db.execute(storeAnswerSql(key, answer));
      return { status: 200, body: { returned: 'not stored again' }, stored: true };
    });
    expect(await idempotent(gateway, key, {}, counting().run)).toEqual(answer);
  });

  it('runs a request without a key every time', async () => {
    const request = counting();
    await idempotent(gateway, undefined, {}, request.run);
    await idempotent(gateway, undefined, {}, request.run);
    expect(request.runs).toBe(2);
  });
});

import { eq, sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/client.js';
import { createGatewayState, type GatewayState } from '../src/gateway/gateway.state.js';
import { gatewayEvents, gatewayIntents } from '../src/gateway/gateway.table.js';
import {
  confirmIntent,
  createIntent,
  loadIntent,
  searchIntents,
  settleDue,
} from '../src/gateway/intents.js';
import { createRefund } from '../src/gateway/refunds.js';
import { StripeError } from '../src/gateway/stripe-objects.js';
import { OffsetClock } from '../src/shared/clock.js';
import { dropTestDatabase, openTestDatabase } from './helpers/test-app.js';

// The gateway's intents and refunds on their own: no HTTP, no delivery loop, a real database
// with the gateway's schema, and a clock the test moves.

let database: Database;
let url: string | undefined;
let gateway: GatewayState;
const clock = new OffsetClock();

beforeAll(async () => {
  ({ database, url } = await openTestDatabase());
  gateway = createGatewayState({
    db: database.db,
    clock,
    logger: pino({ level: 'silent' }),
    webhookUrl: 'http://127.0.0.1:9/unused',
    webhookSecret: 'whsec_intents_test',
    settleAfterMs: 60_000,
  });
});

afterAll(async () => {
  await database.close();
  await dropTestDatabase(url);
});

type IntentBody = { id: string; status: string; amount: number; amount_received: number };

/** A new intent with `metadata[tag]` set, so each test finds its own rows. */
async function newIntent(amount = '1000', extra: Record<string, string> = {}) {
  const answer = await createIntent(gateway, { amount, currency: 'usd', ...extra });
  return loadIntent(gateway, (answer.body as IntentBody).id);
}

/** The types of the events stored for an intent, sorted. */
const eventsOf = async (intentId: string) =>
  (
    await database.db
      .select({ type: gatewayEvents.type })
      .from(gatewayEvents)
      .where(sql`${gatewayEvents.payload}->'data'->'object'->>'id' = ${intentId}`)
  )
    .map((e) => e.type)
    .sort();

const intentCount = async () =>
  (await database.db.select({ n: sql<number>`count(*)::int` }).from(gatewayIntents))[0]!.n;

/** The Stripe error a call throws, or undefined. */
const stripeError = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => {
      if (error instanceof StripeError) return { status: error.status, ...error.body };
      throw error;
    },
  );

describe('the gateway intents, on their own', () => {
  it('creates an intent with its amount and currency, awaiting a payment method', async () => {
    const answer = await createIntent(gateway, { amount: '1250', currency: 'eur' });
    expect(answer.status).toBe(200);
    const body = answer.body as IntentBody & { currency: string };
    expect(body).toMatchObject({
      object: 'payment_intent',
      amount: 1250,
      currency: 'eur',
      status: 'requires_payment_method',
      amount_received: 0,
    });
    const row = await loadIntent(gateway, body.id);
    expect(row).toMatchObject({ amount: 1250, currency: 'eur', amountRefunded: 0 });
  });

  it('refuses an amount that is not a positive integer, or a bad currency, with 400 and writes nothing', async () => {
    const before = await intentCount();
    for (const amount of ['0', '-5', '12.5', 'abc', undefined]) {
      expect(await stripeError(createIntent(gateway, { amount, currency: 'usd' }))).toMatchObject({
        status: 400,
        type: 'invalid_request_error',
        code: 'parameter_invalid',
        param: 'amount',
      });
    }
    for (const currency of ['USD', 'us', undefined]) {
      expect(await stripeError(createIntent(gateway, { amount: '100', currency }))).toMatchObject({
        status: 400,
        param: 'currency',
      });
    }
    expect(await intentCount()).toBe(before);
  });

  it('succeeds with pm_card_visa: amount received, and a payment_intent.succeeded event stored', async () => {
    const intent = await newIntent('900');
    const answer = await confirmIntent(gateway, intent, 'pm_card_visa');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'succeeded', amount_received: 900 });
    expect((await loadIntent(gateway, intent.id)).status).toBe('succeeded');
    expect(await eventsOf(intent.id)).toEqual(['payment_intent.succeeded']);
  });

  it('declines pm_card_chargeDeclined and pm_card_chargeDeclinedInsufficientFunds with 402 card_declined and their decline codes', async () => {
    for (const [method, decline] of [
      ['pm_card_chargeDeclined', 'generic_decline'],
      ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds'],
    ] as const) {
      const intent = await newIntent();
      const answer = await confirmIntent(gateway, intent, method);
      expect(answer.status).toBe(402);
      expect(answer.body).toMatchObject({
        error: {
          type: 'card_error',
          code: 'card_declined',
          decline_code: decline,
          payment_intent: { id: intent.id, status: 'requires_payment_method' },
        },
      });
      const row = await loadIntent(gateway, intent.id);
      expect(row.lastError).toMatchObject({ code: 'card_declined', decline_code: decline });
      expect(await eventsOf(intent.id)).toEqual(['payment_intent.payment_failed']);
    }
  });

  it('refuses an unknown payment method with 400 resource_missing, leaving the intent as it was', async () => {
    const intent = await newIntent();
    expect(await stripeError(confirmIntent(gateway, intent, 'pm_nope'))).toMatchObject({
      status: 400,
      code: 'resource_missing',
      param: 'payment_method',
    });
    expect((await loadIntent(gateway, intent.id)).status).toBe('requires_payment_method');
  });

  it('refuses to confirm an intent that already succeeded with payment_intent_unexpected_state', async () => {
    const intent = await newIntent();
    await confirmIntent(gateway, intent, 'pm_card_visa');
    const again = await loadIntent(gateway, intent.id);
    expect(await stripeError(confirmIntent(gateway, again, 'pm_card_visa'))).toMatchObject({
      status: 400,
      code: 'payment_intent_unexpected_state',
    });
  });

  it('keeps pm_card_processing processing until its settle time, then settles it with its event', async () => {
    const intent = await newIntent();
    const answer = await confirmIntent(gateway, intent, 'pm_card_processing');
    expect(answer.body).toMatchObject({ status: 'processing', amount_received: 0 });
    const row = await loadIntent(gateway, intent.id);
    expect(row.settleAt!.getTime() - clock.now().getTime()).toBeGreaterThan(55_000);
    // The loop is told when to scan for it.
    expect(gateway.schedule.settleTimes).toContain(row.settleAt!.getTime());
    await settleDue(gateway);
    expect((await loadIntent(gateway, intent.id)).status).toBe('processing');
    expect(await eventsOf(intent.id)).toEqual([]);
    clock.advance(60_000);
    expect(await settleDue(gateway)).toBeGreaterThanOrEqual(1);
    expect(await loadIntent(gateway, intent.id)).toMatchObject({
      status: 'succeeded',
      settleAt: null,
    });
    expect(await eventsOf(intent.id)).toEqual(['payment_intent.succeeded']);
  });

  it('creates and confirms at once (confirm=true): written in its final state with its event', async () => {
    const answer = await createIntent(gateway, {
      amount: '700',
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: 'true',
    });
    const body = answer.body as IntentBody;
    expect(body).toMatchObject({ status: 'succeeded', amount_received: 700 });
    expect((await loadIntent(gateway, body.id)).status).toBe('succeeded');
    expect(await eventsOf(body.id)).toEqual(['payment_intent.succeeded']);
  });

  it('finds intents by one metadata value, newest first', async () => {
    const tag = `search_${Date.now()}`;
    const older = await newIntent('100', { 'metadata[tag]': tag });
    clock.advance(1_000);
    const newer = await newIntent('200', { 'metadata[tag]': tag });
    await newIntent('300', { 'metadata[tag]': `${tag}x` });
    const found = await searchIntents(gateway, { key: 'tag', value: tag }, 10);
    expect(found.rows.map((r) => r.id)).toEqual([newer.id, older.id]);
    expect(found.hasMore).toBe(false);
    expect((await searchIntents(gateway, { key: 'tag', value: tag }, 1)).hasMore).toBe(true);
  });

  it('refunds in part and then the rest, never more than was paid, each with a charge.refunded event', async () => {
    const intent = await newIntent('1000');
    await confirmIntent(gateway, intent, 'pm_card_visa');
    const form = (amount?: string) => ({ payment_intent: intent.id, amount });
    expect((await createRefund(gateway, form('400'))).body).toMatchObject({ amount: 400 });
    expect(await stripeError(createRefund(gateway, form('700')))).toMatchObject({
      status: 400,
      code: 'amount_too_large',
    });
    expect((await createRefund(gateway, form())).body).toMatchObject({ amount: 600 });
    expect(await stripeError(createRefund(gateway, form()))).toMatchObject({
      code: 'charge_already_refunded',
    });
    const [row] = await database.db
      .select()
      .from(gatewayIntents)
      .where(eq(gatewayIntents.id, intent.id));
    expect(row!.amountRefunded).toBe(1000);
    expect(await eventsOf(intent.id)).toEqual([
      'charge.refunded',
      'charge.refunded',
      'payment_intent.succeeded',
    ]);
  });

  it('lets only one of two refunds made at once that together exceed the charge through', async () => {
    const intent = await newIntent('1000');
    await confirmIntent(gateway, intent, 'pm_card_visa');
    const refund = () =>
      stripeError(createRefund(gateway, { payment_intent: intent.id, amount: '600' }));
    const outcomes = await Promise.all([refund(), refund()]);
    expect(outcomes.filter((o) => o === undefined)).toHaveLength(1);
    expect(outcomes.find((o) => o !== undefined)).toMatchObject({ code: 'amount_too_large' });
    expect((await loadIntent(gateway, intent.id)).amountRefunded).toBe(600);
  });

  it('refuses to refund an intent that has not succeeded with charge_not_succeeded', async () => {
    const intent = await newIntent();
    expect(await stripeError(createRefund(gateway, { payment_intent: intent.id }))).toMatchObject({
      status: 400,
      code: 'charge_not_succeeded',
    });
  });
});

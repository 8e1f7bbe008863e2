import { pino } from 'pino';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../src/gateway/gateway.js';
import { systemClock } from '../src/shared/clock.js';
import { waitFor } from './helpers/wait.js';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver.js';
import { openTestDatabase, dropTestDatabase } from './helpers/test-app.js';
import type { Database } from '../src/db/client.js';

// The built-in gateway as a whole, driven by the official Stripe SDK, with a webhook
// receiver that can refuse deliveries: what a real provider integration would meet. Its parts
// are tested on their own in gateway-intents, gateway-idempotency, gateway-delivery and
// gateway-background.

const SECRET = 'whsec_gateway_test_0123456789abcdef';

let database: Database;
let url: string | undefined;
let gateway: RunningGateway;
let receiver: WebhookReceiver;
let stripe: Stripe;
let deliveries: WebhookReceiver['deliveries'];
let refuseFirst: WebhookReceiver['refuseFirst'];

beforeAll(async () => {
  ({ database, url } = await openTestDatabase());
  receiver = await startWebhookReceiver(SECRET);
  ({ deliveries, refuseFirst } = receiver);
  gateway = await startGateway({
    db: database.db,
    port: 0,
    webhookUrl: receiver.url,
    webhookSecret: SECRET,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    settleAfterMs: 200,
    tickMs: 50,
  });
  const base = new URL(gateway.url);
  stripe = new Stripe('sk_test_gateway', {
    host: base.hostname,
    port: Number(base.port),
    protocol: 'http',
    maxNetworkRetries: 0,
  });
});

afterAll(async () => {
  await gateway.close();
  await receiver.close();
  await database.close();
  await dropTestDatabase(url);
});

const create = (metadata: Record<string, string> = {}, amount = 1000) =>
  stripe.paymentIntents.create({ amount, currency: 'usd', metadata });

describe('the built-in gateway, through the Stripe SDK', () => {
  it('succeeds with pm_card_visa and sends a signed payment_intent.succeeded', async () => {
    const intent = await create();
    const confirmed = await stripe.paymentIntents.confirm(intent.id, {
      payment_method: 'pm_card_visa',
    });
    expect(confirmed.status).toBe('succeeded');
    await waitFor(
      () => deliveries.some((d) => d.intent === intent.id && d.type === 'payment_intent.succeeded'),
      { what: 'webhook' },
    );
  });

  it('declines with Stripe card errors carrying the decline code', async () => {
    for (const [method, decline] of [
      ['pm_card_chargeDeclined', 'generic_decline'],
      ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds'],
    ] as const) {
      const intent = await create();
      const error = await stripe.paymentIntents
        .confirm(intent.id, { payment_method: method })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
      expect((error as Stripe.errors.StripeCardError).code).toBe('card_declined');
      expect((error as Stripe.errors.StripeCardError).decline_code).toBe(decline);
    }
  });

  it('keeps pm_card_processing processing, then succeeds a moment later', async () => {
    const intent = await create();
    const confirmed = await stripe.paymentIntents.confirm(intent.id, {
      payment_method: 'pm_card_processing',
    });
    expect(confirmed.status).toBe('processing');
    await waitFor(
      async () => (await stripe.paymentIntents.retrieve(intent.id)).status === 'succeeded',
      { what: 'settled' },
    );
  });

  it('replays an Idempotency-Key and refuses it with other parameters', async () => {
    const key = `idem-${Date.now()}`;
    const first = await stripe.paymentIntents.create(
      { amount: 500, currency: 'usd' },
      { idempotencyKey: key },
    );
    const again = await stripe.paymentIntents.create(
      { amount: 500, currency: 'usd' },
      { idempotencyKey: key },
    );
    expect(again.id).toBe(first.id);
    const other = await stripe.paymentIntents
      .create({ amount: 501, currency: 'usd' }, { idempotencyKey: key })
      .catch((e: unknown) => e);
    expect(other).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  });

  it('creates and confirms in one request (confirm=true); a decline is replayed for its key, not charged again', async () => {
    const paid = await stripe.paymentIntents.create(
      { amount: 700, currency: 'usd', payment_method: 'pm_card_visa', confirm: true },
      { idempotencyKey: `one-call-${Date.now()}` },
    );
    expect(paid.status).toBe('succeeded');
    await waitFor(
      () => deliveries.some((d) => d.intent === paid.id && d.type === 'payment_intent.succeeded'),
      { what: 'webhook' },
    );
    const key = `one-call-declined-${Date.now()}`;
    const decline = () =>
      stripe.paymentIntents
        .create(
          { amount: 700, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true },
          { idempotencyKey: key },
        )
        .then(
          () => undefined,
          (e: unknown) => e as Stripe.errors.StripeCardError,
        );
    const [first, again] = [await decline(), await decline()];
    expect(first).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(first?.decline_code).toBe('generic_decline');
    expect(again?.payment_intent?.id).toBe(first?.payment_intent?.id);
    const unknown = await stripe.paymentIntents
      .create({ amount: 700, currency: 'usd', payment_method: 'pm_nope', confirm: true })
      .then(
        () => undefined,
        (e: unknown) => e as Stripe.errors.StripeInvalidRequestError,
      );
    expect(unknown).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(unknown?.code).toBe('resource_missing');
  });

  it('finds an intent by its metadata through search, at once', async () => {
    const tag = `pay_search_${Date.now()}`;
    const intent = await create({ payment_id: tag, order_id: "o'quote\\" });
    const found = await stripe.paymentIntents.search({
      query: `metadata['payment_id']:'${tag}'`,
    });
    expect(found.data.map((i) => i.id)).toEqual([intent.id]);
    const quoted = await stripe.paymentIntents.search({
      query: `metadata['order_id']:'o\\'quote\\\\'`,
    });
    expect(quoted.data.map((i) => i.id)).toEqual([intent.id]);
    const none = await stripe.paymentIntents.search({ query: `metadata['payment_id']:'${tag}x'` });
    expect(none.data).toEqual([]);
    const unsupported = await stripe.paymentIntents
      .search({ query: 'amount>100' })
      .catch((e: unknown) => e);
    expect(unsupported).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  });

  it('refunds in full or in part, never more than was paid', async () => {
    const intent = await create({}, 1000);
    await stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' });
    expect((await stripe.refunds.create({ payment_intent: intent.id, amount: 400 })).amount).toBe(
      400,
    );
    const tooMuch = await stripe.refunds
      .create({ payment_intent: intent.id, amount: 700 })
      .catch((e: unknown) => e);
    expect(tooMuch).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect((await stripe.refunds.create({ payment_intent: intent.id })).amount).toBe(600);
    expect((await stripe.paymentIntents.retrieve(intent.id)).amount_received).toBe(1000);
  });

  it('retries a refused webhook with backoff until it is acknowledged', async () => {
    const intent = await create();
    refuseFirst.set(intent.id, 2);
    await stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' });
    await waitFor(() => deliveries.some((d) => d.intent === intent.id), {
      what: 'delivery after two refusals',
      timeoutMs: 15_000,
    });
    expect(refuseFirst.get(intent.id)).toBe(0);
    expect(deliveries.filter((d) => d.intent === intent.id)).toHaveLength(1);
  });

  it('sends events twice on request, with the same event id', async () => {
    const intent = await create({ gateway_webhooks: 'duplicate' });
    await stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' });
    await waitFor(() => deliveries.filter((d) => d.intent === intent.id).length === 2, {
      what: 'two deliveries',
    });
    const [a, b] = deliveries.filter((d) => d.intent === intent.id);
    expect(a!.id).toBe(b!.id);
  });

  it('sends events late on request, so they arrive out of order', async () => {
    const late = await create({ gateway_webhook_delay_ms: '1500' });
    const prompt = await create();
    await stripe.paymentIntents.confirm(late.id, { payment_method: 'pm_card_visa' });
    await stripe.paymentIntents.confirm(prompt.id, { payment_method: 'pm_card_visa' });
    await waitFor(() => deliveries.some((d) => d.intent === late.id), {
      what: 'late delivery',
      timeoutMs: 10_000,
    });
    const order = deliveries
      .filter((d) => d.intent === late.id || d.intent === prompt.id)
      .map((d) => d.intent);
    expect(order).toEqual([prompt.id, late.id]);
  });
});

import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/client.js';
import { createGatewayState, type GatewayState } from '../src/gateway/gateway.state.js';
import { gatewayEvents } from '../src/gateway/gateway.table.js';
import { newId, type Intent } from '../src/gateway/stripe-objects.js';
import { deliverDue } from '../src/gateway/webhook-delivery.js';
import { eventRows, storeEvents } from '../src/gateway/webhook-events.js';
import type { Clock } from '../src/shared/clock.js';
import { dropTestDatabase, openTestDatabase } from './helpers/test-app.js';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver.js';

// Webhook delivery on its own: events stored for made-up intents, sent by `deliverDue` (no
// loop) to a receiver that verifies them with the Stripe SDK, with a clock the test moves.

const SECRET = 'whsec_delivery_test_0123456789abcdef';

/** Real time, moved by the test, and one millisecond later on every read. */
class TickingClock implements Clock {
  #offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + ++this.#offsetMs);
  }
  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}
const clock = new TickingClock();

let database: Database;
let url: string | undefined;
let receiver: WebhookReceiver;
let gateway: GatewayState;

const stateWith = (webhookSecret: string) =>
  createGatewayState({
    db: database.db,
    clock,
    logger: pino({ level: 'silent' }),
    webhookUrl: receiver.url,
    webhookSecret,
  });

beforeAll(async () => {
  ({ database, url } = await openTestDatabase());
  receiver = await startWebhookReceiver(SECRET);
  gateway = stateWith(SECRET);
});

beforeEach(async () => {
  await database.db.delete(gatewayEvents);
  receiver.deliveries.length = 0;
  receiver.unverified.length = 0;
});

afterAll(async () => {
  await receiver.close();
  await database.close();
  await dropTestDatabase(url);
});

const intent = (metadata: Record<string, string> = {}): Intent => ({
  id: newId('pi'),
  amount: 1000,
  amountRefunded: 0,
  currency: 'usd',
  status: 'succeeded',
  paymentMethod: 'pm_card_visa',
  lastError: null,
  metadata,
  settleAt: null,
  createdAt: clock.now(),
});

/** Stores an intent's payment_intent.succeeded event(s); the intent's id. */
async function succeeded(metadata: Record<string, string> = {}) {
  const row = intent(metadata);
  await storeEvents(gateway, eventRows(gateway, row, 'payment_intent.succeeded'));
  return row.id;
}

const storedEvents = () => database.db.select().from(gatewayEvents).orderBy(gatewayEvents.id);

describe('the gateway webhook delivery, on its own', () => {
  it("signs each event with Stripe's scheme, which stripe.webhooks.constructEvent verifies", async () => {
    const id = await succeeded();
    await deliverDue(gateway);
    expect(receiver.deliveries).toMatchObject([{ intent: id, type: 'payment_intent.succeeded' }]);
    expect(receiver.unverified).toEqual([]);

    // The same event signed with another secret is refused by the SDK's check.
    const other = await succeeded();
    await deliverDue(stateWith('whsec_someone_else'));
    expect(receiver.deliveries.map((d) => d.intent)).toEqual([id]);
    expect(receiver.unverified).toHaveLength(1);
    expect(receiver.unverified[0]).toContain(other);
  });

  it('retries a refused event after 1 s, then 2 s, until it is acknowledged, then marks it delivered', async () => {
    const id = await succeeded();
    receiver.refuseFirst.set(id, 2);
    /** A delivery run, and when the event was put off to, relative to the run. */
    const refusedRun = async () => {
      const before = clock.now().getTime();
      await deliverDue(gateway);
      const after = clock.now().getTime();
      const [event] = await storedEvents();
      const next = event!.nextAttemptAt.getTime();
      expect(event!.deliveredAt).toBeNull();
      return { attempts: event!.attempts, from: next - after, to: next - before };
    };

    const first = await refusedRun();
    expect(first.attempts).toBe(1);
    expect(first.from).toBeLessThanOrEqual(1_000);
    expect(first.to).toBeGreaterThanOrEqual(1_000);
    expect(await deliverDue(gateway)).toBe(0); // not due yet

    clock.advance(1_000);
    const second = await refusedRun();
    expect(second.attempts).toBe(2);
    expect(second.from).toBeLessThanOrEqual(2_000);
    expect(second.to).toBeGreaterThanOrEqual(2_000);
    clock.advance(1_000);
    expect(await deliverDue(gateway)).toBe(0);

    clock.advance(1_000);
    await deliverDue(gateway);
    expect(receiver.refuseFirst.get(id)).toBe(0);
    expect(receiver.deliveries.map((d) => d.intent)).toEqual([id]);
    const [event] = await storedEvents();
    expect(event!.attempts).toBe(3);
    expect(event!.deliveredAt).not.toBeNull();
    // Out of the due range for good: nothing is sent again.
    expect(event!.nextAttemptAt.getUTCFullYear()).toBe(9999);
    clock.advance(3_600_000);
    expect(await deliverDue(gateway)).toBe(0);
  });

  it('marks the acknowledged events of a run delivered together, in one statement', async () => {
    for (let i = 0; i < 3; i++) await succeeded();
    expect(await deliverDue(gateway)).toBe(3);
    const events = await storedEvents();
    expect(events.map((e) => e.attempts)).toEqual([1, 1, 1]);
    // Every read of this clock is a new millisecond: one delivered_at means one update.
    expect(new Set(events.map((e) => e.deliveredAt?.getTime())).size).toBe(1);
    expect(events[0]!.deliveredAt).not.toBeNull();
  });

  it('sends an event twice with the same event id when the intent asks for duplicates', async () => {
    const id = await succeeded({ gateway_webhooks: 'duplicate' });
    await deliverDue(gateway);
    const received = receiver.deliveries.filter((d) => d.intent === id);
    expect(received).toHaveLength(2);
    expect(received[0]!.id).toBe(received[1]!.id);
  });

  it('holds an event back when the intent asks for a delay, so a later one arrives first', async () => {
    const late = await succeeded({ gateway_webhook_delay_ms: '1500' });
    const prompt = await succeeded();
    await deliverDue(gateway);
    expect(receiver.deliveries.map((d) => d.intent)).toEqual([prompt]);
    clock.advance(1_500);
    await deliverDue(gateway);
    expect(receiver.deliveries.map((d) => d.intent)).toEqual([prompt, late]);
  });

  it('stores no event when the intent asks for none', async () => {
    await succeeded({ gateway_webhooks: 'none' });
    expect(await storedEvents()).toEqual([]);
  });

  it('sends each event once when two gateway processes deliver at the same time', async () => {
    const ids = [await succeeded(), await succeeded(), await succeeded()];
    const counts = await Promise.all([deliverDue(gateway), deliverDue(stateWith(SECRET))]);
    expect(counts[0] + counts[1]).toBe(3);
    expect(receiver.deliveries.map((d) => d.intent).sort()).toEqual(ids.sort());
  });
});

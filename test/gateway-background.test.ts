import { eq, sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/client.js';
import { runBackground, runOnce, stopBackground } from '../src/gateway/background.js';
import { createGatewayState, dueAt, settlesAt } from '../src/gateway/gateway.state.js';
import { gatewayEvents, gatewayIntents } from '../src/gateway/gateway.table.js';
import { newId, type Intent } from '../src/gateway/stripe-objects.js';
import { eventRows, storeEvents } from '../src/gateway/webhook-events.js';
import { systemClock } from '../src/shared/clock.js';
import { dropTestDatabase, openTestDatabase } from './helpers/test-app.js';
import { waitFor } from './helpers/wait.js';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver.js';

// The loop that settles and delivers, on its own: when it scans, how long it sleeps, and that
// new work wakes it.

const SECRET = 'whsec_background_test_0123456789abcdef';

let database: Database;
let url: string | undefined;
let receiver: WebhookReceiver;

const stateWith = (tickMs: number) =>
  createGatewayState({
    db: database.db,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    webhookUrl: receiver.url,
    webhookSecret: SECRET,
    tickMs,
  });

beforeAll(async () => {
  ({ database, url } = await openTestDatabase());
  receiver = await startWebhookReceiver(SECRET);
});

afterAll(async () => {
  await receiver.close();
  await database.close();
  await dropTestDatabase(url);
});

/** A processing intent already due to settle, written as another gateway process would. */
async function dueIntent(): Promise<Intent> {
  const [row] = await database.db
    .insert(gatewayIntents)
    .values({
      id: newId('pi'),
      amount: 1000,
      currency: 'usd',
      status: 'processing',
      paymentMethod: 'pm_card_processing',
      metadata: { gateway_webhooks: 'none' },
      settleAt: new Date(Date.now() - 1_000),
      createdAt: new Date(),
    })
    .returning();
  return row!;
}

const statusOf = async (intent: Intent) =>
  (
    await database.db
      .select({ status: gatewayIntents.status })
      .from(gatewayIntents)
      .where(eq(gatewayIntents.id, intent.id))
  )[0]!.status;

describe('the gateway background loop, on its own', () => {
  it('scans for payments to settle only when one of its own is due, or once per idle sweep', async () => {
    // An idle sweep once a minute, so none comes round during the test.
    const gateway = stateWith(60_000);
    const first = await dueIntent();
    await runOnce(gateway); // the first run sweeps
    expect(await statusOf(first)).toBe('succeeded');

    const other = await dueIntent();
    await runOnce(gateway);
    expect(await statusOf(other)).toBe('processing');

    settlesAt(gateway, new Date(Date.now() - 1));
    await runOnce(gateway);
    expect(await statusOf(other)).toBe('succeeded');
    expect(gateway.schedule.settleTimes).toEqual([]);
  });

  it('sleeps tickMs while busy, until the next due moment when idle, and at most the idle tick', async () => {
    const gateway = stateWith(50);
    await runOnce(gateway); // the first sweep
    expect(await runOnce(gateway)).toBe(2_000);

    dueAt(gateway, new Date(Date.now() + 500));
    const untilDue = await runOnce(gateway);
    expect(untilDue).toBeGreaterThanOrEqual(50);
    expect(untilDue).toBeLessThanOrEqual(500);

    const intent = { ...(await dueIntent()), metadata: {} };
    await storeEvents(gateway, eventRows(gateway, intent, 'payment_intent.succeeded'));
    expect(await runOnce(gateway)).toBe(50);
    await waitFor(() => receiver.deliveries.some((d) => d.intent === intent.id));
  });

  it('wakes from its idle sleep for an event written meanwhile, and stops when told', async () => {
    // Without a wake-up, this loop would sleep 30 s between runs.
    const gateway = stateWith(30_000);
    const running = runBackground(gateway);
    await waitFor(() => gateway.schedule.wake, { what: 'the loop to sleep' });
    const intent = { ...(await dueIntent()), metadata: {} };
    await storeEvents(gateway, eventRows(gateway, intent, 'payment_intent.succeeded'));
    await waitFor(() => receiver.deliveries.some((d) => d.intent === intent.id), {
      what: 'the delivery',
      timeoutMs: 10_000,
    });
    stopBackground(gateway);
    await running;
    const [event] = await database.db
      .select({ deliveredAt: gatewayEvents.deliveredAt })
      .from(gatewayEvents)
      .where(sql`${gatewayEvents.payload}->'data'->'object'->>'id' = ${intent.id}`);
    expect(event!.deliveredAt).not.toBeNull();
    expect(gateway.schedule.stopped).toBe(true);
  });
});

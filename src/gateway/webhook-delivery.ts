import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { signWebhook } from '../shared/webhook-signature.js';
import { dueAt, type GatewayState } from './gateway.state.js';
import { gatewayEvents } from './gateway.table.js';

/**
 * A delivered event's `next_attempt_at`: past every due time, so the due-events index holds
 * only what is still to send, and the delivery query never walks the delivered history.
 */
const DELIVERED = new Date('9999-12-31T00:00:00Z');

/** How long a claimed event is kept from other gateway processes while it is sent. */
const CLAIM_MS = 30_000;

/** The wait before the next attempt after `attempts` failed ones: 1 s, 2 s, 4 s, … at most 1 h. */
export const retryDelayMs = (attempts: number) => Math.min(2 ** attempts * 500, 3_600_000);

/**
 * Posts one event, signed the way Stripe signs (`Stripe-Signature: t=…,v1=…`); true when the
 * receiver acknowledged it with a 2xx.
 */
async function post(gateway: GatewayState, payload: unknown): Promise<boolean> {
  const body = JSON.stringify(payload);
  try {
    const timestamp = Math.floor(gateway.clock.now().getTime() / 1000);
    const response = await fetch(gateway.webhookUrl(), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': signWebhook(gateway.webhookSecret, body, timestamp),
      },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    await response.arrayBuffer(); // read to the end, so the connection is reused
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Sends the events that are due, up to 20 at a time: an acknowledged one is marked delivered,
 * a refused or failed one is tried again after its backoff, with no limit on attempts.
 * Returns how many it sent.
 */
export async function deliverDue(gateway: GatewayState): Promise<number> {
  const { db, clock } = gateway;
  const now = clock.now();
  // Claimed for CLAIM_MS, so two gateway processes never send the same event at once.
  const due = await db
    .update(gatewayEvents)
    .set({ nextAttemptAt: new Date(now.getTime() + CLAIM_MS) })
    .where(
      sql`${gatewayEvents.id} in (select id from gateway.events where delivered_at is null and next_attempt_at <= ${now} order by created_at limit 20 for update skip locked)`,
    )
    .returning();
  const delivered: string[] = [];
  await Promise.all(
    due.map(async (event) => {
      if (await post(gateway, event.payload)) {
        delivered.push(event.id);
        return;
      }
      const attempts = event.attempts + 1;
      const retryAt = new Date(clock.now().getTime() + retryDelayMs(attempts));
      await db
        .update(gatewayEvents)
        .set({ attempts, nextAttemptAt: retryAt })
        .where(and(eq(gatewayEvents.id, event.id), isNull(gatewayEvents.deliveredAt)));
      dueAt(gateway, retryAt);
    }),
  );
  // The acknowledged ones marked delivered together: one statement per run, not per event.
  if (delivered.length > 0) {
    await db
      .update(gatewayEvents)
      .set({
        attempts: sql`${gatewayEvents.attempts} + 1`,
        deliveredAt: clock.now(),
        nextAttemptAt: DELIVERED,
      })
      .where(and(inArray(gatewayEvents.id, delivered), isNull(gatewayEvents.deliveredAt)));
  }
  return due.length;
}

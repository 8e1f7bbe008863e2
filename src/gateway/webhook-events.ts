import { sql, type SQL } from 'drizzle-orm';
import { dueAt, type GatewayState } from './gateway.state.js';
import { gatewayEvents } from './gateway.table.js';
import { intentObject, newId, type Intent } from './stripe-objects.js';

export type EventRow = typeof gatewayEvents.$inferInsert & { nextAttemptAt: Date; createdAt: Date };

/**
 * An intent's event as rows to store, in Stripe's event shape. The intent's metadata can ask
 * for it twice with the same event id (`gateway_webhooks=duplicate`), late
 * (`gateway_webhook_delay_ms`, so it arrives after later ones), or not at all
 * (`gateway_webhooks=none`), for tests.
 */
export function eventRows(
  gateway: GatewayState,
  intent: Intent,
  type: string,
  extra: Record<string, unknown> = {},
): EventRow[] {
  return objectEventRows(gateway, intent.metadata, type, { ...intentObject(intent), ...extra });
}

/**
 * An event about any object (a checkout session), as rows to store; `modes` is the metadata
 * whose `gateway_webhooks` and `gateway_webhook_delay_ms` ask for duplicates, delays or none.
 */
export function objectEventRows(
  gateway: GatewayState,
  modes: Record<string, string>,
  type: string,
  object: Record<string, unknown>,
): EventRow[] {
  const mode = modes.gateway_webhooks;
  if (mode === 'none') return [];
  const delay = Number(modes.gateway_webhook_delay_ms ?? 0) || 0;
  const now = gateway.clock.now();
  const event = {
    id: newId('evt'),
    object: 'event',
    type,
    created: Math.floor(now.getTime() / 1000),
    data: { object },
    livemode: false,
  };
  return Array.from({ length: mode === 'duplicate' ? 2 : 1 }, (_, i) => ({
    id: `${event.id}.${i}`,
    type,
    payload: event,
    nextAttemptAt: new Date(now.getTime() + delay),
    createdAt: now,
  }));
}

/** Wakes the delivery loop for events just written. */
export function eventsWritten(gateway: GatewayState, events: EventRow[]): void {
  if (events.length > 0) dueAt(gateway, events[0]!.nextAttemptAt);
}

/** Stores events on their own (a settle, a refund, a confirmation) and wakes the loop. */
export async function storeEvents(gateway: GatewayState, events: EventRow[]): Promise<void> {
  if (events.length > 0) await gateway.db.insert(gatewayEvents).values(events);
  eventsWritten(gateway, events);
}

/**
 * An event's insert as a CTE named `name`, for a statement that writes it together with what
 * it reports (a new intent); the caller calls `eventsWritten` once it ran.
 */
export function eventInsertCte(name: string, event: EventRow): SQL {
  return sql`${sql.raw(name)} as (insert into gateway.events
      (id, type, payload, next_attempt_at, created_at)
    values (${event.id}, ${event.type}, ${JSON.stringify(event.payload)}::jsonb,
      ${event.nextAttemptAt.toISOString()}::timestamptz, ${event.createdAt.toISOString()}::timestamptz))`;
}

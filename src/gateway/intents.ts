import { and, desc, eq, inArray, lte, sql, type SQL } from 'drizzle-orm';
import { preparedRows } from '../db/client.js';
import { settlesAt, type GatewayState } from './gateway.state.js';
import { gatewayIntents } from './gateway.table.js';
import { storeAnswerSql, type KeyedAnswer } from './idempotency.js';
import {
  intentObject,
  invalid,
  metadataOf,
  newId,
  noSuchIntent,
  StripeError,
  type Answer,
  type CreateIntentForm,
  type Intent,
} from './stripe-objects.js';
import { eventInsertCte, eventRows, eventsWritten, storeEvents } from './webhook-events.js';

// Payment intents: created, confirmed with a test payment method that decides the outcome,
// settled later for `pm_card_processing`, found by metadata.

const TEST_METHODS: Record<string, { outcome: 'succeeded' | 'processing' } | { decline: string }> =
  {
    pm_card_visa: { outcome: 'succeeded' },
    pm_card_processing: { outcome: 'processing' },
    pm_card_chargeDeclined: { decline: 'generic_decline' },
    pm_card_chargeDeclinedInsufficientFunds: { decline: 'insufficient_funds' },
  };

type CardError = { code: string; decline_code: string; message: string };

/**
 * What confirming with `method` makes of an intent: its new fields, and for a decline the
 * card error. An unknown method is a 400 before anything is written.
 */
function confirmation(gateway: GatewayState, method: string | null | undefined, now: Date) {
  const behaviour = method ? TEST_METHODS[method] : undefined;
  if (!method || !behaviour) {
    throw invalid(`No such PaymentMethod: '${method ?? ''}'`, 'payment_method', 'resource_missing');
  }
  if ('decline' in behaviour) {
    const lastError: CardError = {
      code: 'card_declined',
      decline_code: behaviour.decline,
      message:
        behaviour.decline === 'insufficient_funds'
          ? 'Your card has insufficient funds.'
          : 'Your card was declined.',
    };
    return {
      changes: {
        status: 'requires_payment_method',
        paymentMethod: method,
        lastError,
        settleAt: null,
      },
      declined: lastError,
    };
  }
  const status = behaviour.outcome;
  const settleAt = status === 'processing' ? new Date(now.getTime() + gateway.settleAfterMs) : null;
  return {
    changes: { status, paymentMethod: method, lastError: null, settleAt },
    declined: undefined,
  };
}

/**
 * What confirming makes of an intent, once written: the event it sends (payment_failed for a
 * decline, succeeded for a success, none while it is processing) and its answer, 200 with the
 * intent, or for a decline 402 with the card error carrying it (a final answer for an
 * idempotency key too, so a retry gets the same 402).
 */
function confirmationOutcome(gateway: GatewayState, row: Intent, declined: CardError | undefined) {
  if (declined) {
    const body = { error: { type: 'card_error', ...declined, payment_intent: intentObject(row) } };
    return {
      events: eventRows(gateway, row, 'payment_intent.payment_failed'),
      answer: { status: 402, body } satisfies Answer,
    };
  }
  return {
    events: row.status === 'succeeded' ? eventRows(gateway, row, 'payment_intent.succeeded') : [],
    answer: { status: 200, body: intentObject(row) } satisfies Answer,
  };
}

/**
 * A new intent written in its final state with its events and, under an idempotency key,
 * the answer stored for the key: one prepared statement, so the intent, its webhook and the
 * replayable answer are written together or not at all.
 */
async function writeConfirmedIntent(
  gateway: GatewayState,
  row: Intent,
  events: ReturnType<typeof eventRows>,
  answer: { key: string; stored: Answer } | undefined,
) {
  const json = (value: unknown) => (value === null ? null : JSON.stringify(value));
  const parts: SQL[] = [
    sql`intent as (insert into gateway.payment_intents
          (id, amount, currency, status, payment_method, last_error, metadata, settle_at, created_at)
        values (${row.id}, ${row.amount}, ${row.currency}, ${row.status}, ${row.paymentMethod},
          ${json(row.lastError)}::jsonb, ${json(row.metadata)}::jsonb,
          ${row.settleAt?.toISOString() ?? null}::timestamptz, ${row.createdAt.toISOString()}::timestamptz))`,
    ...events.map((event, i) => eventInsertCte(`event${i}`, event)),
  ];
  const last = answer ? storeAnswerSql(answer.key, answer.stored) : sql`select 1`;
  await preparedRows(gateway.db, sql`with ${sql.join(parts, sql`, `)} ${last}`);
  eventsWritten(gateway, events);
}

export async function loadIntent(gateway: GatewayState, intentId: string): Promise<Intent> {
  const [row] = await gateway.db
    .select()
    .from(gatewayIntents)
    .where(eq(gatewayIntents.id, intentId));
  if (!row) throw noSuchIntent(intentId);
  return row;
}

/**
 * `POST /v1/payment_intents`. With `confirm=true` the intent is created confirmed: written
 * once in its final state, with its event and, under `key`, the key's answer, in one statement.
 */
export async function createIntent(
  gateway: GatewayState,
  form: CreateIntentForm,
  key?: string,
): Promise<KeyedAnswer> {
  const amount = Number(form.amount);
  if (!Number.isSafeInteger(amount) || amount < 1)
    throw invalid('Invalid integer: amount', 'amount');
  if (!/^[a-z]{3}$/.test(form.currency ?? '')) throw invalid('Invalid currency', 'currency');
  const now = gateway.clock.now();
  const fields = {
    id: newId('pi'),
    amount,
    amountRefunded: 0,
    currency: form.currency!,
    status: form.payment_method ? 'requires_confirmation' : 'requires_payment_method',
    paymentMethod: form.payment_method ?? null,
    lastError: null,
    metadata: metadataOf(form),
    settleAt: null,
    createdAt: now,
  } satisfies Intent;
  if (form.confirm !== 'true') {
    const [row] = await gateway.db.insert(gatewayIntents).values(fields).returning();
    return { status: 200, body: intentObject(row!) };
  }
  const { changes, declined } = confirmation(gateway, form.payment_method, now);
  const row: Intent = { ...fields, ...changes };
  const { events, answer } = confirmationOutcome(gateway, row, declined);
  await writeConfirmedIntent(gateway, row, events, key ? { key, stored: answer } : undefined);
  settlesAt(gateway, row.settleAt);
  return { ...answer, stored: Boolean(key) };
}

const CONFIRMABLE = ['requires_payment_method', 'requires_confirmation'];

const unexpectedState = (intent: Intent) =>
  new StripeError(400, {
    type: 'invalid_request_error',
    code: 'payment_intent_unexpected_state',
    message: `This PaymentIntent's status is ${intent.status}; it cannot be confirmed.`,
    payment_intent: intentObject(intent),
  });

/** `POST /v1/payment_intents/:id/confirm`, with the intent's own method unless another is given. */
export async function confirmIntent(
  gateway: GatewayState,
  intent: Intent,
  paymentMethod: string | undefined,
): Promise<Answer> {
  if (!CONFIRMABLE.includes(intent.status)) throw unexpectedState(intent);
  const method = paymentMethod ?? intent.paymentMethod;
  const { changes, declined } = confirmation(gateway, method, gateway.clock.now());
  // Only from a confirmable status: of two confirmations at once (a double-clicked Pay), one
  // charges and the other is told the intent's new status.
  const [row] = await gateway.db
    .update(gatewayIntents)
    .set(changes)
    .where(and(eq(gatewayIntents.id, intent.id), inArray(gatewayIntents.status, CONFIRMABLE)))
    .returning();
  if (!row) throw unexpectedState(await loadIntent(gateway, intent.id));
  settlesAt(gateway, row.settleAt);
  const { events, answer } = confirmationOutcome(gateway, row, declined);
  await storeEvents(gateway, events);
  return answer;
}

/**
 * Stripe's search for the one query Ordo makes, `metadata['key']:'value'`: the newest intents
 * first, up to `limit`, and whether there are more. Unlike Stripe's index, it sees an intent
 * as soon as it is written.
 */
export async function searchIntents(
  gateway: GatewayState,
  metadata: { key: string; value: string },
  limit: number,
): Promise<{ rows: Intent[]; hasMore: boolean }> {
  const rows = await gateway.db
    .select()
    .from(gatewayIntents)
    .where(
      sql`${gatewayIntents.metadata} @> ${JSON.stringify({ [metadata.key]: metadata.value })}::jsonb`,
    )
    .orderBy(desc(gatewayIntents.createdAt), desc(gatewayIntents.id))
    .limit(limit + 1);
  return { rows: rows.slice(0, limit), hasMore: rows.length > limit };
}

/** Processing intents whose time has come succeed, each with its event; how many did. */
export async function settleDue(gateway: GatewayState): Promise<number> {
  const due = await gateway.db
    .update(gatewayIntents)
    .set({ status: 'succeeded', settleAt: null })
    .where(
      and(
        eq(gatewayIntents.status, 'processing'),
        lte(gatewayIntents.settleAt, gateway.clock.now()),
      ),
    )
    .returning();
  for (const intent of due)
    await storeEvents(gateway, eventRows(gateway, intent, 'payment_intent.succeeded'));
  return due.length;
}

import { index, integer, jsonb, pgSchema, text } from 'drizzle-orm/pg-core';
import { at, createdAt, money } from '../db/columns.js';

/** The built-in gateway keeps its state apart from Ordo's, as a real provider would. */
export const gatewaySchema = pgSchema('gateway');

export const gatewayIntents = gatewaySchema.table('payment_intents', {
  id: text('id').primaryKey(),
  amount: money('amount').notNull(),
  amountRefunded: money('amount_refunded').notNull().default(0),
  currency: text('currency').notNull(),
  status: text('status').notNull(),
  paymentMethod: text('payment_method'),
  lastError: jsonb('last_error').$type<{
    code: string;
    decline_code?: string;
    message: string;
  } | null>(),
  metadata: jsonb('metadata').$type<Record<string, string>>().notNull(),
  /** `pm_card_processing`: when the payment settles. */
  settleAt: at('settle_at'),
  createdAt: createdAt(),
});

export const gatewayRefunds = gatewaySchema.table(
  'refunds',
  {
    id: text('id').primaryKey(),
    paymentIntentId: text('payment_intent_id').notNull(),
    amount: money('amount').notNull(),
    status: text('status').notNull(),
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index('gateway_refunds_intent_idx').on(t.paymentIntentId, t.createdAt)],
);

/**
 * Checkout sessions: a hosted payment page for an amount, as Stripe Checkout's (mode
 * `payment`). Each has its payment intent from the start (`requires_payment_method`), which
 * the page confirms with the test card typed in, again after a decline. No card data is
 * stored: the intent keeps only the test payment method the number stands for.
 */
export const gatewayCheckoutSessions = gatewaySchema.table(
  'checkout_sessions',
  {
    id: text('id').primaryKey(),
    amount: money('amount').notNull(),
    currency: text('currency').notNull(),
    /** What the page says is being paid for (the line item's name). */
    description: text('description').notNull(),
    /** `open`, then `complete` once paid (or processing); an open session past `expiresAt` is expired. */
    status: text('status').notNull(),
    paymentIntentId: text('payment_intent_id').notNull(),
    successUrl: text('success_url').notNull(),
    cancelUrl: text('cancel_url').notNull(),
    clientReferenceId: text('client_reference_id'),
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull(),
    expiresAt: at('expires_at').notNull(),
    completedAt: at('completed_at'),
    createdAt: createdAt(),
  },
  (t) => [index('gateway_checkout_sessions_intent_idx').on(t.paymentIntentId)],
);

/** Webhook events, delivered until acknowledged, with backoff. */
export const gatewayEvents = gatewaySchema.table(
  'events',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: at('next_attempt_at').notNull(),
    deliveredAt: at('delivered_at'),
    createdAt: createdAt(),
  },
  (t) => [index('gateway_events_due_idx').on(t.nextAttemptAt)],
);

/** Idempotency-Key → the stored response, per Stripe's semantics. */
export const gatewayIdempotency = gatewaySchema.table('idempotency', {
  key: text('key').primaryKey(),
  fingerprint: text('fingerprint').notNull(),
  status: integer('status').notNull(),
  body: jsonb('body').notNull(),
  createdAt: createdAt(),
});

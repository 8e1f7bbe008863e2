import { randomBytes } from 'node:crypto';
import type { gatewayCheckoutSessions, gatewayIntents, gatewayRefunds } from './gateway.table.js';

// Stripe's shapes, as the gateway's parts speak them: its ids, objects, errors and the
// form-encoded request bodies.

export type Intent = typeof gatewayIntents.$inferSelect;
export type Refund = typeof gatewayRefunds.$inferSelect;
export type Session = typeof gatewayCheckoutSessions.$inferSelect;

/** An answer a request ends with, as it is sent and as an idempotency key stores it. */
export interface Answer {
  status: number;
  body: unknown;
}

export const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

/** Stripe's payment intent object. */
export function intentObject(row: Intent) {
  return {
    id: row.id,
    object: 'payment_intent',
    amount: row.amount,
    amount_received: row.status === 'succeeded' ? row.amount : 0,
    currency: row.currency,
    status: row.status,
    payment_method: row.paymentMethod,
    last_payment_error: row.lastError
      ? { type: 'card_error', ...row.lastError, payment_method: { id: row.paymentMethod } }
      : null,
    metadata: row.metadata,
    latest_charge: row.status === 'succeeded' ? `ch_${row.id.slice(3)}` : null,
    amount_refunded: row.amountRefunded,
    created: Math.floor(row.createdAt.getTime() / 1000),
    livemode: false,
  };
}

/** Stripe's refund object. */
export function refundObject(row: Refund, currency: string) {
  return {
    id: row.id,
    object: 'refund',
    amount: row.amount,
    currency,
    payment_intent: row.paymentIntentId,
    status: row.status,
    metadata: row.metadata,
    created: Math.floor(row.createdAt.getTime() / 1000),
  };
}

/** A session's status as Stripe reports it: an open session past its deadline is expired. */
export function sessionStatus(row: Session, now: Date): 'open' | 'complete' | 'expired' {
  if (row.status === 'complete') return 'complete';
  return row.status === 'expired' || row.expiresAt <= now ? 'expired' : 'open';
}

/**
 * Stripe's checkout session object (mode `payment`): `url` is the hosted page while the
 * session is open, `payment_status` follows its intent.
 */
export function sessionObject(row: Session, intent: Intent, now: Date, pageUrl: string) {
  const status = sessionStatus(row, now);
  return {
    id: row.id,
    object: 'checkout.session',
    mode: 'payment',
    amount_subtotal: row.amount,
    amount_total: row.amount,
    currency: row.currency,
    status,
    payment_status: intent.status === 'succeeded' ? 'paid' : 'unpaid',
    payment_intent: row.paymentIntentId,
    url: status === 'open' ? pageUrl : null,
    success_url: row.successUrl,
    cancel_url: row.cancelUrl,
    client_reference_id: row.clientReferenceId,
    metadata: row.metadata,
    expires_at: Math.floor(row.expiresAt.getTime() / 1000),
    created: Math.floor(row.createdAt.getTime() / 1000),
    livemode: false,
  };
}

/** An error answer in Stripe's shape: the routes send `{ error: body }` with `status`. */
export class StripeError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message));
  }
}

export const invalid = (message: string, param?: string, code = 'parameter_invalid') =>
  new StripeError(400, {
    type: 'invalid_request_error',
    code,
    message,
    ...(param ? { param } : {}),
  });

export const noSuchIntent = (intentId: string) =>
  new StripeError(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    message: `No such payment_intent: '${intentId}'`,
    param: 'intent',
  });

export const noSuchSession = (sessionId: string) =>
  new StripeError(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    message: `No such checkout.session: '${sessionId}'`,
    param: 'session',
  });

/**
 * Request bodies, as Stripe's form encoding and @fastify/formbody give them: every value a
 * string, metadata as `metadata[key]` fields. Each may be missing; the parts check.
 */
export type Metadata = { [field: `metadata[${string}]`]: string | undefined };
export type CreateIntentForm = Metadata & {
  amount?: string;
  currency?: string;
  payment_method?: string;
  confirm?: string;
};
export type ConfirmForm = { payment_method?: string };
export type RefundForm = Metadata & { payment_intent?: string; amount?: string };
/**
 * `POST /v1/checkout/sessions`, as the SDK encodes it: nested fields flattened, such as
 * `line_items[0][price_data][unit_amount]` and `payment_intent_data[metadata][order_id]`.
 */
export type CreateSessionForm = Metadata & {
  mode?: string;
  success_url?: string;
  cancel_url?: string;
  expires_at?: string;
  client_reference_id?: string;
  [field: `line_items[${string}`]: string | undefined;
  [field: `payment_intent_data[metadata][${string}]`]: string | undefined;
};

/**
 * `metadata[order_id]=x` form fields → `{ order_id: 'x' }`; `prefix` reads a nested
 * metadata, such as `payment_intent_data[metadata]`.
 */
export function metadataOf(form: object, prefix = 'metadata'): Record<string, string> {
  const metadata: Record<string, string> = {};
  const field = new RegExp(`^${prefix.replace(/[[\]]/g, '\\$&')}\\[(.+)\\]$`);
  for (const [key, value] of Object.entries(form)) {
    const match = field.exec(key);
    if (match && typeof value === 'string') metadata[match[1]!] = value;
  }
  return metadata;
}

import { z } from 'zod';
import { AppError } from '../../shared/errors.js';

/**
 * What Ordo needs from a payment provider. Outcomes are values, not exceptions: a decline is
 * a normal answer (`status: 'failed'`); only an unreachable or broken provider throws
 * (ProviderUnavailable), and the service decides what each becomes for the client.
 */

export type IntentStatus = 'pending' | 'processing' | 'succeeded' | 'failed';

/** A provider's payment (intent), as Ordo reads it. */
export interface IntentSnapshot {
  providerPaymentId: string;
  status: IntentStatus;
  amount: number;
  currency: string;
  amountRefunded: number;
  /** Why it failed: `card_declined`, `insufficient_funds`, ... */
  failureCode?: string | undefined;
  metadata: Record<string, string>;
}

export type RefundOutcome =
  { ok: true; refundId: string; amount: number } | { ok: false; code: string; message: string };

/** A refund the provider made, as it lists them for a payment. */
export interface ProviderRefund {
  refundId: string;
  amount: number;
  metadata: Record<string, string>;
}

export type WebhookEvent = {
  id: string;
  type:
    | 'payment_succeeded'
    | 'payment_failed'
    | 'payment_processing'
    | 'payment_refunded'
    /** A hosted page's session was paid (or its payment is processing, or failed later). */
    | 'checkout_completed'
    | 'other';
  payment: IntentSnapshot | undefined;
  /** `checkout_completed`: the intent the session was paid with; the provider is asked for it. */
  paymentIntentId?: string | undefined;
};

/** What the provider's hosted payment page is opened for. */
export interface CheckoutSessionInput {
  amount: number;
  currency: string;
  /** What the page says is being paid for (`Order 1042`). */
  description: string;
  /**
   * Travels with the payment (intent) the page makes, as `createIntent`'s does, so its
   * webhook finds the order (`order_id`) and the payment id Ordo chose (`payment_id`).
   */
  metadata: Record<string, string>;
  /** Where the browser returns after paying, and after giving up. */
  successUrl: string;
  cancelUrl: string;
  /** When the page should stop taking payment; a provider may hold it open longer (Stripe: 30 min at least). */
  expiresAt: Date;
  now: Date;
  idempotencyKey: string;
}

export interface CheckoutSession {
  sessionId: string;
  /** The hosted page, on the provider's origin. */
  url: string;
  expiresAt: Date;
}

export interface PaymentProvider {
  readonly name: 'builtin' | 'stripe';
  /**
   * How long after a create request `findIntent` may still not see the intent it made: the
   * provider's search lag plus the longest the adapter keeps retrying a request. Until then a
   * "none" from `findIntent` does not prove that nothing was charged. 0 for the built-in
   * gateway (its lookups read what it wrote, and the adapter does not retry).
   */
  readonly lookupLagMs: number;
  /**
   * Creates a payment (intent) and confirms it with `paymentMethod` in the same request (as
   * Stripe's `confirm=true`). The answer is the confirmed intent: `succeeded`, `processing`,
   * or `failed` for a decline. `metadata` travels with the intent, so `findIntent` can find it
   * again when its id was never recorded; a retry with the same idempotency key and input is
   * answered as the first request was, never charged again. A payment method the provider
   * does not know is ProviderRefused (`resource_missing`).
   */
  createIntent(input: {
    amount: number;
    currency: string;
    metadata: Record<string, string>;
    idempotencyKey: string;
    paymentMethod: string;
  }): Promise<IntentSnapshot>;
  /**
   * The intent created with `metadata[key] = value`, or undefined when the provider has none.
   * Reconciliation asks this of a payment whose intent id was never recorded (the process
   * died between the provider's answer and its record), once `lookupLagMs` has passed.
   */
  findIntent(key: string, value: string): Promise<IntentSnapshot | undefined>;
  /**
   * Opens the provider's hosted payment page for an amount (Stripe Checkout, mode payment):
   * the customer types the card there, never at Ordo. The intent it makes carries `metadata`,
   * and its webhooks (the intent's, `checkout.session.completed`) settle the payment. A retry
   * with the same idempotency key answers the same session. ProviderRefused when the provider
   * will not take the payment (an amount below its minimum).
   */
  createCheckoutSession(input: CheckoutSessionInput): Promise<CheckoutSession>;
  retrieve(providerPaymentId: string): Promise<IntentSnapshot>;
  /**
   * Refunds part of a payment. `metadata` travels with the refund, so `listRefunds` can find
   * it again; a request with the same idempotency key as one in flight throws ProviderBusy
   * (try again later), never refunds twice.
   */
  refund(input: {
    providerPaymentId: string;
    amount: number;
    idempotencyKey: string;
    metadata: Record<string, string>;
  }): Promise<RefundOutcome>;
  /** The refunds made for a payment, newest first (reconciliation finds unrecorded ones here). */
  listRefunds(providerPaymentId: string): Promise<ProviderRefund[]>;
  /**
   * Verifies the signature on the raw body and parses the event; undefined when forged, stale
   * or altered. A correctly signed body that is not a well-formed event throws `malformedEvent()`.
   */
  parseWebhook(
    rawBody: string,
    signature: string | undefined,
    nowSeconds: number,
  ): WebhookEvent | undefined;
}

/**
 * The provider understood the request and refused it for good (an unknown payment method, a
 * parameter it rejects): retrying the same request will not help. `code` is the provider's.
 */
export class ProviderRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProviderRefused';
  }
}

/**
 * The provider could not be reached or answered with something broken. `notSent`: the request
 * never reached it (the connection was refused), so it did nothing; otherwise it may have
 * acted on it (a timeout, a 5xx), and only asking it later tells.
 */
export class ProviderUnavailable extends Error {
  readonly notSent: boolean;

  constructor(message: string, options?: { cause?: unknown; notSent?: boolean }) {
    super(message, options);
    this.name = 'ProviderUnavailable';
    this.notSent = options?.notSent ?? false;
  }
}

/** The provider is still working on a request with the same idempotency key: ask again later. */
export class ProviderBusy extends ProviderUnavailable {
  constructor(options?: { cause?: unknown }) {
    super('the provider is working on a request with this idempotency key', options);
    this.name = 'ProviderBusy';
  }
}

/**
 * Stripe's payment intent JSON, as far as Ordo reads it. What a provider sends is checked like
 * any client's input: a wrong type or a refund above the amount never reaches a payment row.
 */
const intentJson = z
  .object({
    id: z.string().min(1).max(255),
    status: z.string().max(100),
    amount: z.number().int().min(0),
    currency: z.string().regex(/^[A-Za-z]{3}$/),
    amount_refunded: z.number().int().min(0).nullish(),
    last_payment_error: z
      .object({ code: z.string().nullish(), decline_code: z.string().nullish() })
      .nullish(),
    metadata: z.record(z.string(), z.string()).nullish(),
  })
  .refine((intent) => (intent.amount_refunded ?? 0) <= intent.amount, {
    message: 'refunded more than the amount',
  });

const eventJson = z.object({
  id: z.string().min(1).max(255),
  type: z.string().min(1).max(255),
  data: z.object({ object: z.unknown() }).nullish(),
});

/** Stripe's payment intent JSON → a snapshot, or undefined when it is not a payment intent. */
function readIntent(json: unknown): IntentSnapshot | undefined {
  const parsed = intentJson.safeParse(json);
  if (!parsed.success) return undefined;
  const intent = parsed.data;
  const error = intent.last_payment_error;
  let status: IntentStatus;
  if (intent.status === 'succeeded') status = 'succeeded';
  else if (intent.status === 'processing') status = 'processing';
  else if (intent.status === 'canceled' || error) status = 'failed';
  else status = 'pending';
  return {
    providerPaymentId: intent.id,
    status,
    amount: intent.amount,
    currency: intent.currency,
    amountRefunded: intent.amount_refunded ?? 0,
    // `card_declined` for a generic decline, the specific reason (`insufficient_funds`) otherwise.
    failureCode:
      status !== 'failed'
        ? undefined
        : error?.decline_code && error.decline_code !== 'generic_decline'
          ? error.decline_code
          : (error?.code ?? 'canceled'),
    metadata: intent.metadata ?? {},
  };
}

/**
 * A provider's answer → a snapshot. An answer that is not a payment intent is a broken
 * provider (ProviderUnavailable): nothing is settled from it, and reconciliation asks again.
 */
export function snapshotOf(intent: unknown): IntentSnapshot {
  const snapshot = readIntent(intent);
  if (!snapshot) {
    throw new ProviderUnavailable(
      'the payment provider answered with something that is not a payment intent',
    );
  }
  return snapshot;
}

/** Stripe's search query for one metadata value, quotes and backslashes escaped. */
export const metadataQuery = (key: string, value: string): string =>
  `metadata['${key.replace(/['\\]/g, '\\$&')}']:'${value.replace(/['\\]/g, '\\$&')}'`;

/**
 * Stripe's search result (`{ object: 'search_result', data: [...] }`) → its first payment
 * intent, or undefined when it found none. Anything else is a broken provider.
 */
export function firstIntentOf(result: unknown): IntentSnapshot | undefined {
  const data = (result as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) {
    throw new ProviderUnavailable('the payment provider answered a search with something else');
  }
  return data.length === 0 ? undefined : snapshotOf(data[0]);
}

/** A correctly signed webhook whose event Ordo cannot read: 400, and nothing is recorded. */
export const malformedEvent = () =>
  new AppError('VALIDATION_FAILED', 'The webhook event is not a well-formed event');

const eventTypes: Record<string, WebhookEvent['type']> = {
  'payment_intent.succeeded': 'payment_succeeded',
  'payment_intent.payment_failed': 'payment_failed',
  'payment_intent.processing': 'payment_processing',
  'charge.refunded': 'payment_refunded',
  'checkout.session.completed': 'checkout_completed',
  'checkout.session.async_payment_succeeded': 'checkout_completed',
  'checkout.session.async_payment_failed': 'checkout_completed',
};

/** A checkout session's intent: its id, or the expanded intent's. */
const sessionIntentJson = z.object({
  payment_intent: z
    .union([z.string().min(1).max(255), z.object({ id: z.string().min(1).max(255) })])
    .nullish(),
});

/** Stripe event JSON → a webhook event; a malformed one throws `malformedEvent()`. */
export function eventOf(event: unknown): WebhookEvent {
  const parsed = eventJson.safeParse(event);
  if (!parsed.success) throw malformedEvent();
  const object = parsed.data.data?.object as { object?: unknown } | null | undefined;
  let payment: IntentSnapshot | undefined;
  let paymentIntentId: string | undefined;
  if (object?.object === 'payment_intent') {
    payment = readIntent(object);
    if (!payment) throw malformedEvent();
  } else if (object?.object === 'checkout.session') {
    const session = sessionIntentJson.safeParse(object);
    if (!session.success) throw malformedEvent();
    const intent = session.data.payment_intent;
    paymentIntentId = typeof intent === 'string' ? intent : intent?.id;
  }
  const type = Object.hasOwn(eventTypes, parsed.data.type)
    ? eventTypes[parsed.data.type]!
    : 'other';
  return { id: parsed.data.id, type, payment, ...(paymentIntentId ? { paymentIntentId } : {}) };
}

/** Stripe's checkout session JSON, as far as Ordo reads it when it opens one. */
const sessionJson = z.object({
  id: z.string().min(1).max(255),
  url: z.url({ protocol: /^https?$/ }),
  expires_at: z.number().int(),
});

/** A provider's answer to opening a session → what Ordo hands the storefront; else a broken provider. */
export function checkoutSessionOf(json: unknown): CheckoutSession {
  const parsed = sessionJson.safeParse(json);
  if (!parsed.success) {
    throw new ProviderUnavailable(
      'the payment provider answered with something that is not an open checkout session',
    );
  }
  return {
    sessionId: parsed.data.id,
    url: parsed.data.url,
    expiresAt: new Date(parsed.data.expires_at * 1000),
  };
}

/** The form (Stripe's encoding) or params that open a session, shared by both adapters. */
export function checkoutSessionParams(input: CheckoutSessionInput, expiresAt: Date) {
  return {
    mode: 'payment' as const,
    line_items: [
      {
        quantity: 1,
        price_data: {
          currency: input.currency.toLowerCase(),
          unit_amount: input.amount,
          product_data: { name: input.description },
        },
      },
    ],
    success_url: input.successUrl,
    cancel_url: input.cancelUrl,
    expires_at: Math.floor(expiresAt.getTime() / 1000),
    client_reference_id: input.metadata.order_id,
    metadata: input.metadata,
    payment_intent_data: { metadata: input.metadata },
  };
}

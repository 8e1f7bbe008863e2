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
  type: 'payment_succeeded' | 'payment_failed' | 'payment_refunded' | 'other';
  payment: IntentSnapshot | undefined;
};

export interface PaymentProvider {
  readonly name: 'builtin' | 'stripe';
  createIntent(input: {
    amount: number;
    currency: string;
    metadata: Record<string, string>;
    idempotencyKey: string;
  }): Promise<IntentSnapshot>;
  confirm(
    providerPaymentId: string,
    paymentMethod: string,
    idempotencyKey: string,
  ): Promise<IntentSnapshot>;
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
  /** Verifies the signature on the raw body and parses the event; undefined when forged, stale or altered. */
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

export class ProviderUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProviderUnavailable';
  }
}

/** The provider is still working on a request with the same idempotency key: ask again later. */
export class ProviderBusy extends ProviderUnavailable {
  constructor(options?: { cause?: unknown }) {
    super('the provider is working on a request with this idempotency key', options);
    this.name = 'ProviderBusy';
  }
}

/** Stripe's payment intent JSON → a snapshot. Both adapters speak Stripe's shapes. */
export function snapshotOf(intent: {
  id: string;
  status: string;
  amount: number;
  currency: string;
  amount_refunded?: number | null;
  last_payment_error?: { code?: string | null; decline_code?: string | null } | null;
  metadata?: Record<string, string> | null;
}): IntentSnapshot {
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

/** Stripe event JSON → a webhook event. */
export function eventOf(event: {
  id: string;
  type: string;
  data?: { object?: unknown };
}): WebhookEvent {
  const object = event.data?.object as Parameters<typeof snapshotOf>[0] & { object?: string };
  const payment = object?.object === 'payment_intent' ? snapshotOf(object) : undefined;
  const type =
    event.type === 'payment_intent.succeeded'
      ? 'payment_succeeded'
      : event.type === 'payment_intent.payment_failed'
        ? 'payment_failed'
        : event.type === 'charge.refunded'
          ? 'payment_refunded'
          : 'other';
  return { id: event.id, type, payment };
}

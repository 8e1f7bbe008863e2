import Stripe from 'stripe';
import {
  checkoutSessionOf,
  checkoutSessionParams,
  eventOf,
  firstIntentOf,
  malformedEvent,
  metadataQuery,
  ProviderBusy,
  ProviderRefused,
  ProviderUnavailable,
  snapshotOf,
  type CheckoutSession,
  type CheckoutSessionInput,
  type PaymentProvider,
  type ProviderRefund,
  type RefundOutcome,
} from '../payment-provider.js';

/** Stripe's bounds on a Checkout Session's `expires_at`, with a minute's margin for clocks. */
const STRIPE_MIN_SESSION_MS = 31 * 60 * 1000;
const STRIPE_MAX_SESSION_MS = 24 * 60 * 60 * 1000 - 60 * 1000;

/**
 * Stripe through its official SDK. `STRIPE_API_BASE` points the SDK elsewhere (the built-in
 * gateway, in tests), parsed into the SDK's host, port and protocol.
 */
export class StripeProvider implements PaymentProvider {
  readonly name = 'stripe' as const;
  /**
   * Stripe's search index lags its writes (documented as usually under a minute), and the SDK
   * retries a request twice after a 15 s timeout: two minutes covers both.
   */
  readonly lookupLagMs = 120_000;
  private readonly stripe: Stripe;

  constructor(
    secretKey: string,
    private readonly webhookSecret: string,
    apiBase?: string,
  ) {
    const base = apiBase ? new URL(apiBase) : undefined;
    this.stripe = new Stripe(secretKey, {
      maxNetworkRetries: 2,
      timeout: 15_000,
      ...(base
        ? {
            host: base.hostname,
            port: Number(base.port) || (base.protocol === 'https:' ? 443 : 80),
            protocol: base.protocol.replace(':', '') as 'http' | 'https',
          }
        : {}),
    });
  }

  private async guard<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof Stripe.errors.StripeCardError) throw error;
      if (error instanceof Stripe.errors.StripeInvalidRequestError) throw error;
      if (error instanceof Stripe.errors.StripeIdempotencyError) {
        throw new ProviderBusy({ cause: error });
      }
      throw new ProviderUnavailable('Stripe unreachable or failing', { cause: error });
    }
  }

  async createIntent(input: {
    amount: number;
    currency: string;
    metadata: Record<string, string>;
    idempotencyKey: string;
    paymentMethod: string;
  }) {
    try {
      const intent = await this.guard(() =>
        this.stripe.paymentIntents.create(
          {
            amount: input.amount,
            currency: input.currency.toLowerCase(),
            metadata: input.metadata,
            payment_method: input.paymentMethod,
            confirm: true,
          },
          { idempotencyKey: input.idempotencyKey },
        ),
      );
      return snapshotOf(intent);
    } catch (error) {
      // A decline arrives as a card error carrying the intent: an outcome, not a failure.
      if (error instanceof Stripe.errors.StripeCardError && error.payment_intent) {
        return snapshotOf(error.payment_intent);
      }
      throw refusal(error);
    }
  }

  /**
   * Through Stripe's search API, which Stripe documents as eventually consistent (usually
   * under a minute): see lookupLagMs.
   */
  async findIntent(key: string, value: string) {
    try {
      const result = await this.guard(() =>
        this.stripe.paymentIntents.search({ query: metadataQuery(key, value), limit: 1 }),
      );
      return firstIntentOf(result);
    } catch (error) {
      throw refusal(error);
    }
  }

  /**
   * A Stripe Checkout Session. Stripe keeps one open for 30 minutes to 24 hours, so a page
   * asked to close sooner (an order due in 10 minutes) stays open 30: a payment made on it
   * after the order expired is refunded, as any late payment is.
   */
  async createCheckoutSession(input: CheckoutSessionInput): Promise<CheckoutSession> {
    const now = input.now.getTime();
    const expiresAt = new Date(
      Math.min(
        Math.max(input.expiresAt.getTime(), now + STRIPE_MIN_SESSION_MS),
        now + STRIPE_MAX_SESSION_MS,
      ),
    );
    try {
      const session = await this.guard(() =>
        this.stripe.checkout.sessions.create(checkoutSessionParams(input, expiresAt), {
          idempotencyKey: input.idempotencyKey,
        }),
      );
      return checkoutSessionOf(session);
    } catch (error) {
      throw refusal(error);
    }
  }

  async retrieve(providerPaymentId: string) {
    return snapshotOf(
      await this.guard(() => this.stripe.paymentIntents.retrieve(providerPaymentId)),
    );
  }

  async refund(input: {
    providerPaymentId: string;
    amount: number;
    idempotencyKey: string;
    metadata: Record<string, string>;
  }): Promise<RefundOutcome> {
    try {
      const refund = await this.guard(() =>
        this.stripe.refunds.create(
          {
            payment_intent: input.providerPaymentId,
            amount: input.amount,
            metadata: input.metadata,
          },
          { idempotencyKey: input.idempotencyKey },
        ),
      );
      return { ok: true, refundId: refund.id, amount: refund.amount };
    } catch (error) {
      if (error instanceof Stripe.errors.StripeInvalidRequestError) {
        return { ok: false, code: error.code ?? 'refund_failed', message: error.message };
      }
      throw error;
    }
  }

  async listRefunds(providerPaymentId: string): Promise<ProviderRefund[]> {
    const list = await this.guard(() =>
      this.stripe.refunds.list({ payment_intent: providerPaymentId, limit: 100 }),
    );
    return list.data.map((r) => ({ refundId: r.id, amount: r.amount, metadata: r.metadata ?? {} }));
  }

  parseWebhook(rawBody: string, signature: string | undefined, nowSeconds: number) {
    if (!signature) return undefined;
    let event: unknown;
    try {
      event = this.stripe.webhooks.constructEvent(
        rawBody,
        signature,
        this.webhookSecret,
        300,
        undefined,
        nowSeconds * 1000, // the SDK takes milliseconds here
      );
    } catch (error) {
      // The SDK parses the body once the signature holds: a SyntaxError is a signed non-event.
      if (error instanceof SyntaxError) throw malformedEvent();
      return undefined;
    }
    return eventOf(event);
  }
}

/** Stripe's refusal of a request (an invalid-request error) as the provider interface says it. */
function refusal(error: unknown): unknown {
  return error instanceof Stripe.errors.StripeInvalidRequestError
    ? new ProviderRefused(error.code ?? 'invalid_request', `Stripe refused: ${error.message}`, {
        cause: error,
      })
    : error;
}

import { verifyWebhook } from '../../../shared/webhook-signature.js';
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
  type IntentSnapshot,
  type PaymentProvider,
  type ProviderRefund,
  type RefundOutcome,
} from '../payment-provider.js';

type StripeJson = Record<string, unknown> & {
  error?: { code?: string; message?: string; payment_intent?: unknown };
};

/** Errors that mean the request never reached the gateway: no connection was made. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

function neverSent(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown; errors?: { code?: unknown }[] } }).cause;
  if (!cause) return false;
  if (NOT_CONNECTED.has(String(cause.code))) return true;
  // Several addresses tried, each refused (AggregateError).
  return Boolean(
    cause.errors?.length && cause.errors.every((e) => NOT_CONNECTED.has(String(e.code))),
  );
}

/** Stripe's form encoding of nested params: `{ a: { b: [{ c: 1 }] } }` → `a[b][0][c]=1`. */
export function formOf(params: object, prefix = ''): Record<string, string> {
  const form: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    const name = prefix ? `${prefix}[${key}]` : key;
    if (value === undefined || value === null) continue;
    if (typeof value === 'object') Object.assign(form, formOf(value as object, name));
    else form[name] = String(value);
  }
  return form;
}

/**
 * The built-in gateway over plain HTTP: form-encoded requests, Stripe's JSON back. No SDK, so
 * this adapter also shows exactly what crosses the wire.
 */
export class BuiltinProvider implements PaymentProvider {
  readonly name = 'builtin' as const;
  readonly lookupLagMs = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly webhookSecret: string,
    private readonly secretKey = 'sk_test_builtin',
  ) {}

  private async call(
    method: 'GET' | 'POST',
    path: string,
    form?: Record<string, string>,
    idempotencyKey?: string,
  ) {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.secretKey}`,
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
        },
        body: form ? new URLSearchParams(form).toString() : undefined,
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      throw new ProviderUnavailable('payment gateway unreachable', {
        cause: error,
        notSent: neverSent(error),
      });
    }
    if (response.status >= 500)
      throw new ProviderUnavailable(`payment gateway answered ${response.status}`);
    // An answer that is not a JSON object is a broken gateway, not a 500 of Ordo's.
    let body: unknown;
    try {
      body = JSON.parse(await response.text());
    } catch (error) {
      throw new ProviderUnavailable('payment gateway answered with something that is not JSON', {
        cause: error,
      });
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw new ProviderUnavailable(
        'payment gateway answered with something that is not an object',
      );
    }
    return { status: response.status, body: body as StripeJson };
  }

  private intent(result: { status: number; body: StripeJson }): IntentSnapshot {
    const intent = result.status === 402 ? result.body.error?.payment_intent : result.body;
    if (result.status >= 400 && result.status !== 402) {
      throw new ProviderRefused(
        result.body.error?.code ?? 'invalid_request',
        `payment gateway refused: ${result.body.error?.message ?? result.status}`,
      );
    }
    return snapshotOf(intent);
  }

  async createIntent(input: {
    amount: number;
    currency: string;
    metadata: Record<string, string>;
    idempotencyKey: string;
    paymentMethod: string;
  }) {
    const form: Record<string, string> = {
      amount: String(input.amount),
      currency: input.currency.toLowerCase(),
      payment_method: input.paymentMethod,
      confirm: 'true',
    };
    for (const [key, value] of Object.entries(input.metadata)) form[`metadata[${key}]`] = value;
    return this.intent(await this.call('POST', '/v1/payment_intents', form, input.idempotencyKey));
  }

  async findIntent(key: string, value: string) {
    const query = new URLSearchParams({ query: metadataQuery(key, value), limit: '1' });
    const result = await this.call('GET', `/v1/payment_intents/search?${query.toString()}`);
    if (result.status !== 200) {
      throw new ProviderRefused(
        result.body.error?.code ?? 'invalid_request',
        'cannot search payment intents',
      );
    }
    return firstIntentOf(result.body);
  }

  /** The gateway honours any future `expiresAt`: the page closes when the order's deadline does. */
  async createCheckoutSession(input: CheckoutSessionInput): Promise<CheckoutSession> {
    const form = formOf(checkoutSessionParams(input, input.expiresAt));
    const result = await this.call('POST', '/v1/checkout/sessions', form, input.idempotencyKey);
    if (result.status === 409) throw new ProviderBusy();
    if (result.status !== 200) {
      throw new ProviderRefused(
        result.body.error?.code ?? 'invalid_request',
        `payment gateway refused: ${result.body.error?.message ?? result.status}`,
      );
    }
    return checkoutSessionOf(result.body);
  }

  async retrieve(providerPaymentId: string) {
    return this.intent(
      await this.call('GET', `/v1/payment_intents/${encodeURIComponent(providerPaymentId)}`),
    );
  }

  async refund(input: {
    providerPaymentId: string;
    amount: number;
    idempotencyKey: string;
    metadata: Record<string, string>;
  }): Promise<RefundOutcome> {
    const form: Record<string, string> = {
      payment_intent: input.providerPaymentId,
      amount: String(input.amount),
    };
    for (const [key, value] of Object.entries(input.metadata)) form[`metadata[${key}]`] = value;
    const result = await this.call('POST', '/v1/refunds', form, input.idempotencyKey);
    if (result.status === 409) throw new ProviderBusy();
    if (result.status !== 200) {
      return {
        ok: false,
        code: result.body.error?.code ?? 'refund_failed',
        message: result.body.error?.message ?? 'refund failed',
      };
    }
    return { ok: true, refundId: String(result.body.id), amount: Number(result.body.amount) };
  }

  async listRefunds(providerPaymentId: string): Promise<ProviderRefund[]> {
    const result = await this.call(
      'GET',
      `/v1/refunds?payment_intent=${encodeURIComponent(providerPaymentId)}&limit=100`,
    );
    if (result.status !== 200) {
      throw new ProviderRefused(
        result.body.error?.code ?? 'invalid_request',
        'cannot list refunds',
      );
    }
    const list = result.body as unknown as {
      data: { id: string; amount: number; metadata?: Record<string, string> | null }[];
    };
    return list.data.map((r) => ({ refundId: r.id, amount: r.amount, metadata: r.metadata ?? {} }));
  }

  parseWebhook(rawBody: string, signature: string | undefined, nowSeconds: number) {
    if (!verifyWebhook(this.webhookSecret, rawBody, signature, nowSeconds)) return undefined;
    let event: unknown;
    try {
      event = JSON.parse(rawBody);
    } catch {
      throw malformedEvent();
    }
    return eventOf(event);
  }
}

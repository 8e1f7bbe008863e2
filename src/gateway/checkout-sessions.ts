import { and, eq } from 'drizzle-orm';
import type { GatewayState } from './gateway.state.js';
import { gatewayCheckoutSessions, gatewayIntents } from './gateway.table.js';
import type { KeyedAnswer } from './idempotency.js';
import { confirmIntent, loadIntent } from './intents.js';
import {
  invalid,
  metadataOf,
  newId,
  noSuchSession,
  sessionObject,
  sessionStatus,
  StripeError,
  type CreateSessionForm,
  type Intent,
  type Session,
} from './stripe-objects.js';
import { objectEventRows, storeEvents } from './webhook-events.js';

// Checkout sessions (Stripe Checkout, mode `payment`): created over the API with an amount, a
// success and a cancel URL; paid on the gateway's own hosted page (`hosted-page.ts`), which
// confirms the session's intent with the test card typed in. A decline leaves the session
// open for another card; a success (or a card that stays processing) completes it, sends
// `checkout.session.completed`, and sends the browser to the success URL. The intent's own
// events (`payment_intent.succeeded`, `.payment_failed`) are sent as for any intent.

/** How long a session stays open when the request names no `expires_at` (Stripe's default). */
const DEFAULT_TTL_MS = 24 * 60 * 60 * 1000;

/** Where a session's hosted page is, on the gateway's public origin. */
export const pageUrl = (gateway: GatewayState, sessionId: string) =>
  `${gateway.publicUrl()}/pay/${sessionId}`;

/** An http(s) URL a browser is sent to, or a 400 naming `param`. */
function redirectUrl(value: string | undefined, param: string): string {
  let url: URL | undefined;
  try {
    url = value ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || value!.length > 2000) {
    throw invalid(`Invalid URL: ${param} must be an http(s) URL`, param, 'url_invalid');
  }
  return value!;
}

/**
 * The line items of a create request: `line_items[i][price_data][unit_amount]` × `[quantity]`
 * in one currency, with the first one's name as the page's description.
 */
function lineItems(form: CreateSessionForm): {
  amount: number;
  currency: string;
  description: string;
} {
  const field = (i: number, name: string) =>
    (form as Record<string, string | undefined>)[`line_items[${i}]${name}`];
  let amount = 0;
  let currency: string | undefined;
  let description: string | undefined;
  let i = 0;
  for (; field(i, '[quantity]') !== undefined; i++) {
    const unit = Number(field(i, '[price_data][unit_amount]'));
    const quantity = Number(field(i, '[quantity]'));
    const lineCurrency = field(i, '[price_data][currency]') ?? '';
    if (!Number.isSafeInteger(unit) || unit < 0) {
      throw invalid('Invalid integer: unit_amount', `line_items[${i}][price_data][unit_amount]`);
    }
    if (!Number.isSafeInteger(quantity) || quantity < 1) {
      throw invalid('Invalid integer: quantity', `line_items[${i}][quantity]`);
    }
    if (!/^[a-z]{3}$/.test(lineCurrency) || (currency && currency !== lineCurrency)) {
      throw invalid('Invalid currency', `line_items[${i}][price_data][currency]`);
    }
    currency = lineCurrency;
    description ??= field(i, '[price_data][product_data][name]')?.slice(0, 200);
    amount += unit * quantity;
  }
  if (i === 0 || !currency) throw invalid('Missing required param: line_items.', 'line_items');
  if (!Number.isSafeInteger(amount) || amount < 1) {
    throw invalid('The Checkout Session total must be at least 1 minor unit', 'line_items');
  }
  return { amount, currency, description: description ?? 'Payment' };
}

/** When a session ends: `expires_at` (unix seconds, in the future), or a day from now. */
function expiry(gateway: GatewayState, expiresAt: string | undefined): Date {
  const now = gateway.clock.now();
  if (expiresAt === undefined) return new Date(now.getTime() + DEFAULT_TTL_MS);
  const seconds = Number(expiresAt);
  if (!Number.isSafeInteger(seconds) || seconds * 1000 <= now.getTime()) {
    throw invalid('expires_at must be a time in the future', 'expires_at');
  }
  return new Date(seconds * 1000);
}

/**
 * `POST /v1/checkout/sessions`: the session and its intent (`requires_payment_method`, with
 * `payment_intent_data[metadata]` as its metadata), written together.
 */
export async function createSession(
  gateway: GatewayState,
  form: CreateSessionForm,
): Promise<KeyedAnswer> {
  if (form.mode !== 'payment') throw invalid('Only mode=payment is supported', 'mode');
  const { amount, currency, description } = lineItems(form);
  const successUrl = redirectUrl(form.success_url, 'success_url');
  const cancelUrl = form.cancel_url ? redirectUrl(form.cancel_url, 'cancel_url') : successUrl;
  const now = gateway.clock.now();
  const intent: Intent = {
    id: newId('pi'),
    amount,
    amountRefunded: 0,
    currency,
    status: 'requires_payment_method',
    paymentMethod: null,
    lastError: null,
    metadata: metadataOf(form, 'payment_intent_data[metadata]'),
    settleAt: null,
    createdAt: now,
  };
  const session: Session = {
    id: newId('cs_test'),
    amount,
    currency,
    description,
    status: 'open',
    paymentIntentId: intent.id,
    successUrl,
    cancelUrl,
    clientReferenceId: form.client_reference_id?.slice(0, 200) ?? null,
    metadata: metadataOf(form),
    expiresAt: expiry(gateway, form.expires_at),
    completedAt: null,
    createdAt: now,
  };
  await gateway.db.transaction(async (tx) => {
    await tx.insert(gatewayIntents).values(intent);
    await tx.insert(gatewayCheckoutSessions).values(session);
  });
  return { status: 200, body: sessionObject(session, intent, now, pageUrl(gateway, session.id)) };
}

/** A session and its intent; 404 in Stripe's shape when there is none. */
export async function loadSession(
  gateway: GatewayState,
  sessionId: string,
): Promise<{ session: Session; intent: Intent }> {
  const [session] = await gateway.db
    .select()
    .from(gatewayCheckoutSessions)
    .where(eq(gatewayCheckoutSessions.id, sessionId));
  if (!session) throw noSuchSession(sessionId);
  return { session, intent: await loadIntent(gateway, session.paymentIntentId) };
}

/** `GET /v1/checkout/sessions/:id`. */
export async function retrieveSession(gateway: GatewayState, sessionId: string) {
  const { session, intent } = await loadSession(gateway, sessionId);
  return sessionObject(session, intent, gateway.clock.now(), pageUrl(gateway, session.id));
}

/** What paying on the hosted page came to. */
export type PayOutcome =
  | { kind: 'redirect'; url: string }
  | { kind: 'declined'; message: string; session: Session }
  | { kind: 'closed'; session: Session; status: 'complete' | 'expired' };

/** The success URL, with Stripe's `{CHECKOUT_SESSION_ID}` template filled in. */
const successUrlOf = (session: Session) =>
  session.successUrl.replaceAll('{CHECKOUT_SESSION_ID}', session.id);

/**
 * Pays an open session with the test payment method a card number stands for: its intent is
 * confirmed (declined: the session stays open for another try; succeeded or processing: the
 * session completes, with its event, and the browser goes to the success URL). A session
 * that is complete or expired is not charged.
 */
export async function paySession(
  gateway: GatewayState,
  sessionId: string,
  paymentMethod: string,
): Promise<PayOutcome> {
  const { session, intent } = await loadSession(gateway, sessionId);
  const status = sessionStatus(session, gateway.clock.now());
  if (status !== 'open') return { kind: 'closed', session, status };
  let answer;
  try {
    answer = await confirmIntent(gateway, intent, paymentMethod);
  } catch (error) {
    // Confirmed meanwhile by another submit of the same page: say what that one did.
    if (error instanceof StripeError && error.body.code === 'payment_intent_unexpected_state') {
      return closedOutcome(gateway, sessionId);
    }
    throw error;
  }
  if (answer.status === 402) {
    const body = answer.body as { error: { message: string } };
    return { kind: 'declined', message: body.error.message, session };
  }
  await completeSession(gateway, session);
  return { kind: 'redirect', url: successUrlOf(session) };
}

/** What another submit of the same page made of the session meanwhile. */
async function closedOutcome(gateway: GatewayState, sessionId: string): Promise<PayOutcome> {
  const { session, intent } = await loadSession(gateway, sessionId);
  if (intent.status === 'succeeded' || intent.status === 'processing') {
    await completeSession(gateway, session);
    return { kind: 'redirect', url: successUrlOf(session) };
  }
  const status = sessionStatus(session, gateway.clock.now());
  if (status !== 'open') return { kind: 'closed', session, status };
  return {
    kind: 'declined',
    message: intent.lastError?.message ?? 'Your card was declined.',
    session,
  };
}

/** An open session whose intent succeeded or is processing: complete, once, with its event. */
async function completeSession(gateway: GatewayState, session: Session): Promise<void> {
  const now = gateway.clock.now();
  const [completed] = await gateway.db
    .update(gatewayCheckoutSessions)
    .set({ status: 'complete', completedAt: now })
    .where(
      and(eq(gatewayCheckoutSessions.id, session.id), eq(gatewayCheckoutSessions.status, 'open')),
    )
    .returning();
  if (!completed) return;
  const intent = await loadIntent(gateway, session.paymentIntentId);
  await storeEvents(
    gateway,
    objectEventRows(
      gateway,
      intent.metadata,
      'checkout.session.completed',
      sessionObject(completed, intent, now, pageUrl(gateway, completed.id)),
    ),
  );
}

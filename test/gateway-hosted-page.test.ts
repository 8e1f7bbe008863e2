import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '../src/db/client.js';
import { startGateway, type RunningGateway } from '../src/gateway/gateway.js';
import { OffsetClock } from '../src/shared/clock.js';
import { dropTestDatabase, openTestDatabase } from './helpers/test-app.js';
import { waitFor } from './helpers/wait.js';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver.js';

// The built-in gateway's hosted payment page, over HTTP as a browser posts it: checkout
// sessions made with the official Stripe SDK, paid with Stripe's test card numbers on the
// gateway's own page, with the signed webhooks a real integration receives.

const SECRET = 'whsec_hosted_page_test_0123456789abcdef';
const SHOP = 'http://shop.example.test';

let database: Database;
let url: string | undefined;
let gateway: RunningGateway;
let receiver: WebhookReceiver;
let stripe: Stripe;
const clock = new OffsetClock();

beforeAll(async () => {
  ({ database, url } = await openTestDatabase());
  receiver = await startWebhookReceiver(SECRET);
  gateway = await startGateway({
    db: database.db,
    port: 0,
    webhookUrl: receiver.url,
    webhookSecret: SECRET,
    clock,
    logger: pino({ level: 'silent' }),
    settleAfterMs: 200,
    tickMs: 50,
  });
  const base = new URL(gateway.url);
  stripe = new Stripe('sk_test_hosted', {
    host: base.hostname,
    port: Number(base.port),
    protocol: 'http',
    maxNetworkRetries: 0,
  });
});

afterAll(async () => {
  await gateway.close();
  await receiver.close();
  await database.close();
  await dropTestDatabase(url);
});

let orders = 0;
const newSession = (options: { expiresAt?: number; amount?: number } = {}) => {
  const order = `ord_${++orders}`;
  return stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [
      {
        quantity: 1,
        price_data: {
          currency: 'usd',
          unit_amount: options.amount ?? 2599,
          product_data: { name: `Order ${orders}` },
        },
      },
    ],
    success_url: `${SHOP}/orders/${order}?payment=returned`,
    cancel_url: `${SHOP}/orders/${order}`,
    metadata: { order_id: order },
    payment_intent_data: { metadata: { order_id: order, payment_id: `pay_${orders}` } },
    ...(options.expiresAt ? { expires_at: options.expiresAt } : {}),
  });
};

const card = (number: string) => ({
  cardNumber: number,
  expiry: '12 / 34',
  cvc: '123',
  name: 'Pat Payer',
});

/** Posts the page's form as a browser does (same origin, form-encoded, no redirect followed). */
async function submit(pageUrl: string, fields: Record<string, string>, origin?: string) {
  const response = await fetch(pageUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: origin ?? new URL(pageUrl).origin,
    },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
  return { status: response.status, headers: response.headers, html: await response.text() };
}

async function page(pageUrl: string) {
  const response = await fetch(pageUrl);
  return { status: response.status, headers: response.headers, html: await response.text() };
}

/** A session's payment intent id (the gateway makes it with the session). */
const intentOf = (session: Stripe.Checkout.Session) => session.payment_intent as string;

const eventsOf = (id: string) =>
  receiver.deliveries.filter((d) => d.intent === id).map((d) => d.type);

describe('checkout sessions through the Stripe SDK', () => {
  it('creates an open session whose url is the hosted page on the gateway’s own origin', async () => {
    const session = await newSession();
    expect(session).toMatchObject({
      object: 'checkout.session',
      mode: 'payment',
      status: 'open',
      payment_status: 'unpaid',
      amount_total: 2599,
      currency: 'usd',
      metadata: { order_id: expect.stringMatching(/^ord_/) },
    });
    expect(session.url).toBe(`${gateway.url}/pay/${session.id}`);
    expect(session.payment_intent).toMatch(/^pi_/);
    const intent = await stripe.paymentIntents.retrieve(intentOf(session));
    expect(intent).toMatchObject({ status: 'requires_payment_method', amount: 2599 });
    expect(intent.metadata).toEqual({
      order_id: session.metadata!.order_id,
      payment_id: expect.stringMatching(/^pay_/),
    });
    expect(await stripe.checkout.sessions.retrieve(session.id)).toMatchObject({
      id: session.id,
      status: 'open',
    });
  });

  it('answers a retry with the same idempotency key with the same session', async () => {
    const params: Stripe.Checkout.SessionCreateParams = {
      mode: 'payment',
      line_items: [
        {
          quantity: 2,
          price_data: { currency: 'usd', unit_amount: 500, product_data: { name: 'x' } },
        },
      ],
      success_url: `${SHOP}/done`,
    };
    const key = `key-${Date.now()}`;
    const [a, b] = [
      await stripe.checkout.sessions.create(params, { idempotencyKey: key }),
      await stripe.checkout.sessions.create(params, { idempotencyKey: key }),
    ];
    expect(b.id).toBe(a.id);
    expect(a.amount_total).toBe(1000);
  });

  it('refuses a session without line items, a success URL, or with a past expiry', async () => {
    const base: Stripe.Checkout.SessionCreateParams = {
      mode: 'payment',
      line_items: [
        {
          quantity: 1,
          price_data: { currency: 'usd', unit_amount: 500, product_data: { name: 'x' } },
        },
      ],
      success_url: `${SHOP}/done`,
    };
    for (const params of [
      { ...base, line_items: [] },
      { ...base, success_url: 'javascript:alert(1)' },
      { ...base, expires_at: Math.floor(clock.now().getTime() / 1000) - 10 },
    ]) {
      const error = await stripe.checkout.sessions.create(params).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    }
  });
});

describe('the hosted payment page', () => {
  it('is labelled, lists the test cards, and has a strict CSP of its own', async () => {
    const session = await newSession();
    const res = await page(session.url!);
    expect(res.status).toBe(200);
    for (const label of ['Card number', 'Expiry', 'CVC', 'Name on card']) {
      expect(res.html).toMatch(new RegExp(`<label for="\\w+">${label}</label>`));
    }
    expect(res.html).toContain('MM / YY');
    expect(res.html).toContain('<button type="submit">Pay</button>');
    expect(res.html).toContain('$25.99');
    for (const number of [
      '4242 4242 4242 4242',
      '4000 0000 0000 0002',
      '4000 0000 0000 9995',
      '4000 0000 0000 7775',
    ]) {
      expect(res.html).toContain(number);
    }
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[\w+/=]+'; /);
    expect(csp).toContain(`form-action 'self' ${SHOP}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('script-src');
    expect(res.html).not.toContain('<script');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('shows a decline on the page, keeps the session open, and takes another card', async () => {
    const session = await newSession();
    const intentId = intentOf(session);
    const declined = await submit(session.url!, card('4000 0000 0000 0002'));
    expect(declined.status).toBe(402);
    expect(declined.html).toMatch(/<div class="alert" role="alert"[^>]*autofocus>/);
    expect(declined.html).toContain('Payment declined');
    expect(declined.html).toContain('Your card was declined.');
    // The card number is never written back into the page; the name and expiry are.
    expect(declined.html).not.toMatch(/value="4000/);
    expect(declined.html).toContain('value="Pat Payer"');
    expect(await stripe.checkout.sessions.retrieve(session.id)).toMatchObject({
      status: 'open',
      payment_status: 'unpaid',
    });

    const paid = await submit(session.url!, card('4242424242424242'));
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(session.success_url);
    expect(await stripe.checkout.sessions.retrieve(session.id)).toMatchObject({
      status: 'complete',
      payment_status: 'paid',
      url: null,
    });
    expect((await stripe.paymentIntents.retrieve(intentId)).status).toBe('succeeded');
    await waitFor(() => eventsOf(session.id).includes('checkout.session.completed'), {
      what: 'checkout.session.completed',
    });
    await waitFor(() => eventsOf(intentId).includes('payment_intent.succeeded'), {
      what: 'payment_intent.succeeded',
    });
    expect(eventsOf(intentId)).toContain('payment_intent.payment_failed');

    // The page now says it is paid, and a second submit charges nothing.
    const after = await page(session.url!);
    expect(after.html).toContain('This payment is complete');
    const again = await submit(session.url!, card('4242 4242 4242 4242'));
    expect(again.status).toBe(200);
    expect(again.html).toContain('This payment is complete');
    expect(eventsOf(session.id).filter((t) => t === 'checkout.session.completed')).toHaveLength(1);
  });

  it('declines 4000 0000 0000 9995 for insufficient funds', async () => {
    const session = await newSession();
    const res = await submit(session.url!, card('4000 0000 0000 9995'));
    expect(res.status).toBe(402);
    expect(res.html).toContain('Your card has insufficient funds.');
    const intent = await stripe.paymentIntents.retrieve(intentOf(session));
    expect(intent.last_payment_error).toMatchObject({ decline_code: 'insufficient_funds' });
    expect(intent.status).toBe('requires_payment_method');
  });

  it('sends the browser back at once with the processing card, which succeeds a moment later', async () => {
    const session = await newSession();
    const intentId = intentOf(session);
    const res = await submit(session.url!, card('4000 0000 0000 7775'));
    expect(res.status).toBe(303);
    expect(await stripe.checkout.sessions.retrieve(session.id)).toMatchObject({
      status: 'complete',
      payment_status: 'unpaid',
    });
    expect((await stripe.paymentIntents.retrieve(intentId)).status).toBe('processing');
    await waitFor(() => eventsOf(intentId).includes('payment_intent.succeeded'), {
      what: 'the processing payment settling',
    });
    expect((await stripe.paymentIntents.retrieve(intentId)).status).toBe('succeeded');
  });

  it('says so when a session has expired, and charges nothing there', async () => {
    const now = Math.floor(clock.now().getTime() / 1000);
    const session = await newSession({ expiresAt: now + 60 });
    expect((await page(session.url!)).status).toBe(200);
    clock.advance(61_000);
    try {
      const res = await page(session.url!);
      expect(res.status).toBe(410);
      expect(res.html).toContain('This payment page has expired');
      expect(res.html).toContain(`href="${session.cancel_url}"`);
      const post = await submit(session.url!, card('4242 4242 4242 4242'));
      expect(post.status).toBe(410);
      expect((await stripe.paymentIntents.retrieve(intentOf(session))).status).toBe(
        'requires_payment_method',
      );
      expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('expired');
    } finally {
      clock.advance(-61_000);
    }
  });

  it('names each field that is wrong, linked from an announced summary, and charges nothing', async () => {
    const session = await newSession();
    const res = await submit(session.url!, {
      cardNumber: '4242 4242 4242 4241',
      expiry: '01 / 20',
      cvc: '12',
      name: '',
    });
    expect(res.status).toBe(422);
    expect(res.html).toContain('There is a problem');
    expect(res.html).toContain('<a href="#cardNumber">Your card number is invalid.</a>');
    expect(res.html).toContain('Your card’s expiry date is in the past.');
    expect(res.html).toContain('Your card’s security code is 3 or 4 digits.');
    expect(res.html).toContain('Enter the name on your card.');
    expect(res.html).toMatch(
      /id="cardNumber"[^>]*aria-invalid="true"[^>]*aria-describedby="cardNumber-error"/,
    );
    const unknown = await submit(session.url!, card('4111 1111 1111 1111'));
    expect(unknown.html).toContain('use one of the test card numbers listed');
    expect((await stripe.paymentIntents.retrieve(intentOf(session))).status).toBe(
      'requires_payment_method',
    );
  });

  it('refuses a form posted from another origin', async () => {
    const session = await newSession();
    const res = await submit(session.url!, card('4242 4242 4242 4242'), 'http://evil.example');
    expect(res.status).toBe(403);
    const hidden = await fetch(session.url!, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'null',
        'sec-fetch-site': 'cross-site',
      },
      body: new URLSearchParams(card('4242 4242 4242 4242')).toString(),
      redirect: 'manual',
    });
    expect(hidden.status).toBe(403);
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
  });

  it('answers an unknown session with a page that says so', async () => {
    const res = await page(`${gateway.url}/pay/cs_test_nope`);
    expect(res.status).toBe(404);
    expect(res.html).toContain('Payment page not found');
  });

  it('keeps no card number, CVC or expiry anywhere in its state', async () => {
    const session = await newSession();
    await submit(session.url!, card('4000 0000 0000 0002'));
    await submit(session.url!, card('4242 4242 4242 4242'));
    const rows = await queryRows<{ row: string }>(
      database.db,
      sql`select row_to_json(t)::text as row from gateway.payment_intents t
          union all select row_to_json(t)::text from gateway.checkout_sessions t
          union all select row_to_json(t)::text from gateway.events t
          union all select row_to_json(t)::text from gateway.idempotency t`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const { row } of rows) {
      expect(row).not.toMatch(/4242 ?4242 ?4242 ?4242|4000 ?0000 ?0000 ?0002|12 \/ 34|Pat Payer/);
    }
  });
});

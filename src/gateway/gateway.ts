import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import fastifyFormbody from '@fastify/formbody';
import { and, desc, eq, inArray, isNull, lte, sql, type SQL } from 'drizzle-orm';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Config } from '../config.js';
import { preparedRows, type Db } from '../db/client.js';
import type { Clock } from '../shared/clock.js';
import { signWebhook } from '../shared/webhook-signature.js';
import {
  gatewayEvents,
  gatewayIdempotency,
  gatewayIntents,
  gatewayRefunds,
} from './gateway.table.js';

/**
 * The built-in payment gateway: a stand-in for a real provider, speaking the subset of Stripe's
 * API that Ordo uses (form-encoded requests, Stripe's object and error shapes), on its own
 * loopback port, with its state in its own schema. Test payment methods decide the outcome.
 * Webhooks are signed like Stripe's and retried with backoff until acknowledged; an intent's
 * metadata can ask for them to be sent twice (`gateway_webhooks=duplicate`), late
 * (`gateway_webhook_delay_ms`), or not at all (`gateway_webhooks=none`), for tests.
 */

/** The longest an idle gateway sleeps between looking for payments to settle and webhooks to send. */
const IDLE_TICK_MS = 2_000;

export interface GatewayOptions {
  db: Db;
  port: number;
  host?: string;
  /** Where events are posted; a function when it is known only once Ordo listens (`ordo serve`). */
  webhookUrl: string | (() => string);
  webhookSecret: string;
  clock: Clock;
  logger: FastifyBaseLogger;
  /** How long `pm_card_processing` stays processing before it succeeds. */
  settleAfterMs?: number;
  /** How often the delivery and settlement loops run while there is work (idle: see IDLE_TICK_MS). */
  tickMs?: number;
}

export interface RunningGateway {
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

type Intent = typeof gatewayIntents.$inferSelect;

const TEST_METHODS: Record<string, { outcome: 'succeeded' | 'processing' } | { decline: string }> =
  {
    pm_card_visa: { outcome: 'succeeded' },
    pm_card_processing: { outcome: 'processing' },
    pm_card_chargeDeclined: { decline: 'generic_decline' },
    pm_card_chargeDeclinedInsufficientFunds: { decline: 'insufficient_funds' },
  };

/**
 * A delivered event's `next_attempt_at`: past every due time, so the due-events index holds
 * only what is still to send, and the delivery query never walks the delivered history.
 */
const DELIVERED = new Date('9999-12-31T00:00:00Z');

/** The status of an idempotency key whose first request is still running. */
const IN_FLIGHT = 0;

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

/** Stripe's payment intent object. */
function intentObject(row: Intent) {
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
function refundObject(row: typeof gatewayRefunds.$inferSelect, currency: string) {
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

class StripeError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message));
  }
}

const invalid = (message: string, param?: string, code = 'parameter_invalid') =>
  new StripeError(400, {
    type: 'invalid_request_error',
    code,
    message,
    ...(param ? { param } : {}),
  });

/**
 * Request bodies, as Stripe's form encoding and @fastify/formbody give them: every value a
 * string, metadata as `metadata[key]` fields. Each may be missing; the handlers check.
 */
type Metadata = { [field: `metadata[${string}]`]: string | undefined };
type CreateIntentForm = Metadata & {
  amount?: string;
  currency?: string;
  payment_method?: string;
  confirm?: string;
};
type ConfirmForm = { payment_method?: string };
type RefundForm = Metadata & { payment_intent?: string; amount?: string };
/** The `Idempotency-Key` header. */
type IdempotentRequest = { Headers: { 'idempotency-key'?: string } };

/** `metadata[order_id]=x` form fields → `{ order_id: 'x' }`. */
function metadataOf(form: Metadata): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(form)) {
    const match = /^metadata\[(.+)\]$/.exec(key);
    if (match && typeof value === 'string') metadata[match[1]!] = value;
  }
  return metadata;
}

/** What a process may choose when it runs the gateway; the rest comes from the config. */
export type GatewaySettings = Partial<
  Pick<GatewayOptions, 'port' | 'host' | 'webhookUrl' | 'settleAfterMs' | 'tickMs'>
>;

/**
 * The one options builder: the gateway's port (`GATEWAY_PORT`), loopback unless told
 * otherwise, and webhooks to `PAYMENT_WEBHOOK_URL` or Ordo's own route on `PORT`.
 */
export function gatewayOptions(
  config: Config,
  deps: Pick<GatewayOptions, 'db' | 'clock' | 'logger' | 'webhookSecret'>,
  settings: GatewaySettings = {},
): GatewayOptions {
  return {
    ...deps,
    port: config.gatewayPort,
    host: '127.0.0.1',
    webhookUrl:
      config.paymentWebhookUrl ??
      `http://127.0.0.1:${config.port}/api/v1/webhooks/payments/builtin`,
    ...settings,
  };
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { db, clock } = options;
  const settleAfterMs = options.settleAfterMs ?? 1500;
  const app = Fastify({ loggerInstance: options.logger.child({ component: 'gateway' }) });
  await app.register(fastifyFormbody);

  const send = (reply: FastifyReply, status: number, body: unknown) =>
    reply.code(status).send(body);

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof StripeError) return send(reply, error.status, { error: error.body });
    options.logger.error({ err: error }, 'gateway error');
    return send(reply, 500, {
      error: { type: 'api_error', message: 'An unexpected error occurred' },
    });
  });

  // Every request needs a secret key, as Stripe's API does.
  app.addHook('onRequest', async (request) => {
    if (!/^Bearer sk_\w+/.test(request.headers.authorization ?? '')) {
      throw new StripeError(401, {
        type: 'invalid_request_error',
        message: 'Invalid API Key provided',
      });
    }
  });

  /** Stripe's Idempotency-Key: the first response is stored and replayed; another body is an error. */
  /**
   * Stripe's idempotency: the first request with a key claims it, a retry after it finished
   * gets the stored answer, a retry while it runs gets 409 (never a second charge or refund),
   * and a request that failed unexpectedly gives the key back.
   */
  async function idempotent(
    key: string | undefined,
    form: unknown,
    run: () => Promise<{ status: number; body: unknown; stored?: boolean }>,
  ) {
    if (!key) return run();
    const fingerprint = createHash('sha256').update(JSON.stringify(form)).digest('hex');
    const claimed = await db
      .insert(gatewayIdempotency)
      .values({ key, fingerprint, status: IN_FLIGHT, body: {}, createdAt: clock.now() })
      .onConflictDoNothing()
      .returning({ key: gatewayIdempotency.key });
    if (claimed.length === 0) {
      const [stored] = await db
        .select()
        .from(gatewayIdempotency)
        .where(eq(gatewayIdempotency.key, key));
      if (stored && stored.fingerprint !== fingerprint) {
        throw invalid(
          'Keys for idempotent requests can only be used with the same parameters they were first used with.',
          undefined,
          'idempotency_key_in_use',
        );
      }
      if (!stored || stored.status === IN_FLIGHT) {
        throw new StripeError(409, {
          type: 'idempotency_error',
          code: 'idempotency_key_in_use',
          message: 'There is currently another in-progress request using this Idempotent Key.',
        });
      }
      return { status: stored.status, body: stored.body };
    }
    let result;
    try {
      result = await run();
    } catch (error) {
      await db.delete(gatewayIdempotency).where(eq(gatewayIdempotency.key, key));
      throw error;
    }
    // `stored`: the request wrote its answer with its own changes.
    if (!result.stored) {
      await db
        .update(gatewayIdempotency)
        .set({ status: result.status, body: result.body })
        .where(eq(gatewayIdempotency.key, key));
    }
    return result;
  }

  /** An intent's event as stored rows (two on `gateway_webhooks=duplicate`, none on `none`). */
  function eventRows(intent: Intent, type: string, extra: Record<string, unknown> = {}) {
    const mode = intent.metadata.gateway_webhooks;
    if (mode === 'none') return [];
    const delay = Number(intent.metadata.gateway_webhook_delay_ms ?? 0) || 0;
    const now = clock.now();
    const event = {
      id: id('evt'),
      object: 'event',
      type,
      created: Math.floor(now.getTime() / 1000),
      data: { object: { ...intentObject(intent), ...extra } },
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
  function sent(events: { nextAttemptAt: Date }[]) {
    if (events.length > 0) dueAt(events[0]!.nextAttemptAt);
  }

  async function store(events: ReturnType<typeof eventRows>) {
    if (events.length > 0) await db.insert(gatewayEvents).values(events);
    sent(events);
  }

  const emit = (intent: Intent, type: string, extra: Record<string, unknown> = {}) =>
    store(eventRows(intent, type, extra));

  /**
   * A new intent written in its final state with its events and, under an idempotency key,
   * the answer stored for the key: one prepared statement, so the intent, its webhook and the
   * replayable answer are written together or not at all.
   */
  async function writeIntent(
    row: Intent,
    events: ReturnType<typeof eventRows>,
    answer: { key: string; status: number; body: unknown } | undefined,
  ) {
    const json = (value: unknown) => (value === null ? null : JSON.stringify(value));
    const ts = (value: Date | null) => value?.toISOString() ?? null;
    const parts: SQL[] = [
      sql`intent as (insert into gateway.payment_intents
            (id, amount, currency, status, payment_method, last_error, metadata, settle_at, created_at)
          values (${row.id}, ${row.amount}, ${row.currency}, ${row.status}, ${row.paymentMethod},
            ${json(row.lastError)}::jsonb, ${json(row.metadata)}::jsonb, ${ts(row.settleAt)}::timestamptz,
            ${ts(row.createdAt)}::timestamptz))`,
      ...events.map(
        (event, i) =>
          sql`${sql.raw(`event${i}`)} as (insert into gateway.events
                (id, type, payload, next_attempt_at, created_at)
              values (${event.id}, ${event.type}, ${json(event.payload)}::jsonb,
                ${ts(event.nextAttemptAt)}::timestamptz, ${ts(event.createdAt)}::timestamptz))`,
      ),
    ];
    const last = answer
      ? sql`update gateway.idempotency set status = ${answer.status}, body = ${json(answer.body)}::jsonb
            where key = ${answer.key}`
      : sql`select 1`;
    await preparedRows(db, sql`with ${sql.join(parts, sql`, `)} ${last}`);
    sent(events);
  }

  async function loadIntent(intentId: string): Promise<Intent> {
    const [row] = await db.select().from(gatewayIntents).where(eq(gatewayIntents.id, intentId));
    if (!row)
      throw new StripeError(404, {
        type: 'invalid_request_error',
        code: 'resource_missing',
        message: `No such payment_intent: '${intentId}'`,
        param: 'intent',
      });
    return row;
  }

  /**
   * What confirming with `method` makes of an intent: its new fields, and for a decline the
   * card error. An unknown method is a 400 before anything is written.
   */
  function confirmation(method: string | null | undefined, now: Date) {
    const behaviour = method ? TEST_METHODS[method] : undefined;
    if (!method || !behaviour) {
      throw invalid(
        `No such PaymentMethod: '${method ?? ''}'`,
        'payment_method',
        'resource_missing',
      );
    }
    if ('decline' in behaviour) {
      const lastError = {
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
    return {
      changes: {
        status,
        paymentMethod: method,
        lastError: null,
        settleAt: status === 'processing' ? new Date(now.getTime() + settleAfterMs) : null,
      },
      declined: undefined,
    };
  }

  /**
   * What confirming makes of an intent, once written: the event it sends (payment_failed for a
   * decline, succeeded for a success, none while it is processing) and its answer, 200 with the
   * intent, or for a decline 402 with the card error carrying it (a final answer for an
   * idempotency key too, so a retry gets the same 402).
   */
  function confirmationOutcome(
    row: Intent,
    declined: ReturnType<typeof confirmation>['declined'],
  ): { events: ReturnType<typeof eventRows>; answer: { status: number; body: unknown } } {
    if (declined) {
      return {
        events: eventRows(row, 'payment_intent.payment_failed'),
        answer: {
          status: 402,
          body: { error: { type: 'card_error', ...declined, payment_intent: intentObject(row) } },
        },
      };
    }
    return {
      events: row.status === 'succeeded' ? eventRows(row, 'payment_intent.succeeded') : [],
      answer: { status: 200, body: intentObject(row) },
    };
  }

  /** A processing intent's settling, remembered so the settle scan runs when it is due. */
  function settlesAt(row: Intent) {
    if (!row.settleAt) return;
    settleTimes.push(row.settleAt.getTime());
    dueAt(row.settleAt);
  }

  /** A confirmed intent's answer, after its event is stored. */
  async function confirmed(row: Intent, declined: ReturnType<typeof confirmation>['declined']) {
    settlesAt(row);
    const { events, answer } = confirmationOutcome(row, declined);
    await store(events);
    return answer;
  }

  async function confirm(intent: Intent, paymentMethod: string | undefined) {
    if (!['requires_payment_method', 'requires_confirmation'].includes(intent.status)) {
      throw new StripeError(400, {
        type: 'invalid_request_error',
        code: 'payment_intent_unexpected_state',
        message: `This PaymentIntent's status is ${intent.status}; it cannot be confirmed.`,
        payment_intent: intentObject(intent),
      });
    }
    const { changes, declined } = confirmation(paymentMethod ?? intent.paymentMethod, clock.now());
    const [row] = await db
      .update(gatewayIntents)
      .set(changes)
      .where(eq(gatewayIntents.id, intent.id))
      .returning();
    return confirmed(row!, declined);
  }

  // `confirm=true` creates the intent confirmed: written once in its final state, with its
  // event and the key's answer, in one statement.
  app.post<IdempotentRequest & { Body: CreateIntentForm | undefined }>(
    '/v1/payment_intents',
    async (request, reply) => {
      const form = request.body ?? {};
      const key = request.headers['idempotency-key'];
      const result = await idempotent(key, form, async () => {
        const amount = Number(form.amount);
        if (!Number.isSafeInteger(amount) || amount < 1)
          throw invalid('Invalid integer: amount', 'amount');
        if (!/^[a-z]{3}$/.test(form.currency ?? '')) throw invalid('Invalid currency', 'currency');
        const now = clock.now();
        const fields = {
          id: id('pi'),
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
          const [row] = await db.insert(gatewayIntents).values(fields).returning();
          return { status: 200, body: intentObject(row!) };
        }
        const { changes, declined } = confirmation(form.payment_method, now);
        const row: Intent = { ...fields, ...changes };
        const { events, answer } = confirmationOutcome(row, declined);
        await writeIntent(row, events, key ? { key, ...answer } : undefined);
        settlesAt(row);
        return { ...answer, stored: Boolean(key) };
      });
      return send(reply, result.status, result.body);
    },
  );

  // Stripe's search, for the one query Ordo makes: `metadata['key']:'value'`. Unlike Stripe's
  // index, it sees an intent as soon as it is written.
  app.get<{ Querystring: { query?: string; limit?: string } }>(
    '/v1/payment_intents/search',
    async (request) => {
      const match = /^metadata\['((?:[^'\\]|\\.)+)'\]:'((?:[^'\\]|\\.)*)'$/.exec(
        request.query.query ?? '',
      );
      if (!match) throw invalid('Unsupported search query', 'query');
      const unescape = (text: string) => text.replace(/\\(.)/g, '$1');
      const limit = Math.min(100, Math.max(1, Number(request.query.limit ?? 10) || 10));
      const rows = await db
        .select()
        .from(gatewayIntents)
        .where(
          sql`${gatewayIntents.metadata} @> ${JSON.stringify({ [unescape(match[1]!)]: unescape(match[2]!) })}::jsonb`,
        )
        .orderBy(desc(gatewayIntents.createdAt), desc(gatewayIntents.id))
        .limit(limit + 1);
      return {
        object: 'search_result',
        url: '/v1/payment_intents/search',
        has_more: rows.length > limit,
        next_page: null,
        data: rows.slice(0, limit).map(intentObject),
      };
    },
  );

  app.get<{ Params: { id: string } }>('/v1/payment_intents/:id', async (request) =>
    intentObject(await loadIntent(request.params.id)),
  );

  app.post<IdempotentRequest & { Params: { id: string }; Body: ConfirmForm | undefined }>(
    '/v1/payment_intents/:id/confirm',
    async (request, reply) => {
      const form = request.body ?? {};
      const result = await idempotent(
        request.headers['idempotency-key'],
        { ...form, intent: request.params.id },
        async () => confirm(await loadIntent(request.params.id), form.payment_method),
      );
      return send(reply, result.status, result.body);
    },
  );

  app.post<IdempotentRequest & { Body: RefundForm | undefined }>(
    '/v1/refunds',
    async (request, reply) => {
      const form = request.body ?? {};
      const result = await idempotent(request.headers['idempotency-key'], form, async () => {
        const intent = await loadIntent(form.payment_intent ?? '');
        if (intent.status !== 'succeeded') {
          throw invalid(
            'This PaymentIntent has not succeeded; there is nothing to refund.',
            'payment_intent',
            'charge_not_succeeded',
          );
        }
        const remaining = intent.amount - intent.amountRefunded;
        const amount = form.amount === undefined ? remaining : Number(form.amount);
        if (remaining === 0)
          throw invalid('Charge has already been refunded.', undefined, 'charge_already_refunded');
        if (!Number.isSafeInteger(amount) || amount < 1 || amount > remaining) {
          throw invalid(
            `Refund amount (${form.amount}) is greater than unrefunded amount on charge (${remaining})`,
            'amount',
            'amount_too_large',
          );
        }
        // One conditional statement: concurrent refunds never exceed the charge.
        const [updated] = await db
          .update(gatewayIntents)
          .set({ amountRefunded: sql`${gatewayIntents.amountRefunded} + ${amount}` })
          .where(
            and(
              eq(gatewayIntents.id, intent.id),
              lte(sql`${gatewayIntents.amountRefunded} + ${amount}`, gatewayIntents.amount),
            ),
          )
          .returning();
        if (!updated)
          throw invalid(
            'Refund amount is greater than unrefunded amount on charge',
            'amount',
            'amount_too_large',
          );
        const [refund] = await db
          .insert(gatewayRefunds)
          .values({
            id: id('re'),
            paymentIntentId: intent.id,
            amount,
            status: 'succeeded',
            metadata: metadataOf(form),
            createdAt: clock.now(),
          })
          .returning();
        const body = refundObject(refund!, intent.currency);
        await emit(updated, 'charge.refunded', { refund: body });
        return { status: 200, body };
      });
      return send(reply, result.status, result.body);
    },
  );

  app.get<{ Querystring: { payment_intent?: string; limit?: string } }>(
    '/v1/refunds',
    async (request) => {
      const intent = await loadIntent(request.query.payment_intent ?? '');
      const limit = Math.min(100, Math.max(1, Number(request.query.limit ?? 10) || 10));
      const rows = await db
        .select()
        .from(gatewayRefunds)
        .where(eq(gatewayRefunds.paymentIntentId, intent.id))
        .orderBy(desc(gatewayRefunds.createdAt), desc(gatewayRefunds.id))
        .limit(limit + 1);
      return {
        object: 'list',
        url: '/v1/refunds',
        has_more: rows.length > limit,
        data: rows.slice(0, limit).map((row) => refundObject(row, intent.currency)),
      };
    },
  );

  // --- background: settle processing payments, deliver webhooks ---

  let stopped = false;
  // The loop runs every tickMs while it finds work. Otherwise it sleeps until the earliest
  // moment this process knows something falls due (a processing payment settles, a delayed or
  // retried webhook), and at most IDLE_TICK_MS: what another gateway process left, or a clock
  // moved by a test, is found within that. An idle gateway costs two queries per IDLE_TICK_MS,
  // not ten a second.
  let nextDue = Number.POSITIVE_INFINITY;
  // When this process's processing payments settle. The settle query (a scan of the intents
  // by status) runs when one of them is due, or once per IDLE_TICK_MS for the others, not on
  // every tick that delivers webhooks.
  const settleTimes: number[] = [];
  let lastSweep = Number.NEGATIVE_INFINITY;
  let wake: (() => void) | undefined;
  function dueAt(at: Date) {
    if (at.getTime() >= nextDue) return;
    nextDue = at.getTime();
    wake?.(); // plan the sleep again
  }

  async function settle() {
    const due = await db
      .update(gatewayIntents)
      .set({ status: 'succeeded', settleAt: null })
      .where(
        and(eq(gatewayIntents.status, 'processing'), lte(gatewayIntents.settleAt, clock.now())),
      )
      .returning();
    for (const intent of due) await emit(intent, 'payment_intent.succeeded');
    return due.length;
  }

  async function deliver() {
    const now = clock.now();
    // Claim due events for 30 s, so two gateway processes never send the same one at once.
    const due = await db
      .update(gatewayEvents)
      .set({ nextAttemptAt: new Date(now.getTime() + 30_000) })
      .where(
        sql`${gatewayEvents.id} in (select id from gateway.events where delivered_at is null and next_attempt_at <= ${now} order by created_at limit 20 for update skip locked)`,
      )
      .returning();
    const delivered: string[] = [];
    await Promise.all(
      due.map(async (event) => {
        const body = JSON.stringify(event.payload);
        let ok: boolean;
        try {
          const target =
            typeof options.webhookUrl === 'string' ? options.webhookUrl : options.webhookUrl();
          const response = await fetch(target, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'stripe-signature': signWebhook(
                options.webhookSecret,
                body,
                Math.floor(clock.now().getTime() / 1000),
              ),
            },
            body,
            signal: AbortSignal.timeout(10_000),
          });
          ok = response.ok;
          await response.arrayBuffer(); // read to the end, so the connection is reused
        } catch {
          ok = false;
        }
        if (ok) {
          delivered.push(event.id);
          return;
        }
        const attempts = event.attempts + 1;
        const retryAt = new Date(clock.now().getTime() + Math.min(2 ** attempts * 500, 3_600_000));
        await db
          .update(gatewayEvents)
          .set({ attempts, nextAttemptAt: retryAt })
          .where(and(eq(gatewayEvents.id, event.id), isNull(gatewayEvents.deliveredAt)));
        dueAt(retryAt);
      }),
    );
    // The acknowledged ones marked delivered together: one statement per tick, not per event.
    if (delivered.length > 0) {
      await db
        .update(gatewayEvents)
        .set({
          attempts: sql`${gatewayEvents.attempts} + 1`,
          deliveredAt: clock.now(),
          nextAttemptAt: DELIVERED,
        })
        .where(and(inArray(gatewayEvents.id, delivered), isNull(gatewayEvents.deliveredAt)));
    }
    return due.length;
  }

  const tickMs = options.tickMs ?? 200;
  const idleTickMs = Math.max(tickMs, IDLE_TICK_MS);
  const loop = async () => {
    while (!stopped) {
      const ranAt = clock.now().getTime();
      let busy = false;
      // Real time, not the clock: a test's clock moved back must not stop the sweeps.
      const sweep = performance.now() - lastSweep >= idleTickMs;
      if (sweep) lastSweep = performance.now();
      const due = settleTimes.filter((at) => at <= ranAt).length;
      if (sweep || due > 0) {
        settleTimes.splice(0, settleTimes.length, ...settleTimes.filter((at) => at > ranAt));
      }
      try {
        busy = (sweep || due > 0 ? await settle() : 0) + (await deliver()) > 0;
      } catch (error) {
        options.logger.warn({ err: error }, 'gateway background work failed');
      }
      if (nextDue <= ranAt) nextDue = Number.POSITIVE_INFINITY; // this run saw it
      const sleepMs = busy
        ? tickMs
        : Math.min(idleTickMs, Math.max(tickMs, nextDue - clock.now().getTime()));
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, sleepMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  };

  await app.listen({ port: options.port, host: options.host ?? '127.0.0.1' });
  const running = loop();
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    async close() {
      stopped = true;
      wake?.();
      await running;
      await app.close();
    },
  };
}

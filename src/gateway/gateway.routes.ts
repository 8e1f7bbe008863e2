import fastifyFormbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import { createSession, retrieveSession } from './checkout-sessions.js';
import type { GatewayState } from './gateway.state.js';
import { hostedPageRoutes } from './hosted-page.routes.js';
import { idempotent } from './idempotency.js';
import { confirmIntent, createIntent, loadIntent, searchIntents } from './intents.js';
import { createRefund, listRefunds } from './refunds.js';
import {
  intentObject,
  invalid,
  refundObject,
  StripeError,
  type ConfirmForm,
  type CreateSessionForm,
  type CreateIntentForm,
  type RefundForm,
} from './stripe-objects.js';

// The Stripe-shaped HTTP surface: form-encoded requests with a secret key, Stripe's objects
// and error shapes, `Idempotency-Key` on the writes. Each route converts the request and
// calls one part.

/** The `Idempotency-Key` header. */
type IdempotentRequest = { Headers: { 'idempotency-key'?: string } };

/** A list's `limit`: 10 unless given, 1 to 100. */
const limitOf = (limit: string | undefined) =>
  Math.min(100, Math.max(1, Number(limit ?? 10) || 10));

/** Stripe's search syntax, for the one query Ordo makes: `metadata['key']:'value'`. */
function metadataQuery(query: string | undefined): { key: string; value: string } {
  const match = /^metadata\['((?:[^'\\]|\\.)+)'\]:'((?:[^'\\]|\\.)*)'$/.exec(query ?? '');
  if (!match) throw invalid('Unsupported search query', 'query');
  const unescape = (text: string) => text.replace(/\\(.)/g, '$1');
  return { key: unescape(match[1]!), value: unescape(match[2]!) };
}

export async function registerGatewayRoutes(
  app: FastifyInstance,
  gateway: GatewayState,
): Promise<void> {
  await app.register(fastifyFormbody);
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof StripeError) return reply.code(error.status).send({ error: error.body });
    gateway.logger.error({ err: error }, 'gateway error');
    return reply.code(500).send({
      error: { type: 'api_error', message: 'An unexpected error occurred' },
    });
  });
  // Every API request needs a secret key, as Stripe's API does: any path under /v1/, a route or
  // not (compose's healthcheck counts on the 401). The hosted payment pages (/pay/...) are for
  // browsers: no key, HTML, their own error handling.
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/v1/')) return;
    if (!/^Bearer sk_\w+/.test(request.headers.authorization ?? '')) {
      throw new StripeError(401, {
        type: 'invalid_request_error',
        message: 'Invalid API Key provided',
      });
    }
  });
  await app.register(hostedPageRoutes(gateway));
  intentRoutes(app, gateway);
  refundRoutes(app, gateway);
  sessionRoutes(app, gateway);
}

function sessionRoutes(app: FastifyInstance, gateway: GatewayState) {
  app.post<IdempotentRequest & { Body: CreateSessionForm | undefined }>(
    '/v1/checkout/sessions',
    async (request, reply) => {
      const form = request.body ?? {};
      const answer = await idempotent(gateway, request.headers['idempotency-key'], form, () =>
        createSession(gateway, form),
      );
      return reply.code(answer.status).send(answer.body);
    },
  );

  app.get<{ Params: { id: string } }>('/v1/checkout/sessions/:id', async (request) =>
    retrieveSession(gateway, request.params.id),
  );
}

function intentRoutes(app: FastifyInstance, gateway: GatewayState) {
  app.post<IdempotentRequest & { Body: CreateIntentForm | undefined }>(
    '/v1/payment_intents',
    async (request, reply) => {
      const form = request.body ?? {};
      const key = request.headers['idempotency-key'];
      const answer = await idempotent(gateway, key, form, () => createIntent(gateway, form, key));
      return reply.code(answer.status).send(answer.body);
    },
  );

  app.get<{ Querystring: { query?: string; limit?: string } }>(
    '/v1/payment_intents/search',
    async (request) => {
      const metadata = metadataQuery(request.query.query);
      const found = await searchIntents(gateway, metadata, limitOf(request.query.limit));
      return {
        object: 'search_result',
        url: '/v1/payment_intents/search',
        has_more: found.hasMore,
        next_page: null,
        data: found.rows.map(intentObject),
      };
    },
  );

  app.get<{ Params: { id: string } }>('/v1/payment_intents/:id', async (request) =>
    intentObject(await loadIntent(gateway, request.params.id)),
  );

  app.post<IdempotentRequest & { Params: { id: string }; Body: ConfirmForm | undefined }>(
    '/v1/payment_intents/:id/confirm',
    async (request, reply) => {
      const form = request.body ?? {};
      const answer = await idempotent(
        gateway,
        request.headers['idempotency-key'],
        { ...form, intent: request.params.id },
        async () =>
          confirmIntent(gateway, await loadIntent(gateway, request.params.id), form.payment_method),
      );
      return reply.code(answer.status).send(answer.body);
    },
  );
}

function refundRoutes(app: FastifyInstance, gateway: GatewayState) {
  app.post<IdempotentRequest & { Body: RefundForm | undefined }>(
    '/v1/refunds',
    async (request, reply) => {
      const form = request.body ?? {};
      const answer = await idempotent(gateway, request.headers['idempotency-key'], form, () =>
        createRefund(gateway, form),
      );
      return reply.code(answer.status).send(answer.body);
    },
  );

  app.get<{ Querystring: { payment_intent?: string; limit?: string } }>(
    '/v1/refunds',
    async (request) => {
      const intent = await loadIntent(gateway, request.query.payment_intent ?? '');
      const found = await listRefunds(gateway, intent.id, limitOf(request.query.limit));
      return {
        object: 'list',
        url: '/v1/refunds',
        has_more: found.hasMore,
        data: found.rows.map((row) => refundObject(row, intent.currency)),
      };
    },
  );
}

import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { idempotencyHeaders, replyIdempotently } from '../../shared/idempotency.js';
import { idParams } from '../../shared/schemas.js';
import { actorOf, bearerSecurity, requireRole } from '../auth/auth.guard.js';
import { orderCallerHook, orderCallerOf, orderTokenSecurity } from '../orders/order-caller.js';
import { paymentOwner } from '../orders/orderer.js';
import { orderSchema } from '../orders/orders.schemas.js';
import { getOrder } from '../orders/orders.service.js';
import { createCheckoutSession } from './checkout-session.js';
import {
  checkoutSessionSchema,
  payBody,
  paymentSchema,
  refundBody,
  webhookParams,
} from './payments.schemas.js';
import * as payments from './payments.service.js';
import { refundOrder } from './refunds.js';

export function paymentsRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    const staff = requireRole(ctx.tokens, 'staff', 'admin');
    const security = bearerSecurity;
    const orderCaller = orderCallerHook(ctx);

    app.post(
      '/api/v1/orders/:id/payments',
      {
        onRequest: orderCaller,
        schema: {
          tags: ['payments'],
          summary: 'Pay an order with a payment method from the provider (never card numbers)',
          description:
            "Its customer, signed in or with the order's token in `X-Order-Token`. Test methods on the built-in gateway: pm_card_visa, pm_card_chargeDeclined, pm_card_chargeDeclinedInsufficientFunds, pm_card_processing. Send an `Idempotency-Key` to retry safely.",
          security: orderTokenSecurity,
          params: idParams,
          headers: idempotencyHeaders,
          body: payBody,
          response: { 201: paymentSchema },
        },
      },
      async (request, reply) => {
        const caller = orderCallerOf(request);
        return replyIdempotently(
          ctx,
          { request, reply, userId: paymentOwner(caller), status: 201 },
          () => payments.payOrder(ctx, caller, request.params.id, request.body.paymentMethod),
        );
      },
    );

    app.post(
      '/api/v1/orders/:id/checkout-session',
      {
        onRequest: orderCaller,
        schema: {
          tags: ['payments'],
          summary: "Open the payment provider's hosted page for the order's balance",
          description:
            "Its customer, signed in or with the order's token in `X-Order-Token`. The customer types the card on the provider's page (its own origin; card data never reaches Ordo), comes back to `/orders/{id}?payment=returned`, and the provider's webhook settles the payment. Refused as paying is (409 INVALID_TRANSITION, 409 PAYMENT_IN_PROGRESS, 403 for staff). An order that owes nothing is paid at once and `url` is its page. Send an `Idempotency-Key` to retry safely.",
          security: orderTokenSecurity,
          params: idParams,
          headers: idempotencyHeaders,
          response: { 201: checkoutSessionSchema },
        },
      },
      async (request, reply) => {
        const caller = orderCallerOf(request);
        return replyIdempotently(
          ctx,
          { request, reply, userId: paymentOwner(caller), status: 201 },
          () => createCheckoutSession(ctx, caller, request.params.id),
        );
      },
    );

    app.get(
      '/api/v1/orders/:id/payments',
      {
        onRequest: orderCaller,
        schema: {
          tags: ['payments'],
          description: "Signed in, or with a guest order's token in `X-Order-Token`.",
          security: orderTokenSecurity,
          params: idParams,
          response: { 200: z.array(paymentSchema) },
        },
      },
      async (request) => payments.listPayments(ctx, orderCallerOf(request), request.params.id),
    );

    // Webhooks: the signature covers the exact bytes, so this route reads its body raw.
    await app.register(async (parent) => {
      const scope = parent.withTypeProvider<ZodTypeProvider>();
      // Providers post JSON; any other content type is 415 UNSUPPORTED_MEDIA_TYPE.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser(
        'application/json',
        { parseAs: 'string', bodyLimit: 512 * 1024 },
        (_request, body, done) => done(null, body),
      );
      scope.post(
        '/api/v1/webhooks/payments/:provider',
        {
          schema: {
            tags: ['payments'],
            summary: "The payment provider's signed event callback",
            params: webhookParams,
            response: { 200: z.object({ received: z.literal(true), result: z.string() }) },
          },
        },
        async (request) => {
          const signature = request.headers['stripe-signature'];
          const result = await payments.handleWebhook(
            ctx,
            request.params.provider,
            typeof request.body === 'string' ? request.body : '',
            typeof signature === 'string' ? signature : undefined,
          );
          return { received: true as const, result };
        },
      );
    });

    app.post(
      '/api/v1/admin/orders/:id/refund',
      {
        onRequest: staff,
        schema: {
          tags: ['admin'],
          summary:
            'Refund a paid order in full or in part, restocking the units staff choose (all by default only for a refund in full before shipping)',
          security,
          params: idParams,
          headers: idempotencyHeaders,
          body: refundBody,
          response: { 200: orderSchema },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const idempotencyKey = request.headers['idempotency-key'];
        return replyIdempotently(
          ctx,
          { request, reply, userId: actor.userId, status: 200 },
          async () => {
            await refundOrder(ctx, actor, request.params.id, { ...request.body, idempotencyKey });
            return getOrder(ctx, actor, request.params.id);
          },
        );
      },
    );
  };
}

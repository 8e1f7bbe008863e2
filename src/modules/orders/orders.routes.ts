import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../app-context.js';
import { idempotencyHeaders, replyIdempotently } from '../../shared/idempotency.js';
import { pageOf } from '../../shared/pagination.js';
import { idParams } from '../../shared/schemas.js';
import { actorOf, bearerSecurity, requireRole } from '../auth/auth.guard.js';
import { cancelOrder } from './cancel-order.js';
import { deliverOrder, shipOrder, updateTracking } from './fulfil-order.js';
import * as schemas from './orders.schemas.js';
import * as orders from './orders.service.js';
import {
  checkoutCallerHook,
  optionalBearerSecurity,
  orderCallerHook,
  orderCallerOf,
  orderTokenSecurity,
} from './order-caller.js';
import { idempotencyOwner, ordererOf, placedAnswer } from './orderer.js';
import { placeOrder, quoteOrder } from './place-order.js';

export function ordersRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    const signedIn = requireRole(ctx.tokens);
    const staff = requireRole(ctx.tokens, 'staff', 'admin');
    const security = bearerSecurity;
    const orderCaller = orderCallerHook(ctx);
    const checkoutCaller = checkoutCallerHook(ctx);
    // Guests appear in the document only where this server takes them.
    const checkoutSecurity = ctx.config.allowGuestCheckout ? optionalBearerSecurity : security;

    app.post(
      '/api/v1/orders/quote',
      {
        onRequest: checkoutCaller,
        config: { promoAttempts: true },
        schema: {
          tags: ['orders'],
          summary: 'Price a cart on the server (nothing is reserved)',
          description:
            'No session is needed while guest checkout is on (ALLOW_GUEST_CHECKOUT). `shippingAddressId` names a saved address, and needs a session.',
          security: checkoutSecurity,
          body: schemas.quoteBody,
          response: { 200: schemas.quoteSchema },
        },
      },
      async (request) => quoteOrder(ctx, request.actor, request.body),
    );

    app.post(
      '/api/v1/orders',
      {
        onRequest: checkoutCaller,
        config: {
          promoAttempts: true,
          // Guests' orders per client address; a signed-in customer's are held back by the
          // hoarding limits of their account instead.
          rateLimit: {
            max: ctx.config.rateLimitGuestOrders,
            timeWindow: '1 minute',
            hook: 'preHandler',
            allowList: (request) => request.actor !== undefined,
            keyGenerator: (request) => `guest-orders:${request.ip}`,
          },
        },
        schema: {
          tags: ['orders'],
          summary: 'Place an order: reserves stock for every line or none',
          description:
            "Send an `Idempotency-Key` to retry safely: the first response is stored for 24 h and replayed. Without a session (guest checkout, while ALLOW_GUEST_CHECKOUT is on) the body takes `email`, the answer carries `guestToken` (the order's secret: send it as `X-Order-Token` to read, pay and cancel this order), and guests are limited to RATE_LIMIT_GUEST_ORDERS orders a minute per client address (429 RATE_LIMITED).",
          security: checkoutSecurity,
          headers: idempotencyHeaders,
          body: schemas.placeOrderBody,
          response: { 201: schemas.placedOrderSchema },
        },
      },
      async (request, reply) => {
        const { email, ...input } = request.body;
        const orderer = ordererOf(request.actor, email);
        const order = await replyIdempotently(
          ctx,
          { request, reply, userId: idempotencyOwner(orderer), status: 201 },
          (record) => placeOrder(ctx, orderer, input, record),
        );
        // The token is stored nowhere, with the order or its idempotent answer: it is derived.
        void reply.header('cache-control', 'no-store');
        return placedAnswer(ctx, orderer, order);
      },
    );

    app.get(
      '/api/v1/orders',
      {
        onRequest: signedIn,
        schema: {
          tags: ['orders'],
          summary: 'Your orders, newest first',
          security,
          querystring: schemas.ownOrdersQuery,
          response: { 200: pageOf(schemas.orderSchema) },
        },
      },
      async (request) => {
        const { status, ...page } = request.query;
        return orders.listOwnOrders(ctx, actorOf(request), { status }, page);
      },
    );

    app.get(
      '/api/v1/orders/:id',
      {
        onRequest: orderCaller,
        schema: {
          tags: ['orders'],
          description: "Signed in, or with a guest order's token in `X-Order-Token`.",
          security: orderTokenSecurity,
          params: idParams,
          response: { 200: schemas.orderSchema },
        },
      },
      async (request) => orders.getOrder(ctx, orderCallerOf(request), request.params.id),
    );

    app.post(
      '/api/v1/orders/:id/cancel',
      {
        onRequest: orderCaller,
        schema: {
          tags: ['orders'],
          summary: 'Cancel an unpaid order; its stock returns',
          description: "Its customer, signed in or with the order's token in `X-Order-Token`.",
          security: orderTokenSecurity,
          params: idParams,
          body: schemas.cancelBody,
          response: { 200: schemas.orderSchema },
        },
      },
      async (request) =>
        cancelOrder(ctx, orderCallerOf(request), request.params.id, request.body ?? {}),
    );

    app.get(
      '/api/v1/admin/orders',
      {
        onRequest: staff,
        schema: {
          tags: ['admin'],
          summary: 'All orders, newest first',
          security,
          querystring: schemas.adminOrdersQuery,
          response: { 200: pageOf(schemas.orderSchema) },
        },
      },
      async (request) => {
        const { page, pageSize, from, to, ...filter } = request.query;
        return orders.listAllOrders(
          ctx,
          actorOf(request),
          { ...filter, from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined },
          { page, pageSize },
        );
      },
    );

    app.get(
      '/api/v1/admin/orders/:id',
      {
        onRequest: staff,
        schema: {
          tags: ['admin'],
          security,
          params: idParams,
          response: { 200: schemas.orderSchema },
        },
      },
      async (request) => orders.getOrder(ctx, actorOf(request), request.params.id),
    );

    app.post(
      '/api/v1/admin/orders/:id/ship',
      {
        onRequest: staff,
        schema: {
          tags: ['admin'],
          summary: 'Ship a paid order',
          security,
          params: idParams,
          body: schemas.shipBody,
          response: { 200: schemas.orderSchema },
        },
      },
      async (request) => shipOrder(ctx, actorOf(request), request.params.id, request.body ?? {}),
    );

    app.patch(
      '/api/v1/admin/orders/:id/tracking',
      {
        onRequest: staff,
        schema: {
          tags: ['admin'],
          summary: 'Add or correct the tracking of a shipped or delivered order',
          description:
            'Sets the carrier and tracking number, writes a history entry and emails the customer the new tracking. 409 INVALID_TRANSITION before the order has shipped.',
          security,
          params: idParams,
          body: schemas.trackingBody,
          response: { 200: schemas.orderSchema },
        },
      },
      async (request) => updateTracking(ctx, actorOf(request), request.params.id, request.body),
    );

    app.post(
      '/api/v1/admin/orders/:id/deliver',
      {
        onRequest: staff,
        schema: {
          tags: ['admin'],
          summary: 'Mark a shipped order delivered',
          security,
          params: idParams,
          response: { 200: schemas.orderSchema },
        },
      },
      async (request) => deliverOrder(ctx, actorOf(request), request.params.id),
    );

    app.post(
      '/api/v1/admin/orders/:id/cancel',
      {
        onRequest: staff,
        schema: {
          tags: ['admin'],
          summary: 'Cancel an order; a paid one is refunded in full (restock defaults to true)',
          security,
          params: idParams,
          body: schemas.staffCancelBody,
          response: { 200: schemas.orderSchema },
        },
      },
      async (request) => cancelOrder(ctx, actorOf(request), request.params.id, request.body ?? {}),
    );
  };
}

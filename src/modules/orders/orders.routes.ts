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
import { placeOrder, quoteOrder } from './place-order.js';

export function ordersRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    const signedIn = requireRole(ctx.tokens);
    const staff = requireRole(ctx.tokens, 'staff', 'admin');
    const security = bearerSecurity;

    app.post(
      '/api/v1/orders/quote',
      {
        onRequest: signedIn,
        config: { promoAttempts: true },
        schema: {
          tags: ['orders'],
          summary: 'Price a cart on the server (nothing is reserved)',
          security,
          body: schemas.quoteBody,
          response: { 200: schemas.quoteSchema },
        },
      },
      async (request) => quoteOrder(ctx, actorOf(request), request.body),
    );

    app.post(
      '/api/v1/orders',
      {
        onRequest: signedIn,
        config: { promoAttempts: true },
        schema: {
          tags: ['orders'],
          summary: 'Place an order: reserves stock for every line or none',
          description:
            'Send an `Idempotency-Key` to retry safely: the first response is stored for 24 h and replayed.',
          security,
          headers: idempotencyHeaders,
          body: schemas.placeOrderBody,
          response: { 201: schemas.orderSchema },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        return replyIdempotently(
          ctx,
          { request, reply, userId: actor.userId, status: 201 },
          (record) => placeOrder(ctx, actor, request.body, record),
        );
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
        onRequest: signedIn,
        schema: {
          tags: ['orders'],
          security,
          params: idParams,
          response: { 200: schemas.orderSchema },
        },
      },
      async (request) => orders.getOrder(ctx, actorOf(request), request.params.id),
    );

    app.post(
      '/api/v1/orders/:id/cancel',
      {
        onRequest: signedIn,
        schema: {
          tags: ['orders'],
          summary: 'Cancel an unpaid order; its stock returns',
          security,
          params: idParams,
          body: schemas.cancelBody,
          response: { 200: schemas.orderSchema },
        },
      },
      async (request) => cancelOrder(ctx, actorOf(request), request.params.id, request.body ?? {}),
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

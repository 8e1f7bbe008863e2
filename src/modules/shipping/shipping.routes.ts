import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { pageOf } from '../../shared/pagination.js';
import { idParams } from '../../shared/schemas.js';
import { bearerSecurity, requireRole } from '../auth/auth.guard.js';
import {
  shippingMethodBody,
  shippingMethodPatchBody,
  shippingMethodSchema,
  shippingMethodsQuery,
} from './shipping.schemas.js';
import * as shipping from './shipping.service.js';

export function shippingRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    const admin = { onRequest: requireRole(ctx.tokens, 'admin') };
    const security = bearerSecurity;
    const tags = ['admin'];

    app.get(
      '/api/v1/admin/shipping-methods',
      {
        ...admin,
        schema: {
          tags,
          summary: 'Shipping methods, active first, cheapest first',
          security,
          querystring: shippingMethodsQuery,
          response: { 200: pageOf(shippingMethodSchema) },
        },
      },
      async (request) => {
        const { page, pageSize, active } = request.query;
        return shipping.listShippingMethods(ctx, { active }, { page, pageSize });
      },
    );

    app.post(
      '/api/v1/admin/shipping-methods',
      {
        ...admin,
        schema: {
          tags,
          summary: 'A shipping method: its price, the countries it serves and when it is free',
          security,
          body: shippingMethodBody,
          response: { 201: shippingMethodSchema },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await shipping.createShippingMethod(ctx, request.body)),
    );

    app.get(
      '/api/v1/admin/shipping-methods/:id',
      {
        ...admin,
        schema: { tags, security, params: idParams, response: { 200: shippingMethodSchema } },
      },
      async (request) => shipping.getShippingMethod(ctx, request.params.id),
    );

    app.patch(
      '/api/v1/admin/shipping-methods/:id',
      {
        ...admin,
        schema: {
          tags,
          summary:
            'Change a method (deactivate it to stop offering it): placed orders keep what they were charged',
          security,
          params: idParams,
          body: shippingMethodPatchBody,
          response: { 200: shippingMethodSchema },
        },
      },
      async (request) => shipping.updateShippingMethod(ctx, request.params.id, request.body),
    );

    app.delete(
      '/api/v1/admin/shipping-methods/:id',
      {
        ...admin,
        schema: {
          tags,
          summary: 'Delete a method; placed orders keep its name',
          security,
          params: idParams,
          response: { 204: z.undefined() },
        },
      },
      async (request, reply) => {
        await shipping.deleteShippingMethod(ctx, request.params.id);
        return reply.code(204).send();
      },
    );
  };
}

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { pageOf } from '../../shared/pagination.js';
import { idParams } from '../../shared/schemas.js';
import { bearerSecurity, requireRole } from '../auth/auth.guard.js';
import {
  promoBody,
  promoListQuery,
  promoPatchBody,
  promoSchema,
  redemptionSchema,
  redemptionsQuery,
} from './promotions.schemas.js';
import * as promotions from './promotions.service.js';

export function promotionsRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    const admin = { onRequest: requireRole(ctx.tokens, 'admin') };
    const security = bearerSecurity;
    const tags = ['admin'];

    app.get(
      '/api/v1/admin/promo-codes',
      {
        ...admin,
        schema: {
          tags,
          security,
          querystring: promoListQuery,
          response: { 200: pageOf(promoSchema) },
        },
      },
      async (request) => {
        const { page, pageSize, ...filter } = request.query;
        return promotions.listPromos(ctx, filter, { page, pageSize });
      },
    );

    app.post(
      '/api/v1/admin/promo-codes',
      { ...admin, schema: { tags, security, body: promoBody, response: { 201: promoSchema } } },
      async (request, reply) =>
        reply.code(201).send(await promotions.createPromo(ctx, request.body)),
    );

    app.get(
      '/api/v1/admin/promo-codes/:id',
      { ...admin, schema: { tags, security, params: idParams, response: { 200: promoSchema } } },
      async (request) => promotions.getPromo(ctx, request.params.id),
    );

    app.patch(
      '/api/v1/admin/promo-codes/:id',
      {
        ...admin,
        schema: {
          tags,
          security,
          params: idParams,
          body: promoPatchBody,
          response: { 200: promoSchema },
        },
      },
      async (request) => promotions.updatePromo(ctx, request.params.id, request.body),
    );

    app.delete(
      '/api/v1/admin/promo-codes/:id',
      {
        ...admin,
        schema: {
          tags,
          summary: 'Delete an unused code (a used one can only be deactivated)',
          security,
          params: idParams,
          response: { 204: z.undefined() },
        },
      },
      async (request, reply) => {
        await promotions.deletePromo(ctx, request.params.id);
        return reply.code(204).send();
      },
    );

    app.get(
      '/api/v1/admin/promo-codes/:id/redemptions',
      {
        ...admin,
        schema: {
          tags,
          summary: 'The orders that used a code',
          security,
          params: idParams,
          querystring: redemptionsQuery,
          response: { 200: pageOf(redemptionSchema) },
        },
      },
      async (request) => promotions.listRedemptions(ctx, request.params.id, request.query),
    );
  };
}

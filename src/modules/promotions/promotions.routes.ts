import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { pageOf, pageQuery, queryBoolean } from '../../shared/pagination.js';
import { isoInstant } from '../../shared/time.js';
import { bearerSecurity, requireRole } from '../auth/auth.guard.js';
import { promoTypes } from './promo-code.table.js';
import * as promotions from './promotions.service.js';

const money = z.number().int('must be an integer amount in minor units').min(0).max(1_000_000_000);
const count = z.number().int('must be a whole number').min(1).max(100_000_000);
const time = isoInstant;

const promoFields = {
  code: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'letters, digits, dash and underscore only')
    .max(64),
  type: z.enum(promoTypes),
  amountOff: money.nullable().optional().describe('fixed codes: minor units off'),
  percentOff: z
    .number()
    .min(0)
    .max(100)
    .nullable()
    .optional()
    .describe('percentage codes: 0–100, at most two decimals'),
  maxDiscount: money.nullable().optional().describe('percentage codes: cap in minor units'),
  minSubtotal: money.nullable().optional(),
  startsAt: time.nullable().optional(),
  endsAt: time.nullable().optional().describe('exclusive'),
  usageLimit: count.nullable().optional(),
  perCustomerLimit: count.nullable().optional(),
  active: z.boolean().optional(),
};

const promoBody = z.strictObject(promoFields);
const promoPatchBody = z
  .strictObject(promoFields)
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'at least one field is required');

const promoSchema = z
  .object({
    id: z.string(),
    code: z.string(),
    type: z.enum(promoTypes),
    amountOff: z.number().int().nullable(),
    percentOff: z.number().nullable(),
    maxDiscount: z.number().int().nullable(),
    minSubtotal: z.number().int().nullable(),
    startsAt: z.string().nullable(),
    endsAt: z.string().nullable(),
    usageLimit: z.number().int().nullable(),
    perCustomerLimit: z.number().int().nullable(),
    active: z.boolean(),
    timesUsed: z.number().int().describe('live uses: orders not cancelled or expired'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'PromoCode' });

const redemptionSchema = z.object({
  orderId: z.string(),
  userId: z.string(),
  discount: z.number().int(),
  redeemedAt: z.string(),
  releasedAt: z.string().nullable(),
});

const params = z.strictObject({ id: z.string().min(1).max(64) });

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
          querystring: z.strictObject({
            ...pageQuery,
            q: z.string().trim().max(64).optional(),
            active: queryBoolean.optional(),
          }),
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
      { ...admin, schema: { tags, security, params, response: { 200: promoSchema } } },
      async (request) => promotions.getPromo(ctx, request.params.id),
    );

    app.patch(
      '/api/v1/admin/promo-codes/:id',
      {
        ...admin,
        schema: { tags, security, params, body: promoPatchBody, response: { 200: promoSchema } },
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
          params,
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
          params,
          querystring: z.strictObject(pageQuery),
          response: { 200: pageOf(redemptionSchema) },
        },
      },
      async (request) => promotions.listRedemptions(ctx, request.params.id, request.query),
    );
  };
}

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { pageOf } from '../../shared/pagination.js';
import { idParams } from '../../shared/schemas.js';
import { bearerSecurity, requireRole } from '../auth/auth.guard.js';
import { taxRateBody, taxRatePatchBody, taxRateSchema, taxRatesQuery } from './taxes.schemas.js';
import * as taxes from './taxes.service.js';

export function taxesRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    const admin = { onRequest: requireRole(ctx.tokens, 'admin') };
    const security = bearerSecurity;
    const tags = ['admin'];

    app.get(
      '/api/v1/admin/tax-rates',
      {
        ...admin,
        schema: {
          tags,
          summary: 'Tax rates, by country then region',
          security,
          querystring: taxRatesQuery,
          response: { 200: pageOf(taxRateSchema) },
        },
      },
      async (request) => {
        const { page, pageSize, country } = request.query;
        return taxes.listTaxRates(ctx, { country }, { page, pageSize });
      },
    );

    app.post(
      '/api/v1/admin/tax-rates',
      {
        ...admin,
        schema: {
          tags,
          summary: "A country's or a region's rate (one per place: 409 TAX_RATE_TAKEN)",
          security,
          body: taxRateBody,
          response: { 201: taxRateSchema },
        },
      },
      async (request, reply) => reply.code(201).send(await taxes.createTaxRate(ctx, request.body)),
    );

    app.get(
      '/api/v1/admin/tax-rates/:id',
      { ...admin, schema: { tags, security, params: idParams, response: { 200: taxRateSchema } } },
      async (request) => taxes.getTaxRate(ctx, request.params.id),
    );

    app.patch(
      '/api/v1/admin/tax-rates/:id',
      {
        ...admin,
        schema: {
          tags,
          summary: 'Change a rate: orders placed before keep the rate they were charged',
          security,
          params: idParams,
          body: taxRatePatchBody,
          response: { 200: taxRateSchema },
        },
      },
      async (request) => taxes.updateTaxRate(ctx, request.params.id, request.body),
    );

    app.delete(
      '/api/v1/admin/tax-rates/:id',
      {
        ...admin,
        schema: {
          tags,
          summary: 'Delete a rate: orders to its place are then charged the next rate, or none',
          security,
          params: idParams,
          response: { 204: z.undefined() },
        },
      },
      async (request, reply) => {
        await taxes.deleteTaxRate(ctx, request.params.id);
        return reply.code(204).send();
      },
    );
  };
}

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { idParams } from '../../shared/schemas.js';
import { pageOf, pageQuery } from '../../shared/pagination.js';
import { actorOf, bearerSecurity, requireRole } from '../auth/auth.guard.js';
import * as schemas from './catalog.schemas.js';
import * as catalog from './catalog.service.js';
import * as stock from './stock.service.js';
import { conditional, notModified } from './catalog-http.js';
import { categoryRoutes } from './categories.routes.js';
import * as variants from './variants.service.js';
import { imageRoutes } from './images.routes.js';
import { catalogCsvRoutes } from './catalog-csv.routes.js';

export function catalogRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/products',
      {
        schema: {
          tags: ['catalog'],
          summary: 'Search the catalog',
          querystring: schemas.catalogQuery,
          response: { 200: pageOf(schemas.productSchema), 304: notModified },
        },
      },
      async (request, reply) => {
        const { page, pageSize, sort, option, ...filter } = request.query;
        return conditional(
          request,
          reply,
          await catalog.listCatalog(
            ctx,
            { ...filter, options: option && schemas.groupOptionFilters(option) },
            sort,
            { page, pageSize },
          ),
        );
      },
    );

    app.get(
      '/api/v1/product-options',
      {
        schema: {
          tags: ['catalog'],
          summary: "The catalog's options and their values, to filter by",
          description:
            'Every option name of the active products (in a category and below it with `category`), ' +
            'with the values their active variants have: what `GET /api/v1/products?option=Name:Value` ' +
            'can find. Cached with the catalog; it changes when products or variants do, not with stock.',
          querystring: schemas.productOptionsQuery,
          response: { 200: schemas.catalogOptionsSchema, 304: notModified },
        },
      },
      async (request, reply) =>
        conditional(request, reply, await catalog.catalogOptions(ctx, request.query.category)),
    );

    app.get(
      '/api/v1/products/:id',
      {
        schema: {
          tags: ['catalog'],
          params: idParams,
          response: { 200: schemas.productSchema, 304: notModified },
        },
      },
      async (request, reply) =>
        conditional(request, reply, await catalog.getCatalogProduct(ctx, request.params.id)),
    );

    const admin = { onRequest: requireRole(ctx.tokens, 'admin') };
    const security = bearerSecurity;

    app.get(
      '/api/v1/admin/products',
      {
        ...admin,
        schema: {
          tags: ['admin'],
          security,
          querystring: schemas.adminProductQuery,
          response: { 200: pageOf(schemas.adminProductSchema) },
        },
      },
      async (request) => {
        const { page, pageSize, sort, archived, option, ...filter } = request.query;
        return catalog.adminListProducts(
          ctx,
          {
            ...filter,
            options: option && schemas.groupOptionFilters(option),
            includeArchived: archived ?? false,
          },
          sort,
          { page, pageSize },
        );
      },
    );

    app.post(
      '/api/v1/admin/products',
      {
        ...admin,
        schema: {
          tags: ['admin'],
          security,
          body: schemas.productBody,
          response: { 201: schemas.adminProductSchema },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await catalog.createProduct(ctx, actorOf(request), request.body)),
    );

    app.get(
      '/api/v1/admin/products/:id',
      {
        ...admin,
        schema: {
          tags: ['admin'],
          security,
          params: idParams,
          response: { 200: schemas.adminProductSchema },
        },
      },
      async (request) => catalog.adminGetProduct(ctx, request.params.id),
    );

    app.patch(
      '/api/v1/admin/products/:id',
      {
        ...admin,
        schema: {
          tags: ['admin'],
          summary: 'Update a product; a new stock is recorded as a ledger adjustment',
          security,
          params: idParams,
          body: schemas.productPatchBody,
          response: { 200: schemas.adminProductSchema },
        },
      },
      async (request) =>
        catalog.updateProduct(ctx, actorOf(request), request.params.id, request.body),
    );

    app.delete(
      '/api/v1/admin/products/:id',
      {
        ...admin,
        schema: {
          tags: ['admin'],
          summary: 'Archive a product (it leaves the catalog; orders keep it)',
          security,
          params: idParams,
          response: { 204: z.undefined() },
        },
      },
      async (request, reply) => {
        await catalog.archiveProduct(ctx, request.params.id);
        return reply.code(204).send();
      },
    );

    app.post(
      '/api/v1/admin/products/:id/stock-adjustments',
      {
        ...admin,
        schema: {
          tags: ['admin'],
          summary:
            "Adjust a product's stock by a delta, with a reason (a ledger movement of its one variant; a product with options: 422 VARIANT_REQUIRED, adjust its variants)",
          security,
          params: idParams,
          body: schemas.stockAdjustmentBody,
          response: { 201: schemas.stockMovementSchema },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(await stock.adjustStock(ctx, actorOf(request), request.params.id, request.body)),
    );

    app.get(
      '/api/v1/admin/products/:id/stock-movements',
      {
        ...admin,
        schema: {
          tags: ['admin'],
          security,
          params: idParams,
          querystring: z.strictObject(pageQuery),
          response: { 200: pageOf(schemas.stockMovementSchema) },
        },
      },
      async (request) => stock.listStockMovements(ctx, request.params.id, request.query),
    );

    app.post(
      '/api/v1/admin/products/:id/variants',
      {
        ...admin,
        schema: {
          tags: ['admin'],
          summary:
            'Add a variant to a product with options (a new combination; a new value joins its option)',
          security,
          params: idParams,
          body: schemas.variantBody,
          response: { 201: schemas.variantSchema },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(await variants.addVariant(ctx, actorOf(request), request.params.id, request.body)),
    );

    app.patch(
      '/api/v1/admin/variants/:id',
      {
        ...admin,
        schema: {
          tags: ['admin'],
          summary: "Change a variant's sku, price, active flag or image",
          security,
          params: idParams,
          body: schemas.variantPatchBody,
          response: { 200: schemas.variantSchema },
        },
      },
      async (request) => variants.updateVariant(ctx, request.params.id, request.body),
    );

    app.post(
      '/api/v1/admin/variants/:id/stock-adjustments',
      {
        ...admin,
        schema: {
          tags: ['admin'],
          summary: "Adjust a variant's stock by a delta, with a reason (a ledger movement)",
          security,
          params: idParams,
          body: schemas.stockAdjustmentBody,
          response: { 201: schemas.stockMovementSchema },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(
            await stock.adjustVariantStock(ctx, actorOf(request), request.params.id, request.body),
          ),
    );

    app.get(
      '/api/v1/admin/variants/:id/stock-movements',
      {
        ...admin,
        schema: {
          tags: ['admin'],
          summary: "A variant's stock movements, newest first",
          security,
          params: idParams,
          querystring: z.strictObject(pageQuery),
          response: { 200: pageOf(schemas.stockMovementSchema) },
        },
      },
      async (request) => stock.listVariantStockMovements(ctx, request.params.id, request.query),
    );

    await app.register(imageRoutes(ctx));
    await app.register(categoryRoutes(ctx));
    await app.register(catalogCsvRoutes(ctx));
  };
}

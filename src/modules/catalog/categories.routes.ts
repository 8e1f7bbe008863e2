import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { idParams } from '../../shared/schemas.js';
import { bearerSecurity, requireRole } from '../auth/auth.guard.js';
import * as schemas from './categories.schemas.js';
import * as categories from './categories.service.js';
import { conditional, notModified } from './catalog-http.js';

export function categoryRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/categories',
      {
        schema: {
          tags: ['catalog'],
          summary: 'The category tree',
          description:
            'Every category, top level first, each with its `children` to any depth. ' +
            'Filter the catalog by one with `GET /api/v1/products?category={slug}`.',
          response: { 200: schemas.categoryTreeSchema, 304: notModified },
        },
      },
      async (request, reply) => conditional(request, reply, await categories.readCategoryTree(ctx)),
    );

    const admin = { onRequest: requireRole(ctx.tokens, 'admin') };
    const security = bearerSecurity;

    app.get(
      '/api/v1/admin/categories',
      {
        ...admin,
        schema: {
          tags: ['admin'],
          summary: 'The category tree, with product counts',
          security,
          response: { 200: z.array(schemas.adminCategoryNodeSchema) },
        },
      },
      async () => categories.adminCategoryTree(ctx),
    );

    app.post(
      '/api/v1/admin/categories',
      {
        ...admin,
        schema: {
          tags: ['admin'],
          summary: 'Create a category',
          security,
          body: schemas.categoryBody,
          response: { 201: schemas.adminCategorySchema },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await categories.createCategory(ctx, request.body)),
    );

    app.get(
      '/api/v1/admin/categories/:id',
      {
        ...admin,
        schema: {
          tags: ['admin'],
          security,
          params: idParams,
          response: { 200: schemas.adminCategorySchema },
        },
      },
      async (request) => categories.adminGetCategory(ctx, request.params.id),
    );

    app.patch(
      '/api/v1/admin/categories/:id',
      {
        ...admin,
        schema: {
          tags: ['admin'],
          summary: 'Rename, re-slug, move or reorder a category',
          security,
          params: idParams,
          body: schemas.categoryPatchBody,
          response: { 200: schemas.adminCategorySchema },
        },
      },
      async (request) => categories.updateCategory(ctx, request.params.id, request.body),
    );

    app.delete(
      '/api/v1/admin/categories/:id',
      {
        ...admin,
        schema: {
          tags: ['admin'],
          summary: 'Delete a category with no subcategories and no products',
          security,
          params: idParams,
          response: { 204: z.undefined() },
        },
      },
      async (request, reply) => {
        await categories.deleteCategory(ctx, request.params.id);
        return reply.code(204).send();
      },
    );
  };
}

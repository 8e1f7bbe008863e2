import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { pageOf } from '../../shared/pagination.js';
import { idParams } from '../../shared/schemas.js';
import { actorOf, bearerSecurity, requireRole } from '../auth/auth.guard.js';
import * as schemas from './addresses.schemas.js';
import * as addresses from './addresses.service.js';

/** The signed-in customer's address book: `/api/v1/me/addresses`. */
export function addressesRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    const signedIn = requireRole(ctx.tokens);
    const security = bearerSecurity;
    const tags = ['addresses'];

    app.get(
      '/api/v1/me/addresses',
      {
        onRequest: signedIn,
        schema: {
          tags,
          summary: 'Your saved addresses, the default first',
          security,
          querystring: schemas.addressesQuery,
          response: { 200: pageOf(schemas.addressSchema) },
        },
      },
      async (request) => addresses.listAddresses(ctx, actorOf(request), request.query),
    );

    app.post(
      '/api/v1/me/addresses',
      {
        onRequest: signedIn,
        schema: {
          tags,
          summary: 'Save an address (your first one is your default)',
          description: `At most ${addresses.MAX_ADDRESSES} addresses (422 ADDRESS_BOOK_FULL). \`isDefault: true\` makes it the default and the previous default stops being it.`,
          security,
          body: schemas.addressBody,
          response: { 201: schemas.addressSchema },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await addresses.createAddress(ctx, actorOf(request), request.body)),
    );

    app.get(
      '/api/v1/me/addresses/:id',
      {
        onRequest: signedIn,
        schema: {
          tags,
          security,
          params: idParams,
          response: { 200: schemas.addressSchema },
        },
      },
      async (request) => addresses.getAddress(ctx, actorOf(request), request.params.id),
    );

    app.patch(
      '/api/v1/me/addresses/:id',
      {
        onRequest: signedIn,
        schema: {
          tags,
          summary: 'Change a saved address, or make it the default',
          description:
            'Only the fields sent change; `null` clears `line2`, `region` or `phone`. Orders already placed keep the address they were placed with.',
          security,
          params: idParams,
          body: schemas.addressPatch,
          response: { 200: schemas.addressSchema },
        },
      },
      async (request) =>
        addresses.updateAddress(ctx, actorOf(request), request.params.id, request.body),
    );

    app.delete(
      '/api/v1/me/addresses/:id',
      {
        onRequest: signedIn,
        schema: {
          tags,
          summary: 'Delete a saved address (when it was the default, the newest left becomes it)',
          security,
          params: idParams,
          response: { 204: z.undefined() },
        },
      },
      async (request, reply) => {
        await addresses.deleteAddress(ctx, actorOf(request), request.params.id);
        return reply.code(204).send();
      },
    );
  };
}

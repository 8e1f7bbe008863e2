import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../app-context.js';
import { notFound } from '../../shared/errors.js';
import { pageOf } from '../../shared/pagination.js';
import { idParams } from '../../shared/schemas.js';
import { actorOf, bearerSecurity, requireRole } from '../auth/auth.guard.js';
import { emailSchema, emailsQuery, jobSchema, jobsQuery } from './notifications.schemas.js';
import { listEmailsFor } from './notifications.service.js';

export function notificationsRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    const security = bearerSecurity;

    app.get(
      '/api/v1/admin/emails',
      {
        onRequest: requireRole(ctx.tokens, 'staff', 'admin'),
        schema: {
          tags: ['admin'],
          summary: 'Sent (or, on the embedded default, captured) emails, newest first',
          description:
            "Staff see order emails and their own; admins see every email. In an email to another account than the viewer's, token links (verification, password reset, a guest order’s link) are replaced with `[redacted]` (`redacted: true`): reading the log never hands over another account's credentials. The person it was sent to has the link in their mailbox (or, on the host, through `ordo mail`).",
          security,
          querystring: emailsQuery,
          response: { 200: pageOf(emailSchema) },
        },
      },
      async (request) => {
        const { page, pageSize, ...filter } = request.query;
        return listEmailsFor(ctx, actorOf(request), filter, { page, pageSize });
      },
    );

    const adminOnly = requireRole(ctx.tokens, 'admin');

    app.get(
      '/api/v1/admin/jobs',
      {
        onRequest: adminOnly,
        schema: {
          tags: ['admin'],
          summary: 'Jobs that failed: retrying, or dead after their last attempt',
          security,
          querystring: jobsQuery,
          response: { 200: pageOf(jobSchema) },
        },
      },
      async (request) => {
        const { page, pageSize, ...filter } = request.query;
        const { items, total } = await ctx.jobs.listTroubled(filter, { page, pageSize });
        return { items, total, page, pageSize };
      },
    );

    app.post(
      '/api/v1/admin/jobs/:id/retry',
      {
        onRequest: adminOnly,
        schema: {
          tags: ['admin'],
          summary: 'Run a failed job again now',
          security,
          params: idParams,
          response: { 200: jobSchema },
        },
      },
      async (request) => {
        const job = await ctx.jobs.retry(request.params.id);
        if (!job) throw notFound('Failed job');
        return job;
      },
    );
  };
}

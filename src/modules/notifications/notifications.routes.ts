import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { notFound } from '../../shared/errors.js';
import { pageOf, pageQuery } from '../../shared/pagination.js';
import { actorOf, bearerSecurity, requireRole } from '../auth/auth.guard.js';
import { emailKinds } from './email.table.js';
import { listEmailsFor } from './notifications.service.js';

const emailSchema = z
  .object({
    id: z.string(),
    messageId: z.string(),
    kind: z.enum(emailKinds),
    to: z.string(),
    subject: z.string(),
    text: z.string(),
    html: z.string(),
    orderId: z.string().nullable(),
    userId: z.string().nullable(),
    transport: z.enum(['smtp', 'captured']),
    sentAt: z.string(),
    redacted: z
      .boolean()
      .describe(
        "Token links (verification, password reset) were replaced with [redacted]: the email went to another account than the viewer's",
      ),
  })
  .meta({ id: 'Email' });

const jobSchema = z
  .object({
    id: z.string(),
    queue: z.string(),
    status: z.enum(['retrying', 'dead']),
    payload: z.unknown(),
    lastError: z.string().nullable(),
    attempts: z.number().int(),
    maxAttempts: z.number().int(),
    createdAt: z.string(),
    lastAttemptAt: z.string().nullable(),
    nextAttemptAt: z.string().nullable(),
  })
  .meta({ id: 'Job' });

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
            "Staff see order emails and their own; admins see every email. In an email to another account than the viewer's, token links (verification, password reset) are replaced with `[redacted]` (`redacted: true`): reading the log never hands over another account's credentials. The person it was sent to has the link in their mailbox (or, on the host, through `ordo mail`).",
          security,
          querystring: z.strictObject({
            ...pageQuery,
            orderId: z.string().max(64).optional(),
            userId: z.string().max(64).optional(),
            to: z.string().trim().min(1).max(254).optional(),
            kind: z.enum(emailKinds).optional(),
          }),
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
          querystring: z.strictObject({
            ...pageQuery,
            status: z.enum(['retrying', 'dead']).optional(),
            queue: z.string().max(100).optional(),
          }),
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
          params: z.strictObject({ id: z.string().max(64) }),
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

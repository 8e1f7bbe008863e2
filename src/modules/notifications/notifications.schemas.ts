import { z } from 'zod';
import { pageQuery } from '../../shared/pagination.js';
import { emailKinds } from './email.table.js';

export const emailSchema = z
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
        "Token links (verification, password reset, a guest order's link) were replaced with [redacted]: the email went to another account than the viewer's",
      ),
  })
  .meta({ id: 'Email' });

export const jobSchema = z
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

export type Email = z.output<typeof emailSchema>;

export const emailsQuery = z.strictObject({
  ...pageQuery,
  orderId: z.string().max(64).optional(),
  userId: z.string().max(64).optional(),
  to: z.string().trim().min(1).max(254).optional(),
  kind: z.enum(emailKinds).optional(),
});

export const jobsQuery = z.strictObject({
  ...pageQuery,
  status: z.enum(['retrying', 'dead']).optional(),
  queue: z.string().max(100).optional(),
});

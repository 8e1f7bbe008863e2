import type { AppContext } from '../../app-context.js';
import { newId } from '../../shared/ids.js';
import { formatMoney } from '../../shared/money.js';
import type { Page, PageRequest } from '../../shared/pagination.js';
import * as repo from './email.repository.js';
import type { EmailFilter, EmailRow } from './email.repository.js';
import type { EmailKind } from './email.table.js';

type Ctx = Pick<AppContext, 'db' | 'clock' | 'config' | 'mailer' | 'templates' | 'logger'>;

export interface Email {
  id: string;
  messageId: string;
  kind: EmailKind;
  to: string;
  subject: string;
  text: string;
  html: string;
  orderId: string | null;
  userId: string | null;
  transport: 'smtp' | 'captured';
  sentAt: string;
}

const toEmail = (row: EmailRow): Email => ({
  id: row.id,
  messageId: row.messageId,
  kind: row.kind,
  to: row.to,
  subject: row.subject,
  text: row.text,
  html: row.html,
  orderId: row.orderId,
  userId: row.userId,
  transport: row.transport,
  sentAt: row.sentAt.toISOString(),
});

/** The shop's name and mail domain, from MAIL_FROM (`Shop Name <shop@example.com>`). */
export function sender(config: AppContext['config']): { shopName: string; domain: string } {
  const match = /^\s*"?([^"<]*?)"?\s*<[^@>]+@([^>]+)>\s*$/.exec(config.mailFrom);
  if (match) return { shopName: match[1] || 'Ordo', domain: match[2]! };
  const domain = config.mailFrom.split('@')[1]?.trim() ?? 'ordo.localhost';
  return { shopName: 'Ordo', domain };
}

/**
 * The Message-ID of an email, from its cause: the same cause always yields the same id, so a
 * retried job is recognisable as the same message by Ordo and by the receiving server.
 */
export const messageIdFor = (kind: EmailKind, causeId: string, domain: string) =>
  `<${kind}.${causeId}@${domain}>`;

export interface EmailRequest {
  kind: EmailKind;
  /** The id of what caused the email (token, order, payment, refund). */
  causeId: string;
  to: string;
  data: object;
  orderId?: string;
  userId?: string;
}

/**
 * Renders and sends one email, at most once per cause: a message already in the email log is
 * not sent again. A send failure throws, so the job retries. Crashing between the SMTP hand-off
 * and the log entry can send a second copy, with the same Message-ID.
 */
export async function deliver(ctx: Ctx, request: EmailRequest): Promise<'sent' | 'already-sent'> {
  const { shopName, domain } = sender(ctx.config);
  const messageId = messageIdFor(request.kind, request.causeId, domain);
  if (await repo.wasSent(ctx.db, messageId)) return 'already-sent';
  const rendered = ctx.templates.render(request.kind, {
    shopName,
    publicUrl: ctx.config.publicUrl,
    ...request.data,
  });
  await ctx.mailer.send({ messageId, to: request.to, ...rendered });
  const now = ctx.clock.now();
  await repo.recordEmail(ctx.db, {
    id: newId('eml', now.getTime()),
    messageId,
    kind: request.kind,
    to: request.to,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    orderId: request.orderId ?? null,
    userId: request.userId ?? null,
    transport: ctx.mailer.transport,
    sentAt: now,
    createdAt: now,
  });
  ctx.logger.info({ kind: request.kind, messageId, orderId: request.orderId }, 'email sent');
  return 'sent';
}

export async function listEmails(
  ctx: Pick<AppContext, 'db'>,
  filter: EmailFilter,
  page: PageRequest,
): Promise<Page<Email>> {
  const { rows, total } = await repo.listEmails(ctx.db, filter, page);
  return { items: rows.map(toEmail), ...page, total };
}

/** Money for people, in the shop currency. */
export const money = (config: AppContext['config'], amount: number) =>
  formatMoney(amount, config.currency);

import type { AppContext } from '../../app-context.js';
import { newId } from '../../shared/ids.js';
import { formatMoney } from '../../shared/money.js';
import type { Page, PageRequest } from '../../shared/pagination.js';
import * as repo from './email.repository.js';
import type { EmailFilter, EmailRow } from './email.repository.js';
import { emailKinds, type EmailKind } from './email.table.js';
import { redactCredentials } from './redact.js';
import { isStaff, type Actor } from '../auth/auth.service.js';
import type { Email } from './notifications.schemas.js';

type Ctx = Pick<AppContext, 'db' | 'clock' | 'config' | 'mailer' | 'templates' | 'logger'>;

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
  redacted: false,
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
 * Renders and sends emails (one job's, or a batch's), each at most once per cause: a message
 * already in the email log is not sent again. A fixed number of statements whatever their
 * number: one read of the log for all, the sends side by side over the SMTP pool, one insert
 * of every message handed off. Answers each request's outcome in order (`skipped` for an
 * undefined request: its cause is gone): an Error when its rendering or its send failed, so
 * that job alone retries. A throw (the log could not be read or written) fails them all. A
 * message is logged only after its hand-off, so a crash or a failed insert in between sends a
 * second copy on the retry, with the same Message-ID: a duplicate, never a loss.
 */
export async function deliverAll(
  ctx: Ctx,
  requests: readonly (EmailRequest | undefined)[],
): Promise<('sent' | 'already-sent' | 'skipped' | Error)[]> {
  const { shopName, domain } = sender(ctx.config);
  const messageIds = requests.map((r) => r && messageIdFor(r.kind, r.causeId, domain));
  const sent = await repo.sentAmong(ctx.db, [
    ...new Set(messageIds.filter((id): id is string => id !== undefined)),
  ]);
  // Two jobs for one cause in a batch send once: the later shares the first one's outcome.
  const first = new Map<string, number>();
  const rows: Parameters<typeof repo.recordEmails>[1] = [];
  const outcomes = await Promise.all(
    requests.map(async (request, i): Promise<'sent' | 'already-sent' | 'skipped' | Error> => {
      const messageId = messageIds[i];
      if (!request || messageId === undefined) return 'skipped';
      if (sent.has(messageId) || first.has(messageId)) return 'already-sent';
      first.set(messageId, i);
      try {
        const rendered = ctx.templates.render(request.kind, {
          shopName,
          publicUrl: ctx.config.publicUrl,
          ...request.data,
        });
        await ctx.mailer.send({ messageId, to: request.to, ...rendered });
        const now = ctx.clock.now();
        rows.push({
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
        return 'sent';
      } catch (error) {
        return error as Error;
      }
    }),
  );
  await repo.recordEmails(ctx.db, rows);
  for (const row of rows) {
    ctx.logger.info(
      { kind: row.kind, messageId: row.messageId, orderId: row.orderId ?? undefined },
      'email sent',
    );
  }
  // A duplicate of a message that failed fails too (its job retries and finds it sent, or not).
  return outcomes.map((outcome, i) => {
    const id = messageIds[i];
    const at = id === undefined ? undefined : first.get(id);
    return outcome === 'already-sent' && at !== undefined && at !== i ? outcomes[at]! : outcome;
  });
}

export async function listEmails(
  ctx: Pick<AppContext, 'db'>,
  filter: EmailFilter,
  page: PageRequest,
): Promise<Page<Email>> {
  const { rows, total } = await repo.listEmails(ctx.db, filter, page);
  return { items: rows.map(toEmail), ...page, total };
}

/** Emails about an account's credentials; the others are about orders. */
export const credentialKinds: readonly EmailKind[] = ['verification', 'password-reset'];
const orderKinds = emailKinds.filter((kind) => !credentialKinds.includes(kind));

/**
 * The email log as a staff member or admin may see it. Staff (orders) see order emails and
 * their own mail; admins see every email. Either way an email to another account has its token
 * links redacted: the person it was sent to still has the link (in their mailbox, or through
 * `ordo mail` on the host), but nobody takes over an account by reading the log.
 */
export async function listEmailsFor(
  ctx: Pick<AppContext, 'db'>,
  viewer: Actor,
  filter: EmailFilter,
  page: PageRequest,
): Promise<Page<Email>> {
  if (!isStaff(viewer)) return { items: [], ...page, total: 0 };
  const visible =
    viewer.role === 'staff' ? { kinds: orderKinds, orUserId: viewer.userId } : undefined;
  const { rows, total } = await repo.listEmails(ctx.db, { ...filter, visible }, page);
  return { items: rows.map((row) => viewedBy(viewer, row)), ...page, total };
}

function viewedBy(viewer: Actor, row: EmailRow): Email {
  const email = toEmail(row);
  if (row.userId === viewer.userId) return email;
  const subject = redactCredentials(email.subject);
  const text = redactCredentials(email.text);
  const html = redactCredentials(email.html);
  const redacted = subject !== email.subject || text !== email.text || html !== email.html;
  return { ...email, subject, text, html, redacted };
}

/** Money for people, in the shop currency. */
export const money = (config: AppContext['config'], amount: number) =>
  formatMoney(amount, config.currency);

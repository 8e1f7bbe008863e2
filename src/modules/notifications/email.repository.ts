import { and, desc, eq, inArray, or, type SQL } from 'drizzle-orm';
import { contains } from '../../db/filters.js';
import { selectPage } from '../../db/page.js';
import type { Executor } from '../../db/client.js';
import type { PageRequest } from '../../shared/pagination.js';
import { emails, type EmailKind } from './email.table.js';

export type EmailRow = typeof emails.$inferSelect;

export interface EmailFilter {
  orderId?: string | undefined;
  userId?: string | undefined;
  /** Case-insensitive substring of the recipient. */
  to?: string | undefined;
  kind?: EmailKind | undefined;
  /** Only these kinds, or any email to this user (a viewer's own mail). */
  visible?: { kinds: readonly EmailKind[]; orUserId: string } | undefined;
}

/** The Message-IDs among `messageIds` already in the log: one query for a batch of emails. */
export async function sentAmong(db: Executor, messageIds: string[]): Promise<Set<string>> {
  if (messageIds.length === 0) return new Set();
  const rows = await db
    .select({ messageId: emails.messageId })
    .from(emails)
    .where(inArray(emails.messageId, messageIds));
  return new Set(rows.map((row) => row.messageId));
}

/** Records sent messages in one statement; a second record of the same Message-ID is ignored. */
export async function recordEmails(
  db: Executor,
  rows: (typeof emails.$inferInsert)[],
): Promise<void> {
  if (rows.length === 0) return;
  await db.insert(emails).values(rows).onConflictDoNothing({ target: emails.messageId });
}

function whereOf(filter: EmailFilter): SQL | undefined {
  return and(
    filter.orderId ? eq(emails.orderId, filter.orderId) : undefined,
    filter.userId ? eq(emails.userId, filter.userId) : undefined,
    filter.kind ? eq(emails.kind, filter.kind) : undefined,
    filter.to ? contains(emails.to, filter.to) : undefined,
    filter.visible
      ? or(
          inArray(emails.kind, [...filter.visible.kinds]),
          eq(emails.userId, filter.visible.orUserId),
        )
      : undefined,
  );
}

export async function listEmails(
  db: Executor,
  filter: EmailFilter,
  page: PageRequest,
): Promise<{ rows: EmailRow[]; total: number }> {
  const where = whereOf(filter);
  return selectPage(db, emails, where, [desc(emails.sentAt), desc(emails.id)], page);
}

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

export async function wasSent(db: Executor, messageId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: emails.id })
    .from(emails)
    .where(eq(emails.messageId, messageId));
  return row !== undefined;
}

/** Records a sent message; a second record of the same Message-ID is ignored. */
export async function recordEmail(db: Executor, row: typeof emails.$inferInsert): Promise<void> {
  await db.insert(emails).values(row).onConflictDoNothing({ target: emails.messageId });
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

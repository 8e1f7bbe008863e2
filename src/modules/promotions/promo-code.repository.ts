import { and, count, desc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { contains } from '../../db/filters.js';
import { selectPage } from '../../db/page.js';
import type { Executor, Tx } from '../../db/client.js';
import type { PageRequest } from '../../shared/pagination.js';
import { promoCodes, promoRedemptions } from './promo-code.table.js';

export type PromoCodeRow = typeof promoCodes.$inferSelect;
export type RedemptionRow = typeof promoRedemptions.$inferSelect;

const byCode = (code: string) => sql`lower(${promoCodes.code}) = ${code.toLowerCase()}`;

export async function findByCode(db: Executor, code: string): Promise<PromoCodeRow | undefined> {
  const [row] = await db.select().from(promoCodes).where(byCode(code));
  return row;
}

export async function findById(db: Executor, id: string): Promise<PromoCodeRow | undefined> {
  const [row] = await db.select().from(promoCodes).where(eq(promoCodes.id, id));
  return row;
}

export async function lockById(tx: Tx, id: string): Promise<PromoCodeRow | undefined> {
  const [row] = await tx.select().from(promoCodes).where(eq(promoCodes.id, id)).for('update');
  return row;
}

export async function insertPromo(
  tx: Executor,
  row: typeof promoCodes.$inferInsert,
): Promise<PromoCodeRow> {
  const [created] = await tx.insert(promoCodes).values(row).returning();
  return created!;
}

export async function updatePromo(
  tx: Executor,
  id: string,
  changes: Partial<typeof promoCodes.$inferInsert>,
): Promise<PromoCodeRow | undefined> {
  const [row] = await tx.update(promoCodes).set(changes).where(eq(promoCodes.id, id)).returning();
  return row;
}

export async function deletePromo(tx: Tx, id: string): Promise<void> {
  await tx.delete(promoCodes).where(eq(promoCodes.id, id));
}

export async function listPromos(
  db: Executor,
  filter: { q?: string | undefined; active?: boolean | undefined },
  page: PageRequest,
): Promise<{ rows: PromoCodeRow[]; total: number }> {
  const where = and(
    filter.q ? contains(promoCodes.code, filter.q) : undefined,
    filter.active === undefined ? undefined : eq(promoCodes.active, filter.active),
  );
  return selectPage(db, promoCodes, where, [desc(promoCodes.createdAt), desc(promoCodes.id)], page);
}

/**
 * Takes one use of the code in one conditional statement: never past `usageLimit`, however
 * many orders race. The row stays locked until the order commits, so the per-customer count
 * read after it is stable too. Returns the row as updated, or undefined when the limit is reached.
 */
export async function takeUse(tx: Tx, id: string): Promise<PromoCodeRow | undefined> {
  const [row] = await tx
    .update(promoCodes)
    .set({ timesUsed: sql`${promoCodes.timesUsed} + 1` })
    .where(
      and(
        eq(promoCodes.id, id),
        or(isNull(promoCodes.usageLimit), sql`${promoCodes.timesUsed} < ${promoCodes.usageLimit}`),
      ),
    )
    .returning();
  return row;
}

export async function giveBackUse(tx: Tx, id: string): Promise<void> {
  await tx
    .update(promoCodes)
    .set({ timesUsed: sql`${promoCodes.timesUsed} - 1` })
    .where(eq(promoCodes.id, id));
}

/** Live (unreleased) redemptions of a code by one customer. */
export async function countLiveRedemptions(
  db: Executor,
  promoCodeId: string,
  userId: string,
): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(promoRedemptions)
    .where(
      and(
        eq(promoRedemptions.promoCodeId, promoCodeId),
        eq(promoRedemptions.userId, userId),
        isNull(promoRedemptions.releasedAt),
      ),
    );
  return row?.n ?? 0;
}

export async function insertRedemption(
  tx: Tx,
  row: typeof promoRedemptions.$inferInsert,
): Promise<void> {
  await tx.insert(promoRedemptions).values(row);
}

/** Marks an order's redemption released, once: returns it the first time, undefined after. */
export async function releaseRedemption(
  tx: Tx,
  orderId: string,
  now: Date,
): Promise<RedemptionRow | undefined> {
  const [row] = await tx
    .update(promoRedemptions)
    .set({ releasedAt: now })
    .where(and(eq(promoRedemptions.orderId, orderId), isNull(promoRedemptions.releasedAt)))
    .returning();
  return row;
}

export async function hasRedemptions(db: Executor, promoCodeId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: promoRedemptions.id })
    .from(promoRedemptions)
    .where(eq(promoRedemptions.promoCodeId, promoCodeId))
    .limit(1);
  return row !== undefined;
}

export async function listRedemptions(
  db: Executor,
  promoCodeId: string,
  page: PageRequest,
): Promise<{ rows: RedemptionRow[]; total: number }> {
  const where = eq(promoRedemptions.promoCodeId, promoCodeId);
  return selectPage(
    db,
    promoRedemptions,
    where,
    [desc(promoRedemptions.createdAt), desc(promoRedemptions.id)],
    page,
  );
}

/** The redemptions of these orders count as `userId`'s (a guest's orders joined an account). */
export async function transferRedemptions(
  tx: Tx,
  orderIds: string[],
  userId: string,
): Promise<void> {
  if (orderIds.length === 0) return;
  await tx
    .update(promoRedemptions)
    .set({ userId })
    .where(inArray(promoRedemptions.orderId, orderIds));
}

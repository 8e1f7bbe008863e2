import { and, eq, isNull } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { transferRedemptions } from '../promotions/promotions.service.js';
import { orders } from './order.table.js';

/**
 * A guest's orders join the account that has just verified their email, in the verification's
 * transaction: the account then lists them, pays and cancels them as its own, and their promo
 * code uses count as its own. Never before verification: anybody may type an email at guest
 * checkout, and an account that has not proven it owns that email must not see those orders.
 * The orders keep their token (their emails' links still open them). Answers their ids.
 *
 * (The one query is written here rather than in the repository so that the auth module, which
 * calls this, imports no module that imports it back.)
 */
export async function claimGuestOrders(
  tx: Tx,
  account: { userId: string; email: string },
  now: Date,
): Promise<string[]> {
  const claimed = await tx
    .update(orders)
    .set({ userId: account.userId, updatedAt: now })
    .where(and(isNull(orders.userId), eq(orders.email, account.email)))
    .returning({ id: orders.id });
  const ids = claimed.map((row) => row.id);
  await transferRedemptions(tx, ids, account.userId);
  return ids;
}

import { createHmac, timingSafeEqual } from 'node:crypto';
import { and, eq, gt, isNotNull, isNull, lt, or } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client.js';
import { newId } from '../../shared/ids.js';
import { userTokens, type UserTokenKind } from './user.table.js';

export type UserTokenRow = typeof userTokens.$inferSelect;

export const TOKEN_TTL_MS: Record<UserTokenKind, number> = {
  verify_email: 7 * 24 * 3600 * 1000,
  password_reset: 60 * 60 * 1000,
};

const mac = (secret: string, kind: UserTokenKind, id: string) =>
  createHmac('sha256', secret).update(`ordo-user-token:${kind}:${id}`).digest('base64url');

/** The secret a person receives for a token row. Derivable only with the server secret. */
export const tokenSecret = (secret: string, row: Pick<UserTokenRow, 'id' | 'kind'>) =>
  `${row.id}.${mac(secret, row.kind, row.id)}`;

export async function createUserToken(
  tx: Tx,
  userId: string,
  kind: UserTokenKind,
  now: Date,
): Promise<UserTokenRow> {
  const [row] = await tx
    .insert(userTokens)
    .values({
      id: newId('tok', now.getTime()),
      userId,
      kind,
      expiresAt: new Date(now.getTime() + TOKEN_TTL_MS[kind]),
      createdAt: now,
    })
    .returning();
  return row!;
}

export async function findUserToken(db: Executor, id: string): Promise<UserTokenRow | undefined> {
  const [row] = await db.select().from(userTokens).where(eq(userTokens.id, id));
  return row;
}

/**
 * Spends a token: checks its MAC, then marks it used in one conditional update, so two
 * concurrent uses cannot both succeed. Returns the row, or undefined for anything invalid.
 */
export async function consumeUserToken(
  tx: Tx,
  secret: string,
  kind: UserTokenKind,
  token: string,
  now: Date,
): Promise<UserTokenRow | undefined> {
  const [id, given] = token.split('.');
  if (!id || !given) return undefined;
  const expected = Buffer.from(mac(secret, kind, id));
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
  const [row] = await tx
    .update(userTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(userTokens.id, id),
        eq(userTokens.kind, kind),
        isNull(userTokens.usedAt),
        gt(userTokens.expiresAt, now),
      ),
    )
    .returning();
  return row;
}

/** Makes every unused token of a kind for a user useless (a new reset link replaces the old). */
export async function retireUserTokens(tx: Tx, userId: string, kind: UserTokenKind, now: Date) {
  await tx
    .update(userTokens)
    .set({ usedAt: now })
    .where(
      and(eq(userTokens.userId, userId), eq(userTokens.kind, kind), isNull(userTokens.usedAt)),
    );
}

/** Housekeeping: deletes tokens that are used or expired since `before`. */
export async function purgeUserTokens(db: Executor, before: Date): Promise<number> {
  const deleted = await db
    .delete(userTokens)
    .where(
      or(
        lt(userTokens.expiresAt, before),
        and(isNotNull(userTokens.usedAt), lt(userTokens.usedAt, before)),
      ),
    )
    .returning({ id: userTokens.id });
  return deleted.length;
}

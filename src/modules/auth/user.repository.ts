import { and, desc, eq, inArray, isNotNull, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client.js';
import { contains } from '../../db/filters.js';
import { selectPage } from '../../db/page.js';
import type { PageRequest } from '../../shared/pagination.js';
import { refreshTokens, type Role, users } from './user.table.js';

export type UserRow = typeof users.$inferSelect;
export type RefreshTokenRow = typeof refreshTokens.$inferSelect;

export async function findUserByEmail(db: Executor, email: string): Promise<UserRow | undefined> {
  const [row] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = ${email.toLowerCase()}`);
  return row;
}

export async function findUserById(db: Executor, id: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row;
}

/** The name and email of each of these users that exists. */
export async function findUserNames(
  db: Executor,
  ids: string[],
): Promise<{ id: string; name: string; email: string }[]> {
  if (ids.length === 0) return [];
  return db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(inArray(users.id, ids));
}

export async function insertUser(db: Executor, row: typeof users.$inferInsert): Promise<UserRow> {
  const [created] = await db.insert(users).values(row).returning();
  return created!;
}

export async function updateUser(
  db: Executor,
  id: string,
  changes: Partial<Pick<UserRow, 'passwordHash' | 'role' | 'name' | 'emailVerifiedAt'>>,
  now: Date,
): Promise<UserRow | undefined> {
  const [row] = await db
    .update(users)
    .set({ ...changes, updatedAt: now })
    .where(eq(users.id, id))
    .returning();
  return row;
}

/** Ends every access token of the account at once: tokens carry the version they were issued at. */
export async function bumpTokenVersion(db: Executor, id: string): Promise<void> {
  await db
    .update(users)
    .set({ tokenVersion: sql`${users.tokenVersion} + 1` })
    .where(eq(users.id, id));
}

export async function listUsers(
  db: Executor,
  filter: { role?: Role | undefined; q?: string | undefined },
  page: PageRequest,
): Promise<{ rows: UserRow[]; total: number }> {
  const where = and(
    filter.role ? eq(users.role, filter.role) : undefined,
    filter.q ? or(contains(users.email, filter.q), contains(users.name, filter.q)) : undefined,
  );
  return selectPage(db, users, where, [desc(users.createdAt), desc(users.id)], page);
}

// --- refresh tokens ---

export async function insertRefreshToken(
  db: Executor,
  row: typeof refreshTokens.$inferInsert,
): Promise<void> {
  await db.insert(refreshTokens).values(row);
}

/** Locks the token row, so two refreshes of one token take turns. */
export async function lockRefreshToken(
  tx: Tx,
  tokenHash: string,
): Promise<RefreshTokenRow | undefined> {
  const [row] = await tx
    .select()
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, tokenHash))
    .for('update');
  return row;
}

export async function findRefreshToken(
  db: Executor,
  tokenHash: string,
): Promise<RefreshTokenRow | undefined> {
  const [row] = await db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash));
  return row;
}

export async function markRotated(db: Executor, id: string, now: Date): Promise<void> {
  await db.update(refreshTokens).set({ rotatedAt: now }).where(eq(refreshTokens.id, id));
}

export async function revokeFamily(db: Executor, familyId: string, now: Date): Promise<void> {
  await db
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
}

/** Revokes every session of a user, or every one but `exceptFamilyId`. */
export async function revokeUserSessions(
  db: Executor,
  userId: string,
  now: Date,
  exceptFamilyId?: string,
): Promise<void> {
  await db
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(
      and(
        eq(refreshTokens.userId, userId),
        isNull(refreshTokens.revokedAt),
        exceptFamilyId ? ne(refreshTokens.familyId, exceptFamilyId) : undefined,
      ),
    );
}

/** Housekeeping: deletes refresh tokens that expired or were revoked before `before`. */
export async function purgeRefreshTokens(db: Executor, before: Date): Promise<number> {
  const deleted = await db
    .delete(refreshTokens)
    .where(
      or(
        lt(refreshTokens.expiresAt, before),
        and(isNotNull(refreshTokens.revokedAt), lt(refreshTokens.revokedAt, before)),
      ),
    )
    .returning({ id: refreshTokens.id });
  return deleted.length;
}

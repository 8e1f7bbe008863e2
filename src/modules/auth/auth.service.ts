import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import type { Executor } from '../../db/client.js';
import { isUniqueViolation } from '../../db/errors.js';
import { AppError } from '../../shared/errors.js';
import { newId, newSecret } from '../../shared/ids.js';
import type { Page, PageRequest } from '../../shared/pagination.js';
import { claimGuestOrders } from '../orders/guest-orders.js';
import type { AccessClaims } from './access-token.js';
import type { tokenPairSchema, userSchema } from './auth.schemas.js';
import { requireStrongPassword } from './password-strength.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from './password.js';
import * as repo from './user.repository.js';
import {
  consumeUserToken,
  createUserToken,
  findUserToken,
  purgeUserTokens,
  retireUserTokens,
  tokenSecret,
} from './user-token.js';
import type { UserRow } from './user.repository.js';
import type { Role } from './user.table.js';

/** Who is making a request, as the services see it. */
export interface Actor {
  userId: string;
  role: Role;
  sessionId: string;
  /** The account's email, when the request's session check read it (it never changes). */
  email?: string | undefined;
  /** The account's name, likewise (no route changes it). */
  name?: string | undefined;
}

/** Staff and admins: the roles that work the whole shop's orders. */
export const isStaff = (actor: { role: string }): boolean =>
  actor.role === 'staff' || actor.role === 'admin';

/** API types, from the response schemas. */
export type User = z.output<typeof userSchema>;
export type TokenPair = z.output<typeof tokenPairSchema>;

/** A rotated refresh token presented again within this window is a second tab, not a thief. */
export const REFRESH_REUSE_GRACE_MS = 10_000;

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    emailVerified: row.emailVerifiedAt !== null,
    createdAt: row.createdAt.toISOString(),
  };
}

type AuthDeps = Pick<AppContext, 'db' | 'clock' | 'config' | 'tokens'>;

/** Creates a customer account and sends the verification email (enqueued with the account). */
export async function register(
  ctx: Pick<AppContext, 'db' | 'clock' | 'jobs'>,
  input: { email: string; password: string; name: string; role?: Role },
): Promise<User> {
  await requireStrongPassword(input.password, 'password', [input.email, input.name]);
  const passwordHash = await hashPassword(input.password);
  const now = ctx.clock.now();
  try {
    const row = await ctx.db.transaction(async (tx) => {
      const user = await repo.insertUser(tx, {
        id: newId('usr', now.getTime()),
        email: normaliseEmail(input.email),
        name: input.name.trim(),
        passwordHash,
        role: input.role ?? 'customer',
        createdAt: now,
        updatedAt: now,
      });
      const token = await createUserToken(tx, user.id, 'verify_email', now);
      await ctx.jobs.enqueue(tx, 'verification-email', { tokenId: token.id });
      return user;
    });
    return toUser(row);
  } catch (error) {
    if (isUniqueViolation(error, 'users_email_key')) {
      throw new AppError('EMAIL_TAKEN', 'An account with this email already exists');
    }
    throw error;
  }
}

const invalidToken = () =>
  new AppError('INVALID_TOKEN', 'This link is invalid, used or expired; ask for a new one');

/**
 * Marks the email verified. The token is single-use. The guest orders placed with that email
 * join the account in the same transaction (verified, the account has proven the email is its
 * own).
 */
export async function verifyEmail(
  ctx: Pick<AppContext, 'db' | 'clock' | 'jwtSecret'>,
  token: string,
): Promise<User> {
  const now = ctx.clock.now();
  const row = await ctx.db.transaction(async (tx) => {
    const used = await consumeUserToken(tx, ctx.jwtSecret, 'verify_email', token, now);
    if (!used) return undefined;
    const user = await repo.findUserById(tx, used.userId);
    if (!user || user.emailVerifiedAt) return user;
    const verified = await repo.updateUser(tx, user.id, { emailVerifiedAt: now }, now);
    await claimGuestOrders(tx, { userId: user.id, email: user.email }, now);
    return verified;
  });
  if (!row) throw invalidToken();
  return toUser(row);
}

/** Sends a fresh verification email to a signed-in customer whose email is not verified yet. */
export async function resendVerification(
  ctx: Pick<AppContext, 'db' | 'clock' | 'jobs'>,
  actor: Actor,
): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db.transaction(async (tx) => {
    const user = await repo.findUserById(tx, actor.userId);
    if (!user || user.emailVerifiedAt) return;
    await retireUserTokens(tx, user.id, 'verify_email', now);
    const token = await createUserToken(tx, user.id, 'verify_email', now);
    await ctx.jobs.enqueue(tx, 'verification-email', { tokenId: token.id });
  });
}

/**
 * Starts a password reset. The answer never tells whether the email has an account; when it
 * does, earlier reset links stop working and a new one is emailed.
 */
export async function requestPasswordReset(
  ctx: Pick<AppContext, 'db' | 'clock' | 'jobs'>,
  email: string,
): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db.transaction(async (tx) => {
    const user = await repo.findUserByEmail(tx, normaliseEmail(email));
    if (!user) return;
    await retireUserTokens(tx, user.id, 'password_reset', now);
    const token = await createUserToken(tx, user.id, 'password_reset', now);
    await ctx.jobs.enqueue(tx, 'password-reset-email', { tokenId: token.id });
  });
}

/** Sets a new password with a reset token, and ends every session of the account. */
export async function confirmPasswordReset(
  ctx: Pick<AppContext, 'db' | 'clock' | 'jwtSecret' | 'tokens'>,
  input: { token: string; password: string },
): Promise<void> {
  await requireStrongPassword(input.password, 'password');
  const passwordHash = await hashPassword(input.password);
  const now = ctx.clock.now();
  const done = await ctx.db.transaction(async (tx) => {
    const used = await consumeUserToken(tx, ctx.jwtSecret, 'password_reset', input.token, now);
    if (!used) return undefined;
    await repo.updateUser(tx, used.userId, { passwordHash }, now);
    await repo.revokeUserSessions(tx, used.userId, now);
    await repo.bumpTokenVersion(tx, used.userId);
    return used.userId;
  });
  if (!done) throw invalidToken();
  ctx.tokens.sessions.forgetUser(done);
}

export interface TokenEmail {
  userId: string;
  to: string;
  name: string;
  /** The link the person opens, with the token in it. */
  link: string;
}

/**
 * What an emailed-token job needs to send its email, or undefined when there is nothing to
 * send any more (token used or expired, account gone, email already verified).
 */
export async function describeTokenEmail(
  ctx: Pick<AppContext, 'db' | 'clock' | 'config' | 'jwtSecret'>,
  tokenId: string,
): Promise<TokenEmail | undefined> {
  const token = await findUserToken(ctx.db, tokenId);
  if (!token || token.usedAt || token.expiresAt <= ctx.clock.now()) return undefined;
  const user = await repo.findUserById(ctx.db, token.userId);
  if (!user) return undefined;
  if (token.kind === 'verify_email' && user.emailVerifiedAt) return undefined;
  const path = token.kind === 'verify_email' ? 'verify-email' : 'reset-password';
  return {
    userId: user.id,
    to: user.email,
    name: user.name,
    link: `${ctx.config.publicUrl}/${path}?token=${encodeURIComponent(tokenSecret(ctx.jwtSecret, token))}`,
  };
}

/** Housekeeping: forgets spent tokens and sessions a day after they stopped working. */
export async function purgeSpentCredentials(
  ctx: Pick<AppContext, 'db' | 'clock'>,
): Promise<{ userTokens: number; refreshTokens: number }> {
  const before = new Date(ctx.clock.now().getTime() - 24 * 3600 * 1000);
  return {
    userTokens: await purgeUserTokens(ctx.db, before),
    refreshTokens: await repo.purgeRefreshTokens(ctx.db, before),
  };
}

/** Unknown email and wrong password get the same answer, in about the same time. */
export async function login(
  ctx: AuthDeps,
  input: { email: string; password: string },
): Promise<TokenPair> {
  const user = await repo.findUserByEmail(ctx.db, normaliseEmail(input.email));
  if (!user) {
    await burnPasswordCheck(input.password);
    throw invalidCredentials();
  }
  if (!(await verifyPassword(user.passwordHash, input.password))) throw invalidCredentials();
  return startSession(ctx, user);
}

const invalidCredentials = () =>
  new AppError('INVALID_CREDENTIALS', 'The email or password is incorrect');

const invalidRefresh = () =>
  new AppError('INVALID_REFRESH_TOKEN', 'The refresh token is not valid; log in again');

async function startSession(
  ctx: AuthDeps,
  user: UserRow,
  db: Executor = ctx.db,
): Promise<TokenPair> {
  const familyId = newId('ses');
  const refreshToken = await issueRefreshToken(ctx, db, user.id, familyId);
  return pair(ctx, user, familyId, refreshToken);
}

async function issueRefreshToken(
  ctx: AuthDeps,
  db: Executor,
  userId: string,
  familyId: string,
): Promise<string> {
  const token = newSecret();
  const now = ctx.clock.now();
  await repo.insertRefreshToken(db, {
    id: newId('rtk'),
    userId,
    familyId,
    tokenHash: hashToken(token),
    createdAt: now,
    expiresAt: new Date(now.getTime() + ctx.config.refreshTokenTtlMs),
  });
  return token;
}

function pair(ctx: AuthDeps, user: UserRow, familyId: string, refreshToken: string): TokenPair {
  const claims: AccessClaims = {
    sub: user.id,
    role: user.role,
    sid: familyId,
    ver: user.tokenVersion,
  };
  return {
    accessToken: ctx.tokens.sign(claims),
    refreshToken,
    expiresIn: ctx.tokens.ttlSeconds,
    user: toUser(user),
  };
}

/**
 * Rotates a refresh token. The row lock makes concurrent refreshes of one token take turns.
 * A token already rotated is accepted again only within the grace window (tabs refreshing at
 * once); after it, reuse means the token leaked, and the whole family is revoked.
 */
export async function refresh(ctx: AuthDeps, refreshToken: string): Promise<TokenPair> {
  const now = ctx.clock.now();
  const outcome = await ctx.db.transaction(async (tx) => {
    const row = await repo.lockRefreshToken(tx, hashToken(refreshToken));
    if (!row || row.revokedAt || row.expiresAt <= now) return { ok: false as const, revoked: null };
    if (row.rotatedAt && now.getTime() - row.rotatedAt.getTime() > REFRESH_REUSE_GRACE_MS) {
      await repo.revokeFamily(tx, row.familyId, now);
      return { ok: false as const, revoked: row.familyId };
    }
    const user = await repo.findUserById(tx, row.userId);
    if (!user) return { ok: false as const, revoked: null };
    if (!row.rotatedAt) await repo.markRotated(tx, row.id, now);
    const next = await issueRefreshToken(ctx, tx, user.id, row.familyId);
    return { ok: true as const, user, familyId: row.familyId, next };
  });
  // The revocation above must commit, so the refusal is thrown after the transaction.
  if (!outcome.ok) {
    if (outcome.revoked) ctx.tokens.sessions.forgetSession(outcome.revoked);
    throw invalidRefresh();
  }
  return pair(ctx, outcome.user, outcome.familyId, outcome.next);
}

/** Ends the session the refresh token belongs to. Unknown tokens are a no-op: logout is idempotent. */
export async function logout(
  ctx: Pick<AppContext, 'db' | 'clock' | 'tokens'>,
  refreshToken: string,
): Promise<void> {
  const row = await repo.findRefreshToken(ctx.db, hashToken(refreshToken));
  if (!row) return;
  // The session's access tokens stop working with it (see AccessTokens.authenticate).
  await repo.revokeFamily(ctx.db, row.familyId, ctx.clock.now());
  ctx.tokens.sessions.forgetSession(row.familyId);
}

/**
 * What history and the ledger show for the people who acted, by user id: their name, or their
 * email when the name is blank. Ids of accounts that no longer exist are absent. Ordo itself
 * is `SYSTEM_ACTOR_NAME`, answered by the caller, which knows how its table records it.
 */
export async function actorNames(
  db: Executor,
  ids: readonly string[],
): Promise<Map<string, string>> {
  const rows = await repo.findUserNames(db, [...new Set(ids)]);
  return new Map(rows.map((r) => [r.id, r.name.trim() || r.email]));
}

/** The name history and the ledger show for Ordo itself. */
export const SYSTEM_ACTOR_NAME = 'System';

export async function getMe(ctx: Pick<AppContext, 'db'>, actor: Actor): Promise<User> {
  const user = await repo.findUserById(ctx.db, actor.userId);
  if (!user) throw new AppError('UNAUTHENTICATED', 'The account no longer exists');
  return toUser(user);
}

/** Changes the password and ends every other session of the account. */
export async function changePassword(
  ctx: Pick<AppContext, 'db' | 'clock' | 'tokens'>,
  actor: Actor,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const user = await repo.findUserById(ctx.db, actor.userId);
  if (!user) throw new AppError('UNAUTHENTICATED', 'The account no longer exists');
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw new AppError('INVALID_CREDENTIALS', 'The current password is incorrect');
  }
  await requireStrongPassword(input.newPassword, 'newPassword', [user.email, user.name]);
  const passwordHash = await hashPassword(input.newPassword);
  const now = ctx.clock.now();
  await ctx.db.transaction(async (tx) => {
    await repo.updateUser(tx, user.id, { passwordHash }, now);
    await repo.revokeUserSessions(tx, user.id, now, actor.sessionId);
  });
  // The other sessions' access tokens stop at their next request; this one keeps working.
  ctx.tokens.sessions.forgetUser(user.id);
}

/** Creates an admin, or promotes an existing account and resets its password (`ordo create-admin`). */
export async function ensureAdmin(
  ctx: Pick<AppContext, 'db' | 'clock' | 'jobs' | 'tokens'>,
  input: { email: string; password: string; name?: string },
): Promise<{ user: User; created: boolean }> {
  const existing = await repo.findUserByEmail(ctx.db, normaliseEmail(input.email));
  if (!existing) {
    const user = await register(ctx, {
      email: input.email,
      password: input.password,
      name: input.name ?? 'Administrator',
      role: 'admin',
    });
    return { user, created: true };
  }
  await requireStrongPassword(input.password, 'password', [existing.email, existing.name]);
  const now = ctx.clock.now();
  const passwordHash = await hashPassword(input.password);
  const row = await ctx.db.transaction(async (tx) => {
    const updated = await repo.updateUser(tx, existing.id, { role: 'admin', passwordHash }, now);
    await repo.revokeUserSessions(tx, existing.id, now);
    await repo.bumpTokenVersion(tx, existing.id);
    return updated!;
  });
  ctx.tokens.sessions.forgetUser(existing.id);
  return { user: toUser(row), created: false };
}

export async function listUsers(
  ctx: Pick<AppContext, 'db'>,
  filter: { role?: Role | undefined; q?: string | undefined },
  page: PageRequest,
): Promise<Page<User>> {
  const { rows, total } = await repo.listUsers(ctx.db, filter, page);
  return { items: rows.map(toUser), ...page, total };
}

/** Changes a user's role. An admin cannot demote themselves (there must stay one admin who can undo it). */
export async function setRole(
  ctx: Pick<AppContext, 'db' | 'clock' | 'tokens'>,
  actor: Actor,
  userId: string,
  role: Role,
): Promise<User> {
  if (userId === actor.userId && role !== 'admin') {
    throw new AppError('FORBIDDEN', 'Admins cannot change their own role');
  }
  const now = ctx.clock.now();
  const row = await ctx.db.transaction(async (tx) => {
    const updated = await repo.updateUser(tx, userId, { role }, now);
    // Access tokens carry the role: end the sessions and every token so the change takes effect
    // at the account's next request, not when its tokens expire.
    if (updated) {
      await repo.revokeUserSessions(tx, userId, now);
      await repo.bumpTokenVersion(tx, userId);
    }
    return updated;
  });
  if (!row) throw new AppError('NOT_FOUND', 'User not found');
  ctx.tokens.sessions.forgetUser(userId);
  return toUser(row);
}

import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import type { Executor } from '../../db/client.js';
import type { Clock } from '../../shared/clock.js';
import { refreshTokens, type Role, users } from './user.table.js';

/**
 * How long one process trusts what it last read about an account and a session. A change
 * made by this process (logout, password change or reset, role change) is seen at once, since
 * it forgets what it cached; a change made by another process (or straight in the database,
 * such as deleting the account) is seen within this bound.
 */
export const SESSION_CACHE_MS = 5_000;

/** What the database says about the account and session an access token names. */
export interface SessionState {
  /** Undefined when the account no longer exists. */
  role: Role | undefined;
  tokenVersion: number;
  /** The account's email (it never changes), for services that need it without a query. */
  email: string | undefined;
  /** The account's name (no route changes it), so an answer can name its own actor without a query. */
  name: string | undefined;
  /** The session (refresh-token family) still has a token that is neither revoked nor expired. */
  live: boolean;
}

interface Cached {
  state: SessionState;
  checkedAt: number;
}

/**
 * Checks on each authenticated request that the token's account still exists with the same
 * role and token version, and that its session has not ended: one indexed query, cached per
 * process for SESSION_CACHE_MS. Time is the clock module's, so tests can move past the bound.
 */
export class SessionCheck {
  readonly #cache = new LRUCache<string, Cached>({ max: 50_000 });

  constructor(
    private readonly db: Executor,
    private readonly clock: Clock,
  ) {}

  async state(userId: string, sessionId: string): Promise<SessionState> {
    const key = `${userId} ${sessionId}`;
    const now = this.clock.now();
    const hit = this.#cache.get(key);
    if (hit && now.getTime() - hit.checkedAt < SESSION_CACHE_MS) return hit.state;
    const state = await readSessionState(this.db, userId, sessionId, now);
    this.#cache.set(key, { state, checkedAt: now.getTime() });
    return state;
  }

  /** Forgets one session (logout). */
  forgetSession(sessionId: string): void {
    for (const key of this.#cache.keys()) {
      if (key.endsWith(` ${sessionId}`)) this.#cache.delete(key);
    }
  }

  /** Forgets every session of an account (password change or reset, role change). */
  forgetUser(userId: string): void {
    for (const key of this.#cache.keys()) {
      if (key.startsWith(`${userId} `)) this.#cache.delete(key);
    }
  }
}

async function readSessionState(
  db: Executor,
  userId: string,
  sessionId: string,
  now: Date,
): Promise<SessionState> {
  const live = db
    .select({ one: sql`1` })
    .from(refreshTokens)
    .where(
      and(
        eq(refreshTokens.familyId, sessionId),
        eq(refreshTokens.userId, userId),
        isNull(refreshTokens.revokedAt),
        gt(refreshTokens.expiresAt, now),
      ),
    );
  const [row] = await db
    .select({
      role: users.role,
      tokenVersion: users.tokenVersion,
      email: users.email,
      name: users.name,
      live: sql<boolean>`exists (${live})`,
    })
    .from(users)
    .where(eq(users.id, userId));
  if (!row) {
    return { role: undefined, tokenVersion: -1, email: undefined, name: undefined, live: false };
  }
  return {
    role: row.role,
    tokenVersion: row.tokenVersion,
    email: row.email,
    name: row.name,
    live: row.live === true || (row.live as unknown) === 't',
  };
}

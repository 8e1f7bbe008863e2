import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { at, createdAt, id, updatedAt } from '../../db/columns.js';

export const roles = ['customer', 'staff', 'admin'] as const;
export type Role = (typeof roles)[number];

export const users = pgTable(
  'users',
  {
    id: id(),
    /** Stored normalised (trimmed, lower case); the unique index on lower() guards the rest. */
    email: text('email').notNull(),
    name: text('name').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: roles }).notNull().default('customer'),
    emailVerifiedAt: at('email_verified_at'),
    /**
     * Bumped whenever every access token of the account must stop working at once (password
     * reset, role change, create-admin); access tokens carry the version they were issued at.
     */
    tokenVersion: integer('token_version').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('users_email_key').on(sql`lower(${t.email})`),
    check('users_role_check', sql`${t.role} in ('customer', 'staff', 'admin')`),
  ],
);

/**
 * Refresh tokens: opaque secrets stored as SHA-256 hashes. Each login starts a family;
 * each refresh rotates the token within its family. Presenting a rotated token after the
 * grace period is treated as theft and revokes the whole family.
 */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: id(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    familyId: text('family_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    expiresAt: at('expires_at').notNull(),
    rotatedAt: at('rotated_at'),
    revokedAt: at('revoked_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('refresh_tokens_hash_key').on(t.tokenHash),
    index('refresh_tokens_family_idx').on(t.familyId),
    index('refresh_tokens_user_idx').on(t.userId),
  ],
);

export const userTokenKinds = ['verify_email', 'password_reset'] as const;
export type UserTokenKind = (typeof userTokenKinds)[number];

/**
 * Single-use, expiring tokens sent by email (email verification, password reset). The token
 * itself is `id.mac` with mac = HMAC(secret, kind:id): nothing stored can be replayed, and
 * the email job can rebuild the link from the id alone (jobs carry ids, not secrets).
 */
export const userTokens = pgTable(
  'user_tokens',
  {
    id: id(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: userTokenKinds }).notNull(),
    expiresAt: at('expires_at').notNull(),
    usedAt: at('used_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('user_tokens_user_idx').on(t.userId, t.kind),
    index('user_tokens_expiry_idx').on(t.expiresAt),
    check('user_tokens_kind_check', sql`${t.kind} in ('verify_email', 'password_reset')`),
  ],
);

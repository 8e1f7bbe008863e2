import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { at, createdAt } from '../db/columns.js';

/**
 * Idempotency keys, scoped to the user and the route. A key is claimed (`in_flight`) before
 * the work starts and completed (`done`, with the response) in the work's own transaction.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    userId: text('user_id').notNull(),
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    /** SHA-256 of the request (params and body): the same key with another request is refused. */
    fingerprint: text('fingerprint').notNull(),
    state: text('state', { enum: ['in_flight', 'done'] }).notNull(),
    responseStatus: integer('response_status'),
    responseBody: jsonb('response_body'),
    /** An in-flight claim older than this was abandoned (its process died) and may be taken over. */
    leaseUntil: at('lease_until').notNull(),
    expiresAt: at('expires_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'idempotency_keys_pkey', columns: [t.userId, t.scope, t.key] }),
    index('idempotency_keys_expiry_idx').on(t.expiresAt),
    check('idempotency_keys_state_check', sql`${t.state} in ('in_flight', 'done')`),
  ],
);

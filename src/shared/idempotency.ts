import { createHash } from 'node:crypto';
import { and, eq, lte, sql } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Db, Executor } from '../db/client.js';
import type { Clock } from './clock.js';
import { AppError } from './errors.js';
import { idempotencyKeys } from './idempotency.table.js';

/** A stored response is replayed for this long. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A claim whose work has not finished in this time was abandoned (the process died). */
export const IDEMPOTENCY_LEASE_MS = 60 * 1000;

/** The `Idempotency-Key` request header, for route schemas. */
export const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
    .optional(),
});

export interface IdempotencyClaim {
  userId: string;
  /** The route, e.g. `POST /api/v1/orders`. */
  scope: string;
  key: string;
  /** What the request asked for; see `fingerprint`. */
  request: unknown;
}

/** Completes the claim inside the work's own transaction, so the result and its record commit together. */
export type RecordResponse = (tx: Executor, status: number, body: unknown) => Promise<void>;

export interface IdempotentResult<T> {
  status: number;
  body: T;
  replayed: boolean;
}

/** SHA-256 of the request with object keys sorted, so key order does not matter. */
export function fingerprint(request: unknown): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Runs `work` at most once per (user, route, key). The first request claims the key and runs;
 * a retry after it finished gets the stored response again; a retry while it runs gets 409
 * IDEMPOTENCY_KEY_IN_FLIGHT; the same key with a different request gets 422
 * IDEMPOTENCY_KEY_MISMATCH. Work that fails releases the key, so the client may retry.
 * Without a claim (no header), `work` simply runs.
 */
export async function runIdempotent<T>(
  db: Db,
  clock: Clock,
  claim: IdempotencyClaim | undefined,
  work: (record: RecordResponse | undefined) => Promise<{ status: number; body: T }>,
): Promise<IdempotentResult<T>> {
  if (!claim) return { ...(await work(undefined)), replayed: false };

  const id = { userId: claim.userId, scope: claim.scope, key: claim.key };
  const print = fingerprint(claim.request);
  const replay = await acquire(db, clock, id, print);
  if (replay) return { ...(replay as { status: number; body: T }), replayed: true };

  const pk = and(
    eq(idempotencyKeys.userId, id.userId),
    eq(idempotencyKeys.scope, id.scope),
    eq(idempotencyKeys.key, id.key),
  );
  let recorded = false;
  const record: RecordResponse = async (tx, status, body) => {
    await tx
      .update(idempotencyKeys)
      .set({ state: 'done', responseStatus: status, responseBody: body })
      .where(pk);
    recorded = true;
  };
  try {
    const result = await work(record);
    if (!recorded) await record(db, result.status, result.body);
    return { ...result, replayed: false };
  } catch (error) {
    await db
      .delete(idempotencyKeys)
      .where(and(pk, eq(idempotencyKeys.state, 'in_flight')))
      .catch(() => {});
    throw error;
  }
}

type KeyId = { userId: string; scope: string; key: string };

/** Claims the key, or returns the stored response to replay, or throws. */
async function acquire(
  db: Db,
  clock: Clock,
  id: KeyId,
  print: string,
): Promise<{ status: number; body: unknown } | undefined> {
  const pk = and(
    eq(idempotencyKeys.userId, id.userId),
    eq(idempotencyKeys.scope, id.scope),
    eq(idempotencyKeys.key, id.key),
  );
  for (let attempt = 0; attempt < 5; attempt++) {
    const now = clock.now();
    const fresh = {
      fingerprint: print,
      state: 'in_flight' as const,
      responseStatus: null,
      responseBody: null,
      leaseUntil: new Date(now.getTime() + IDEMPOTENCY_LEASE_MS),
      expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
      createdAt: now,
    };
    const claimed = await db
      .insert(idempotencyKeys)
      .values({ ...id, ...fresh })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (claimed.length > 0) return undefined;

    const [row] = await db.select().from(idempotencyKeys).where(pk);
    if (!row) continue; // released between our insert and select: try again

    if (row.expiresAt <= now) {
      // An old key is as good as unused: take it over, unless another request just did.
      const taken = await db
        .update(idempotencyKeys)
        .set(fresh)
        .where(and(pk, lte(idempotencyKeys.expiresAt, now)))
        .returning({ key: idempotencyKeys.key });
      if (taken.length > 0) return undefined;
      continue;
    }
    if (row.fingerprint !== print) {
      throw new AppError(
        'IDEMPOTENCY_KEY_MISMATCH',
        'This Idempotency-Key was already used with a different request',
      );
    }
    if (row.state === 'done') {
      return { status: row.responseStatus ?? 200, body: row.responseBody };
    }
    if (row.leaseUntil > now) {
      throw new AppError(
        'IDEMPOTENCY_KEY_IN_FLIGHT',
        'A request with this Idempotency-Key is still being processed; retry shortly',
      );
    }
    // The first attempt's process died mid-way (its work rolled back): take over its claim.
    const taken = await db
      .update(idempotencyKeys)
      .set({ leaseUntil: fresh.leaseUntil })
      .where(
        and(
          pk,
          eq(idempotencyKeys.state, 'in_flight'),
          sql`${idempotencyKeys.leaseUntil} <= ${now}`,
        ),
      )
      .returning({ key: idempotencyKeys.key });
    if (taken.length > 0) return undefined;
  }
  throw new AppError(
    'IDEMPOTENCY_KEY_IN_FLIGHT',
    'A request with this Idempotency-Key is still being processed; retry shortly',
  );
}

/** Housekeeping: deletes keys whose replay window has passed. */
export async function purgeIdempotencyKeys(db: Executor, now: Date): Promise<number> {
  const deleted = await db
    .delete(idempotencyKeys)
    .where(lte(idempotencyKeys.expiresAt, now))
    .returning({ key: idempotencyKeys.key });
  return deleted.length;
}

/**
 * `runIdempotent` for a route: the key from the `Idempotency-Key` header, scoped to the user
 * and to the method and path, and the `Idempotent-Replayed: true` header on a replay. `status`
 * is what the route answers on success: it is stored with the body and replayed with it.
 */
export async function replyIdempotently<T>(
  deps: { db: Db; clock: Clock },
  http: { request: FastifyRequest; reply: FastifyReply; userId: string; status: number },
  work: (record: RecordResponse | undefined) => Promise<T>,
): Promise<T> {
  const { request, reply, userId, status } = http;
  const key = request.headers['idempotency-key'];
  const claim =
    typeof key === 'string'
      ? {
          userId,
          scope: `${request.method} ${request.url.split('?')[0]}`,
          key,
          request: request.body ?? null,
        }
      : undefined;
  const result = await runIdempotent(deps.db, deps.clock, claim, async (record) => ({
    status,
    body: await work(record),
  }));
  if (result.replayed) void reply.header('idempotent-replayed', 'true');
  void reply.code(result.status);
  return result.body;
}

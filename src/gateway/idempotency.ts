import { createHash } from 'node:crypto';
import { eq, sql, type SQL } from 'drizzle-orm';
import type { GatewayState } from './gateway.state.js';
import { gatewayIdempotency } from './gateway.table.js';
import { invalid, StripeError, type Answer } from './stripe-objects.js';

/** The status of an idempotency key whose first request is still running. */
const IN_FLIGHT = 0;

/** What a request under a key ends with; `stored`: it wrote the key's answer with its own changes. */
export type KeyedAnswer = Answer & { stored?: boolean };

/**
 * Stripe's idempotency: the first request with a key claims it, a retry after it finished
 * gets the stored answer, a retry while it runs gets 409 (never a second charge or refund),
 * the same key with another body is refused, and a request that failed unexpectedly gives the
 * key back. Without a key, `run` just runs.
 */
export async function idempotent(
  gateway: GatewayState,
  key: string | undefined,
  form: unknown,
  run: () => Promise<KeyedAnswer>,
): Promise<KeyedAnswer> {
  if (!key) return run();
  const fingerprint = createHash('sha256').update(JSON.stringify(form)).digest('hex');
  const { db } = gateway;
  const claimed = await db
    .insert(gatewayIdempotency)
    .values({ key, fingerprint, status: IN_FLIGHT, body: {}, createdAt: gateway.clock.now() })
    .onConflictDoNothing()
    .returning({ key: gatewayIdempotency.key });
  if (claimed.length === 0) return replay(gateway, key, fingerprint);
  let result;
  try {
    result = await run();
  } catch (error) {
    await db.delete(gatewayIdempotency).where(eq(gatewayIdempotency.key, key));
    throw error;
  }
  if (!result.stored) {
    await db
      .update(gatewayIdempotency)
      .set({ status: result.status, body: result.body })
      .where(eq(gatewayIdempotency.key, key));
  }
  return result;
}

/** A key already claimed: its stored answer, or why there is none to give. */
async function replay(gateway: GatewayState, key: string, fingerprint: string): Promise<Answer> {
  const [stored] = await gateway.db
    .select()
    .from(gatewayIdempotency)
    .where(eq(gatewayIdempotency.key, key));
  if (stored && stored.fingerprint !== fingerprint) {
    throw invalid(
      'Keys for idempotent requests can only be used with the same parameters they were first used with.',
      undefined,
      'idempotency_key_in_use',
    );
  }
  if (!stored || stored.status === IN_FLIGHT) {
    throw new StripeError(409, {
      type: 'idempotency_error',
      code: 'idempotency_key_in_use',
      message: 'There is currently another in-progress request using this Idempotent Key.',
    });
  }
  return { status: stored.status, body: stored.body };
}

/**
 * The statement that stores a key's answer, for a request that writes it together with its
 * own changes (then `run` returns `stored: true`).
 */
export function storeAnswerSql(key: string, answer: Answer): SQL {
  return sql`update gateway.idempotency set status = ${answer.status},
      body = ${JSON.stringify(answer.body)}::jsonb where key = ${key}`;
}

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { housekeepingJob } from '../src/housekeeping.js';
import { createUser } from './helpers/factories.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const count = async (table: string) =>
  (
    await queryRows<{ n: number }>(
      t.ctx.db,
      sql`select count(*)::int as n from ${sql.identifier(table)}`,
    )
  )[0]!.n;

it('housekeeping forgets expired idempotency keys and spent tokens and sessions, and keeps live ones', async () => {
  const u = await createUser(t);
  // A live session and unused verification tokens exist now; one other session is revoked.
  await t.http.post('/api/v1/auth/logout', { refreshToken: (await createUser(t)).refreshToken });
  const before = {
    keys: await count('idempotency_keys'),
    tokens: await count('user_tokens'),
    sessions: await count('refresh_tokens'),
  };

  await t.ctx.db
    .execute(sql`insert into idempotency_keys (user_id, scope, key, fingerprint, state, lease_until, expires_at)
    values ('usr_old', 'POST /api/v1/orders', 'old', 'x', 'done', now() - interval '2 days', now() - interval '1 day')`);
  await t.ctx.db.execute(
    sql`update user_tokens set used_at = now() - interval '2 days' where user_id = ${u.user.id}`,
  );
  await t.ctx.db.execute(
    sql`update refresh_tokens set revoked_at = now() - interval '2 days' where revoked_at is not null`,
  );

  await housekeepingJob.handler(t.ctx, {} as never, {
    id: 'test',
    name: 'housekeeping',
    retryCount: 0,
    retryLimit: 0,
  });

  expect(await count('idempotency_keys')).toBe(before.keys);
  expect(await count('user_tokens')).toBe(before.tokens - 1);
  expect(await count('refresh_tokens')).toBe(before.sessions - 1);
  // The live session still refreshes.
  expect((await t.http.post('/api/v1/auth/refresh', { refreshToken: u.refreshToken })).status).toBe(
    200,
  );
});

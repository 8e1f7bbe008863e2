import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/client.js';
import { afterCommit, inTransaction } from '../src/db/commit-events.js';
import { dropTestDatabase, openTestDatabase } from './helpers/test-app.js';

let database: Database;
let url: string | undefined;
beforeAll(async () => {
  ({ database, url } = await openTestDatabase());
  await database.db.execute(sql`create table commit_events_probe (n int)`);
});
afterAll(async () => {
  await database.close();
  await dropTestDatabase(url);
});

/** Rows of the probe table, read on a connection of its own (what other requests see). */
async function probeRows(): Promise<number> {
  const { rows } = (await database.db.execute(
    sql`select count(*)::int as n from commit_events_probe`,
  )) as { rows: { n: number }[] };
  return Number(rows[0]!.n);
}

describe('after commit', () => {
  it('runs work registered in a transaction once per key, after its COMMIT, before inTransaction resolves', async () => {
    const heard: string[] = [];
    const result = await inTransaction(database.db, async (tx) => {
      await tx.execute(sql`insert into commit_events_probe values (1)`);
      // What the transaction wrote is visible to the work: it runs after COMMIT.
      const seen = async () => {
        heard.push(`stock: ${await probeRows()} row`);
      };
      afterCommit(tx, 'stock', seen);
      afterCommit(tx, 'stock', seen);
      afterCommit(tx, 'other', async () => {
        heard.push('other');
      });
      expect(heard).toEqual([]);
      return 'done';
    });
    expect(result).toBe('done');
    expect(heard).toEqual(['stock: 1 row', 'other']);

    await inTransaction(database.db, async () => {});
    expect(heard).toHaveLength(2);
  });

  it('runs nothing for a transaction that rolled back', async () => {
    let heard = 0;
    await expect(
      inTransaction(database.db, async (tx) => {
        afterCommit(tx, 'stock', async () => {
          heard += 1;
        });
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(heard).toBe(0);
  });

  it('refuses work on a transaction inTransaction did not open (a plain or a nested savepoint one)', async () => {
    const nothing = async () => {};
    await expect(
      database.db.transaction(async (tx) => afterCommit(tx, 'stock', nothing)),
    ).rejects.toThrow(/inTransaction did not open/);
    await expect(
      inTransaction(database.db, async (tx) =>
        tx.transaction(async (inner) => afterCommit(inner, 'stock', nothing)),
      ),
    ).rejects.toThrow(/inTransaction did not open/);
  });
});

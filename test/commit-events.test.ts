import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/client.js';
import { announceOnCommit, onCommit } from '../src/db/commit-events.js';
import { dropTestDatabase, openTestDatabase } from './helpers/test-app.js';

let database: Database;
let url: string | undefined;
beforeAll(async () => {
  ({ database, url } = await openTestDatabase());
});
afterAll(async () => {
  await database.close();
  await dropTestDatabase(url);
});

describe('commit events', () => {
  it('runs a listener once per committed transaction that announced, before the transaction resolves', async () => {
    const heard: string[] = [];
    const stop = onCommit(database.db, 'stock-changed', async () => {
      // What the transaction wrote is visible to the listener: it runs after COMMIT.
      const { rows } = (await database.db.execute(sql`select 1 as one`)) as {
        rows: { one: number }[];
      };
      heard.push(`heard ${rows[0]!.one}`);
    });
    try {
      const result = await database.db.transaction(async (tx) => {
        announceOnCommit(tx, 'stock-changed');
        announceOnCommit(tx, 'stock-changed');
        expect(heard).toEqual([]);
        return 'done';
      });
      expect(result).toBe('done');
      expect(heard).toEqual(['heard 1']);

      await database.db.transaction(async () => {});
      expect(heard).toHaveLength(1);
    } finally {
      stop();
    }
  });

  it('announces nothing for a transaction that rolled back', async () => {
    let heard = 0;
    const stop = onCommit(database.db, 'stock-changed', async () => {
      heard += 1;
    });
    try {
      await expect(
        database.db.transaction(async (tx) => {
          announceOnCommit(tx, 'stock-changed');
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
      expect(heard).toBe(0);
    } finally {
      stop();
    }
  });

  it('refuses an announcement that could not be delivered (a nested savepoint transaction)', async () => {
    await expect(
      database.db.transaction(async (tx) =>
        tx.transaction(async (inner) => announceOnCommit(inner, 'stock-changed')),
      ),
    ).rejects.toThrow(/cannot deliver/);
  });

  it('stops calling a listener once it is removed', async () => {
    let heard = 0;
    const stop = onCommit(database.db, 'stock-changed', async () => {
      heard += 1;
    });
    stop();
    await database.db.transaction(async (tx) => announceOnCommit(tx, 'stock-changed'));
    expect(heard).toBe(0);
  });
});

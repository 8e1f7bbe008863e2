import pg from 'pg';
import type { Database } from '../../src/db/client.js';

/** What `run` asks of the database driver: the statements sent, and the transactions opened. */
export async function driverCalls(database: Database, run: () => Promise<unknown>) {
  const calls = { statements: [] as string[], transactions: 0 };
  const textOf = (first: unknown) =>
    typeof first === 'string' ? first : (first as { text: string }).text;
  // Every statement on PostgreSQL goes through a pool client's query, BEGIN included; PGlite
  // runs a transaction's statements on the object its `transaction` hands out, so that
  // object's query is counted too.
  const target = (database.kind === 'postgres'
    ? pg.Client.prototype
    : database.client) as unknown as Record<
    'query' | 'transaction',
    (...args: unknown[]) => unknown
  >;
  const { query, transaction } = target;
  target.query = function (this: unknown, ...args: unknown[]) {
    const text = textOf(args[0]);
    calls.statements.push(text);
    if (/^\s*begin/i.test(text)) calls.transactions++;
    return query.apply(this, args);
  };
  if (database.kind === 'pglite') {
    target.transaction = function (this: unknown, work: unknown, ...rest: unknown[]) {
      calls.transactions++;
      const counted = (tx: { query: (...args: unknown[]) => unknown }) => {
        const own = tx.query;
        tx.query = (...args: unknown[]) => {
          calls.statements.push(textOf(args[0]));
          return own.apply(tx, args);
        };
        return (work as (tx: unknown) => unknown)(tx);
      };
      return transaction.call(this, counted, ...rest);
    };
  }
  try {
    await run();
  } finally {
    target.query = query;
    if (database.kind === 'pglite') target.transaction = transaction;
  }
  return calls;
}

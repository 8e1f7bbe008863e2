import type { Db, Tx } from './client.js';

/**
 * Work that must wait for a transaction to commit (telling the catalog cache that stock moved),
 * registered where the change is made and run by the helper that opened the transaction:
 *
 *   await inTransaction(ctx.db, async (tx) => {
 *     ...
 *     afterCommit(tx, 'catalog stock', () => stockChanged(ctx));
 *   });
 *
 * The work runs after COMMIT has returned and before `inTransaction` resolves, so the caller's
 * answer (a cancel's 200) is sent only once it is done. A rolled-back transaction runs none.
 */
type Work = () => Promise<void>;

/** The work each open transaction of inTransaction has registered, by key. */
const registered = new WeakMap<Tx, Map<string, Work>>();

/**
 * Runs `work` in a transaction on `db`, then, once it has committed, what it registered with
 * afterCommit, in the order registered. Answers what `work` answered.
 */
export async function inTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  const after = new Map<string, Work>();
  const result = await db.transaction(async (tx) => {
    registered.set(tx, after);
    return work(tx);
  });
  for (const run of after.values()) await run();
  return result;
}

/**
 * Registers `run` for when `tx` commits; registered twice under one `key` in one transaction,
 * it runs once. Throws on a transaction inTransaction did not open (or a nested savepoint
 * transaction): work that would be lost is a bug to find in tests, not a stale cache later.
 */
export function afterCommit(tx: Tx, key: string, run: Work): void {
  const after = registered.get(tx);
  if (!after)
    throw new Error(`"${key}" registered on a transaction that inTransaction did not open`);
  if (!after.has(key)) after.set(key, run);
}

import { PgTransaction } from 'drizzle-orm/pg-core';
import type { Db, Executor, Tx } from './client.js';

/**
 * What a transaction can announce to the rest of the process once it has committed. A
 * function deep in a transaction (`moveStock`, which every stock change goes through) marks
 * the event on its `tx`; listeners that the process registered on the database handle run
 * after COMMIT has returned and before `db.transaction` resolves, so the caller's answer (an
 * order's 201) is sent only once they are done. A rolled-back transaction announces nothing.
 *
 * This is how the catalog cache learns that stock moved without every caller of the
 * lifecycle having to remember it: the one function that changes stock says so, once.
 */
export type CommitEvent = 'stock-changed';

type Listener = () => Promise<void>;

const listeners = new WeakMap<Db, Map<CommitEvent, Set<Listener>>>();
/** The events each open transaction has announced, deduplicated. */
const announced = new WeakMap<Tx, Set<CommitEvent>>();

/**
 * Makes `db.transaction` deliver commit events. `openDatabase` calls it on every handle it
 * opens, so a transaction on any handle Ordo uses can announce.
 */
export function deliverCommitEvents(db: Db): Db {
  const transaction = db.transaction.bind(db);
  const wrapped: Db['transaction'] = async (work, config) => {
    const events = new Set<CommitEvent>();
    const result = await transaction(async (tx) => {
      announced.set(tx, events);
      return work(tx);
    }, config);
    for (const event of events) {
      for (const listener of listeners.get(db)?.get(event) ?? []) await listener();
    }
    return result;
  };
  Object.defineProperty(db, 'transaction', { value: wrapped, configurable: true });
  return db;
}

/**
 * Announces `event` for when `tx` commits. Throws on a transaction that cannot deliver it
 * (a handle `deliverCommitEvents` never saw, or a nested savepoint transaction): a change
 * whose announcement would be lost is a bug to find in tests, not a stale cache to find later.
 */
export function announceOnCommit(tx: Tx, event: CommitEvent): void {
  const events = announced.get(tx);
  if (!events) throw new Error(`"${event}" announced on a transaction that cannot deliver it`);
  events.add(event);
}

/** Runs `listener` after every commit of a transaction on `db` that announced `event`. */
export function onCommit(db: Db, event: CommitEvent, listener: Listener): () => void {
  let byEvent = listeners.get(db);
  if (!byEvent) listeners.set(db, (byEvent = new Map<CommitEvent, Set<Listener>>()));
  let set = byEvent.get(event);
  if (!set) byEvent.set(event, (set = new Set<Listener>()));
  set.add(listener);
  return () => set.delete(listener);
}

/**
 * Announces `event` for a change made through `executor`: on a transaction, for its commit
 * (announceOnCommit); on the database handle itself, now, since a statement outside a
 * transaction has committed by the time it answers (an order placed in one statement).
 */
export async function announce(executor: Executor, event: CommitEvent): Promise<void> {
  if (executor instanceof PgTransaction) {
    announceOnCommit(executor as Tx, event);
    return;
  }
  for (const listener of listeners.get(executor)?.get(event) ?? []) await listener();
}

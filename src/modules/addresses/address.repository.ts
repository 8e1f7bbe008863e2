import { and, asc, count, desc, eq, ne, sql } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client.js';
import { preparedRows } from '../../db/client.js';
import { selectPage } from '../../db/page.js';
import type { PageRequest } from '../../shared/pagination.js';
import { addresses } from './address.table.js';

export type AddressRow = typeof addresses.$inferSelect;
export type NewAddress = typeof addresses.$inferInsert;
export type AddressChanges = Partial<
  Pick<
    AddressRow,
    | 'name'
    | 'line1'
    | 'line2'
    | 'city'
    | 'region'
    | 'postalCode'
    | 'country'
    | 'phone'
    | 'isDefault'
    | 'updatedAt'
  >
>;

/** The first key of the advisory lock that serialises one customer's address book writes. */
const ADDRESS_BOOK_LOCK = 0x41444452; // 'ADDR'

/**
 * Makes one customer's address book writes take turns, to the end of the transaction: which
 * address is the default, and whether one is the first, are decided under it. (The partial
 * unique index would refuse a second default anyway; the lock makes racing requests wait
 * instead of failing.)
 */
export async function lockAddressBook(tx: Tx, userId: string): Promise<void> {
  await preparedRows(
    tx,
    sql`select pg_advisory_xact_lock(${ADDRESS_BOOK_LOCK}::int, hashtext(${userId}))`,
  );
}

/** The customer's address with this id; undefined for another customer's, as for none. */
export async function findAddress(
  db: Executor,
  userId: string,
  id: string,
): Promise<AddressRow | undefined> {
  const [row] = await db
    .select()
    .from(addresses)
    .where(and(eq(addresses.id, id), eq(addresses.userId, userId)));
  return row;
}

/** The customer's addresses, the default first, then the newest. */
export function listAddresses(
  db: Executor,
  userId: string,
  page: PageRequest,
): Promise<{ rows: AddressRow[]; total: number }> {
  return selectPage(
    db,
    addresses,
    eq(addresses.userId, userId),
    [desc(addresses.isDefault), desc(addresses.createdAt), asc(addresses.id)],
    page,
  );
}

export async function countAddresses(tx: Tx, userId: string): Promise<number> {
  const [row] = await tx.select({ n: count() }).from(addresses).where(eq(addresses.userId, userId));
  return row?.n ?? 0;
}

export async function insertAddress(tx: Tx, row: NewAddress): Promise<AddressRow> {
  const [inserted] = await tx.insert(addresses).values(row).returning();
  return inserted!;
}

export async function updateAddress(
  tx: Tx,
  userId: string,
  id: string,
  changes: AddressChanges,
): Promise<AddressRow | undefined> {
  const [row] = await tx
    .update(addresses)
    .set(changes)
    .where(and(eq(addresses.id, id), eq(addresses.userId, userId)))
    .returning();
  return row;
}

/** The customer's default, if any, stops being it (but `except`). */
export async function clearDefault(tx: Tx, userId: string, except: string): Promise<void> {
  await tx
    .update(addresses)
    .set({ isDefault: false })
    .where(
      and(eq(addresses.userId, userId), eq(addresses.isDefault, true), ne(addresses.id, except)),
    );
}

export async function deleteAddress(
  tx: Tx,
  userId: string,
  id: string,
): Promise<AddressRow | undefined> {
  const [row] = await tx
    .delete(addresses)
    .where(and(eq(addresses.id, id), eq(addresses.userId, userId)))
    .returning();
  return row;
}

/** The customer's most recently created address, the next default when the default goes. */
export async function newestAddress(tx: Tx, userId: string): Promise<AddressRow | undefined> {
  const [row] = await tx
    .select()
    .from(addresses)
    .where(eq(addresses.userId, userId))
    .orderBy(desc(addresses.createdAt), desc(addresses.id))
    .limit(1);
  return row;
}

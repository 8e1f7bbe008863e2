import type { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import type { Executor } from '../../db/client.js';
import { inTransaction } from '../../db/commit-events.js';
import { AppError, notFound } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { Page, PageRequest } from '../../shared/pagination.js';
import { regionProblem } from '../../shared/regions.js';
import type { Actor } from '../auth/auth.service.js';
import * as repo from './address.repository.js';
import type { AddressRow } from './address.repository.js';
import type { addressBody, addressPatch, addressSchema } from './addresses.schemas.js';

/** An address book entry as the API shows it. */
export type Address = z.output<typeof addressSchema>;
export type AddressInput = z.output<typeof addressBody>;
export type AddressPatch = z.output<typeof addressPatch>;

/** A postal address as an order stores it: the entry without its book-keeping. */
export interface PostalAddress {
  name: string;
  line1: string;
  line2?: string | undefined;
  city: string;
  region?: string | undefined;
  postalCode: string;
  country: string;
  phone?: string | undefined;
}

/** How many addresses one account keeps at most: a book, not a store for anything. */
export const MAX_ADDRESSES = 50;

type Ctx = Pick<AppContext, 'db' | 'clock'>;

/** The optional fields present only when set, as every address Ordo answers. */
function postalOf(row: AddressRow): PostalAddress {
  return {
    name: row.name,
    line1: row.line1,
    ...(row.line2 ? { line2: row.line2 } : {}),
    city: row.city,
    ...(row.region ? { region: row.region } : {}),
    postalCode: row.postalCode,
    country: row.country,
    ...(row.phone ? { phone: row.phone } : {}),
  };
}

const toAddress = (row: AddressRow): Address => ({
  id: row.id,
  ...postalOf(row),
  isDefault: row.isDefault,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

export async function listAddresses(
  ctx: Ctx,
  actor: Actor,
  page: PageRequest,
): Promise<Page<Address>> {
  const { rows, total } = await repo.listAddresses(ctx.db, actor.userId, page);
  return { items: rows.map(toAddress), ...page, total };
}

/** One of the actor's addresses; 404 for another account's, as for none. */
export async function getAddress(ctx: Ctx, actor: Actor, id: string): Promise<Address> {
  const row = await repo.findAddress(ctx.db, actor.userId, id);
  if (!row) throw notFound('Address');
  return toAddress(row);
}

/**
 * Saves an address. The account's first address is its default; a later one becomes the
 * default when it asks to, and the previous default stops being it, in one transaction under
 * the account's address book lock (so two at once cannot both be the default, nor both be the
 * first).
 */
export async function createAddress(ctx: Ctx, actor: Actor, input: AddressInput): Promise<Address> {
  const now = ctx.clock.now();
  const id = newId('adr', now.getTime());
  return inTransaction(ctx.db, async (tx) => {
    await repo.lockAddressBook(tx, actor.userId);
    const held = await repo.countAddresses(tx, actor.userId);
    if (held >= MAX_ADDRESSES) {
      throw new AppError(
        'ADDRESS_BOOK_FULL',
        `An address book holds at most ${MAX_ADDRESSES} addresses; delete one first`,
      );
    }
    const isDefault = held === 0 || input.isDefault === true;
    if (isDefault) await repo.clearDefault(tx, actor.userId, id);
    return toAddress(
      await repo.insertAddress(tx, {
        id,
        userId: actor.userId,
        name: input.name,
        line1: input.line1,
        line2: input.line2 || null,
        city: input.city,
        region: input.region ?? null,
        postalCode: input.postalCode,
        country: input.country,
        phone: input.phone ?? null,
        isDefault,
        createdAt: now,
        updatedAt: now,
      }),
    );
  });
}

/**
 * Changes an address: the fields given (null clears an optional one), and `isDefault: true`
 * makes it the default. The region is checked against the country as they will be together.
 */
export async function updateAddress(
  ctx: Ctx,
  actor: Actor,
  id: string,
  patch: AddressPatch,
): Promise<Address> {
  const now = ctx.clock.now();
  return inTransaction(ctx.db, async (tx) => {
    await repo.lockAddressBook(tx, actor.userId);
    const row = await repo.findAddress(tx, actor.userId, id);
    if (!row) throw notFound('Address');
    const changes: repo.AddressChanges = { updatedAt: now };
    for (const key of ['name', 'line1', 'city', 'postalCode', 'country'] as const) {
      const value = patch[key];
      if (value !== undefined) changes[key] = value;
    }
    if (patch.line2 !== undefined) changes.line2 = patch.line2 || null;
    if (patch.region !== undefined) changes.region = patch.region;
    if (patch.phone !== undefined) changes.phone = patch.phone;
    const country = changes.country ?? row.country;
    const regionAfter = changes.region === undefined ? row.region : changes.region;
    const problem = regionAfter === null ? undefined : regionProblem(country, regionAfter);
    if (problem) {
      throw new AppError('VALIDATION_FAILED', `body.region: ${problem}`, {
        errors: [{ path: 'body.region', message: problem }],
      });
    }
    if (patch.isDefault) {
      await repo.clearDefault(tx, actor.userId, id);
      changes.isDefault = true;
    }
    return toAddress((await repo.updateAddress(tx, actor.userId, id, changes))!);
  });
}

/** Deletes an address; when it was the default, the newest one left becomes the default. */
export async function deleteAddress(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  const now = ctx.clock.now();
  await inTransaction(ctx.db, async (tx) => {
    await repo.lockAddressBook(tx, actor.userId);
    const deleted = await repo.deleteAddress(tx, actor.userId, id);
    if (!deleted) throw notFound('Address');
    if (!deleted.isDefault) return;
    const next = await repo.newestAddress(tx, actor.userId);
    if (next)
      await repo.updateAddress(tx, actor.userId, next.id, { isDefault: true, updatedAt: now });
  });
}

/**
 * The address an order ships to when it names a saved one (`shippingAddressId`): the
 * customer's own, copied; 422 SHIPPING_ADDRESS_UNKNOWN for an id that is not in their book
 * (another account's answers the same as none).
 */
export async function savedShippingAddress(
  db: Executor,
  userId: string,
  id: string,
): Promise<PostalAddress> {
  const row = await repo.findAddress(db, userId, id);
  if (!row) {
    throw new AppError(
      'SHIPPING_ADDRESS_UNKNOWN',
      'There is no address with this id in your address book',
      { errors: [{ path: 'body.shippingAddressId', message: 'not one of your saved addresses' }] },
    );
  }
  return postalOf(row);
}

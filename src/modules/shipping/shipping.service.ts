import type { AppContext } from '../../app-context.js';
import { notFound } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { Page, PageRequest } from '../../shared/pagination.js';
import * as repo from './shipping-method.repository.js';
import type { ShippingMethodRow } from './shipping-method.repository.js';
import type { ShippingMethod, ShippingMethodInput } from './shipping.schemas.js';

type Ctx = Pick<AppContext, 'db' | 'clock'>;

/** A way an order may ship, with its undiscounted price and its free-over threshold. */
export interface ShippingOption {
  id: string;
  name: string;
  price: number;
  freeOver: number | null;
}

/**
 * The method the flat-rate settings make when the shop has none (SHIPPING_FLAT_RATE, free
 * from FREE_SHIPPING_OVER), so a shop that never set up methods ships as it always did.
 */
export const STANDARD_METHOD = { id: 'standard', name: 'Standard' } as const;

export const standardOption = (config: AppContext['config']): ShippingOption => ({
  ...STANDARD_METHOD,
  price: config.shippingFlatRate,
  freeOver: config.freeShippingOver ?? null,
});

/**
 * The methods an order to `country` may go by: the active ones serving it (without a country,
 * those serving every country), or Standard when the shop has no method at all.
 */
export async function shippingOptionsFor(
  ctx: Pick<AppContext, 'db' | 'config'>,
  country: string | undefined,
): Promise<ShippingOption[]> {
  const rows = await repo.activeMethods(ctx.db, country);
  if (rows.length > 0) return rows.map(toOption);
  return (await repo.anyMethod(ctx.db)) ? [] : [standardOption(ctx.config)];
}

const toOption = (row: ShippingMethodRow): ShippingOption => ({
  id: row.id,
  name: row.name,
  price: row.price,
  freeOver: row.freeOver,
});

/** The placement statement's relation of the methods an order may go by (see repo.methodChoices). */
export const shippingChoicesSql = repo.methodChoices;

const toMethod = (row: ShippingMethodRow): ShippingMethod => ({
  id: row.id,
  name: row.name,
  countries: row.countries,
  price: row.price,
  freeOver: row.freeOver,
  active: row.active,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/** Countries once each, in the order given. */
const distinct = (countries: readonly string[]) => [...new Set(countries)];

export async function createShippingMethod(
  ctx: Ctx,
  input: ShippingMethodInput,
): Promise<ShippingMethod> {
  const now = ctx.clock.now();
  const row = await repo.insertMethod(ctx.db, {
    id: newId('shm', now.getTime()),
    name: input.name,
    countries: distinct(input.countries ?? []),
    price: input.price,
    freeOver: input.freeOver ?? null,
    active: input.active ?? true,
    createdAt: now,
    updatedAt: now,
  });
  return toMethod(row);
}

/** Changes a method. Orders placed by it keep its name and the price they were charged. */
export async function updateShippingMethod(
  ctx: Ctx,
  id: string,
  changes: Partial<ShippingMethodInput>,
): Promise<ShippingMethod> {
  const row = await repo.updateMethod(ctx.db, id, {
    ...(changes.name === undefined ? {} : { name: changes.name }),
    ...(changes.countries === undefined ? {} : { countries: distinct(changes.countries) }),
    ...(changes.price === undefined ? {} : { price: changes.price }),
    ...(changes.freeOver === undefined ? {} : { freeOver: changes.freeOver }),
    ...(changes.active === undefined ? {} : { active: changes.active }),
    updatedAt: ctx.clock.now(),
  });
  if (!row) throw notFound('Shipping method');
  return toMethod(row);
}

/** Deletes a method; orders placed by it keep its id and name. */
export async function deleteShippingMethod(ctx: Ctx, id: string): Promise<void> {
  if (!(await repo.deleteMethod(ctx.db, id))) throw notFound('Shipping method');
}

export async function getShippingMethod(ctx: Ctx, id: string): Promise<ShippingMethod> {
  const row = await repo.findMethod(ctx.db, id);
  if (!row) throw notFound('Shipping method');
  return toMethod(row);
}

export async function listShippingMethods(
  ctx: Ctx,
  filter: { active?: boolean | undefined },
  page: PageRequest,
): Promise<Page<ShippingMethod>> {
  const { rows, total } = await repo.listMethods(ctx.db, filter, page);
  return { items: rows.map(toMethod), ...page, total };
}

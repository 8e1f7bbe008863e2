import type { AppContext } from '../../app-context.js';
import { isUniqueViolation } from '../../db/errors.js';
import { AppError, notFound } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { Page, PageRequest } from '../../shared/pagination.js';
import { REGION_MISMATCH, regionOfCountry } from '../../shared/place-schemas.js';
import { percentToTaxRate, taxRateToPercent } from '../../shared/tax-arithmetic.js';
import * as repo from './tax-rate.repository.js';
import type { TaxRateRow } from './tax-rate.repository.js';
import type { TaxProvider } from './tax-provider.js';
import type { TaxRate, TaxRateInput } from './taxes.schemas.js';

type Ctx = Pick<AppContext, 'db' | 'clock'>;

/** The shop's own table of rates: the most specific for the destination (region over country), none: no tax. */
export const builtinTaxTable: TaxProvider = {
  async rateFor(db, destination) {
    const row = await repo.rateFor(db, destination);
    if (!row) return { rate: 0, shippingRate: 0, name: null };
    return { rate: row.rate, shippingRate: row.appliesToShipping ? row.rate : 0, name: row.name };
  },
  rateRelation: repo.rateRelation,
};

/** The tax provider orders are charged by: the built-in table (the one there is, for now). */
export const taxProvider = (): TaxProvider => builtinTaxTable;

const toTaxRate = (row: TaxRateRow): TaxRate => ({
  id: row.id,
  name: row.name,
  country: row.country,
  region: row.region,
  rate: taxRateToPercent(row.rate),
  appliesToShipping: row.appliesToShipping,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const placeTaken = (place: { country: string; region?: string | null | undefined }) =>
  new AppError(
    'TAX_RATE_TAKEN',
    `A tax rate for ${place.region ?? place.country} already exists; edit it instead`,
  );

export async function createTaxRate(ctx: Ctx, input: TaxRateInput): Promise<TaxRate> {
  const now = ctx.clock.now();
  try {
    const row = await repo.insertRate(ctx.db, {
      id: newId('txr', now.getTime()),
      name: input.name,
      country: input.country,
      region: input.region ?? null,
      rate: percentToTaxRate(input.rate),
      appliesToShipping: input.appliesToShipping ?? true,
      createdAt: now,
      updatedAt: now,
    });
    return toTaxRate(row);
  } catch (error) {
    if (isUniqueViolation(error, 'tax_rates_place_key')) throw placeTaken(input);
    throw error;
  }
}

/**
 * Changes a rate. Orders placed before keep the rate they were charged at (their lines and
 * their own columns hold it); only orders placed after see the new one.
 */
export async function updateTaxRate(
  ctx: Ctx,
  id: string,
  changes: Partial<TaxRateInput>,
): Promise<TaxRate> {
  const current = await repo.findRate(ctx.db, id);
  if (!current) throw notFound('Tax rate');
  const place = {
    country: changes.country ?? current.country,
    region: changes.region === undefined ? current.region : changes.region,
  };
  if (!regionOfCountry(place)) {
    throw new AppError('VALIDATION_FAILED', `body.region: ${REGION_MISMATCH}`, {
      errors: [{ path: 'body.region', message: REGION_MISMATCH }],
    });
  }
  try {
    const row = await repo.updateRate(ctx.db, id, {
      ...(changes.name === undefined ? {} : { name: changes.name }),
      country: place.country,
      region: place.region,
      ...(changes.rate === undefined ? {} : { rate: percentToTaxRate(changes.rate) }),
      ...(changes.appliesToShipping === undefined
        ? {}
        : { appliesToShipping: changes.appliesToShipping }),
      updatedAt: ctx.clock.now(),
    });
    if (!row) throw notFound('Tax rate');
    return toTaxRate(row);
  } catch (error) {
    if (isUniqueViolation(error, 'tax_rates_place_key')) throw placeTaken(place);
    throw error;
  }
}

export async function deleteTaxRate(ctx: Ctx, id: string): Promise<void> {
  if (!(await repo.deleteRate(ctx.db, id))) throw notFound('Tax rate');
}

export async function getTaxRate(ctx: Ctx, id: string): Promise<TaxRate> {
  const row = await repo.findRate(ctx.db, id);
  if (!row) throw notFound('Tax rate');
  return toTaxRate(row);
}

export async function listTaxRates(
  ctx: Ctx,
  filter: { country?: string | undefined },
  page: PageRequest,
): Promise<Page<TaxRate>> {
  const { rows, total } = await repo.listRates(ctx.db, filter, page);
  return { items: rows.map(toTaxRate), ...page, total };
}

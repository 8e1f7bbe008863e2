import type { SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { AppError } from '../../shared/errors.js';

/** Where an order goes, as far as tax cares. */
export interface Destination {
  country: string;
  region?: string | undefined;
}

/** The tax an order to a destination is charged at (thousandths of a percent). */
export interface AppliedTax {
  /** The lines' rate; 0 where the shop has no rate. */
  rate: number;
  /** Shipping's rate: the same, or 0 when the rate does not apply to shipping. */
  shippingRate: number;
  /** The rate's name, as the order keeps it ("California sales tax"); null: no rate. */
  name: string | null;
}

export const UNTAXED: AppliedTax = { rate: 0, shippingRate: 0, name: null };

/**
 * Where tax rates come from. The shop's own table (taxes.service.ts, `builtinTaxTable`) is
 * the one implementation; an external tax service would be another. A provider that cannot
 * say throws: a failure is never a rate of 0 (resolveTax turns it into 503 TAX_UNAVAILABLE).
 */
export interface TaxProvider {
  /** The rate for an order to `destination` (quotes, and the answer to a placed order). */
  rateFor(db: Executor, destination: Destination): Promise<AppliedTax>;
  /**
   * The same choice as SQL, read by the statement that places an order in its own snapshot,
   * so placing costs no extra round trip and prices and rate are read together: a relation
   * of at most one row (`rate`, `applies_to_shipping`, `name`; none: no tax) given the
   * destination's country and region as SQL values. A provider that asks a service would
   * answer with its placeholders, filled from an answer it fetched before the statement.
   */
  rateRelation(country: SQL, region: SQL): SQL;
}

/** The provider's rate for `destination`; its failure is 503 TAX_UNAVAILABLE, never no tax. */
export async function resolveTax(
  provider: TaxProvider,
  db: Executor,
  destination: Destination,
): Promise<AppliedTax> {
  try {
    return await provider.rateFor(db, destination);
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError(
      'TAX_UNAVAILABLE',
      'The tax for this address cannot be worked out right now; try again shortly',
    );
  }
}

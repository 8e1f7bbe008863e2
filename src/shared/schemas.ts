import { z } from 'zod';

/**
 * The schema pieces every module shares, so an id or an amount means the same thing on
 * every route. Module schemas live in each module's `*.schemas.ts`; API types are derived
 * from them (`z.output<typeof orderSchema>`), never written again by hand.
 */

/** An opaque id, as ids appear in paths and bodies. */
export const id = z.string().min(1).max(64);

/** `/…/{id}`. */
export const idParams = z.strictObject({ id });

/**
 * An amount a client sends, in minor units: a whole number, at most ten million major units
 * (far above any price, discount or refund Ordo takes).
 */
export const moneyInput = z
  .number()
  .int('must be an integer amount in minor units')
  .min(0)
  .max(1_000_000_000);

/** An amount Ordo answers with, in minor units of the shop currency. */
export const money = z.number().int().describe('minor units');

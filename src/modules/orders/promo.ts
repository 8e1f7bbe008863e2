import type { AppContext } from '../../app-context.js';
import type { Executor } from '../../db/client.js';
import type { ErrorCode } from '../../shared/errors.js';
import type { Actor } from '../auth/auth.service.js';
import type { PricingLine } from './pricing.js';

export type PromoOutcome =
  | { code: undefined; applied: false }
  | { code: string; applied: true; discount: number }
  | { code: string; applied: false; reason: ErrorCode; message: string };

/**
 * What a promo code does to a cart. Promo codes are not administered yet (the promotions
 * module arrives with pricing and promotions), so every code is unknown for now.
 */
export async function evaluatePromo(
  _ctx: Pick<AppContext, 'db' | 'clock'>,
  _actor: Actor,
  code: string | undefined,
  _lines: PricingLine[],
  _db?: Executor,
): Promise<PromoOutcome> {
  if (!code) return { code: undefined, applied: false };
  return {
    code,
    applied: false,
    reason: 'PROMO_CODE_UNKNOWN',
    message: `No promo code ${code}`,
  };
}

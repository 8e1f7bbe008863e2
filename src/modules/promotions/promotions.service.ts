import type { AppContext } from '../../app-context.js';
import type { Tx } from '../../db/client.js';
import { isUniqueViolation } from '../../db/errors.js';
import { AppError, type FieldError, notFound } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { Page, PageRequest } from '../../shared/pagination.js';
import * as repo from './promo-code.repository.js';
import type { PromoCodeRow, RedemptionRow } from './promo-code.repository.js';
import type { PromoCode, PromoInput, Redemption } from './promotions.schemas.js';
import {
  basisPointsToPercent,
  evaluatePromo,
  percentToBasisPoints,
  type PromoRefusal,
} from './promo-rules.js';

type Ctx = Pick<AppContext, 'db' | 'clock'>;

const iso = (d: Date | null) => d?.toISOString() ?? null;

const toPromo = (row: PromoCodeRow): PromoCode => ({
  id: row.id,
  code: row.code,
  type: row.type,
  amountOff: row.amountOff,
  percentOff: row.percentOffBp === null ? null : basisPointsToPercent(row.percentOffBp),
  maxDiscount: row.maxDiscount,
  minSubtotal: row.minSubtotal,
  startsAt: iso(row.startsAt),
  endsAt: iso(row.endsAt),
  usageLimit: row.usageLimit,
  perCustomerLimit: row.perCustomerLimit,
  active: row.active,
  timesUsed: row.timesUsed,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const toRedemption = (row: RedemptionRow): Redemption => ({
  orderId: row.orderId,
  userId: row.userId,
  discount: row.discount,
  redeemedAt: row.createdAt.toISOString(),
  releasedAt: iso(row.releasedAt),
});

/**
 * Checks a whole promo definition (after a PATCH, the merged one) and converts it to columns:
 * `percentOff` 12.5 → 1250 basis points, once, here.
 */
function toColumns(input: PromoInput) {
  const errors: FieldError[] = [];
  const fail = (path: string, message: string) => errors.push({ path: `body.${path}`, message });
  let percentOffBp: number | null = null;
  if (input.type === 'fixed') {
    if (input.amountOff === undefined || input.amountOff === null)
      fail('amountOff', 'required for a fixed code');
    if (input.percentOff !== undefined && input.percentOff !== null)
      fail('percentOff', 'only for a percentage code');
    if (input.maxDiscount !== undefined && input.maxDiscount !== null)
      fail('maxDiscount', 'only for a percentage code');
  } else {
    if (input.percentOff === undefined || input.percentOff === null) {
      fail('percentOff', 'required for a percentage code');
    } else {
      const bp = percentToBasisPoints(input.percentOff);
      if (bp === undefined) fail('percentOff', 'at most two decimals');
      else percentOffBp = bp;
    }
    if (input.amountOff !== undefined && input.amountOff !== null)
      fail('amountOff', 'only for a fixed code');
  }
  const startsAt = input.startsAt ? new Date(input.startsAt) : null;
  const endsAt = input.endsAt ? new Date(input.endsAt) : null;
  if (startsAt && endsAt && endsAt <= startsAt) fail('endsAt', 'must be after startsAt');
  if (errors.length > 0) {
    throw new AppError(
      'VALIDATION_FAILED',
      errors.map((e) => `${e.path}: ${e.message}`).join('; '),
      {
        errors,
      },
    );
  }
  return {
    code: input.code,
    type: input.type,
    amountOff: input.type === 'fixed' ? (input.amountOff ?? null) : null,
    percentOffBp,
    maxDiscount: input.type === 'percentage' ? (input.maxDiscount ?? null) : null,
    minSubtotal: input.minSubtotal ?? null,
    startsAt,
    endsAt,
    usageLimit: input.usageLimit ?? null,
    perCustomerLimit: input.perCustomerLimit ?? null,
    active: input.active ?? true,
  };
}

const codeTaken = (code: string) =>
  new AppError('PROMO_CODE_TAKEN', `A promo code ${code} already exists`);

export async function createPromo(ctx: Ctx, input: PromoInput): Promise<PromoCode> {
  const now = ctx.clock.now();
  try {
    const row = await repo.insertPromo(ctx.db, {
      id: newId('prm', now.getTime()),
      ...toColumns(input),
      createdAt: now,
      updatedAt: now,
    });
    return toPromo(row);
  } catch (error) {
    if (isUniqueViolation(error, 'promo_codes_code_key')) throw codeTaken(input.code);
    throw error;
  }
}

/** Changes a code. A usage limit below the uses already counted is refused by the database check. */
export async function updatePromo(
  ctx: Ctx,
  id: string,
  changes: Partial<PromoInput>,
): Promise<PromoCode> {
  const now = ctx.clock.now();
  try {
    const row = await ctx.db.transaction(async (tx) => {
      const current = await repo.lockById(tx, id);
      if (!current) throw notFound('Promo code');
      const merged: PromoInput = { ...toPromo(current), ...changes };
      if (
        merged.usageLimit !== null &&
        merged.usageLimit !== undefined &&
        merged.usageLimit < current.timesUsed
      ) {
        throw new AppError(
          'VALIDATION_FAILED',
          `body.usageLimit: already used ${current.timesUsed} times`,
          {
            errors: [
              { path: 'body.usageLimit', message: `already used ${current.timesUsed} times` },
            ],
          },
        );
      }
      return repo.updatePromo(tx, id, { ...toColumns(merged), updatedAt: now });
    });
    return toPromo(row!);
  } catch (error) {
    if (isUniqueViolation(error, 'promo_codes_code_key')) throw codeTaken(changes.code ?? '');
    throw error;
  }
}

/** Deletes a code nobody has used; a used code can only be deactivated (its orders keep it). */
export async function deletePromo(ctx: Ctx, id: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const current = await repo.lockById(tx, id);
    if (!current) throw notFound('Promo code');
    if (await repo.hasRedemptions(tx, id)) {
      throw new AppError(
        'PROMO_CODE_IN_USE',
        'This code has been used; deactivate it instead of deleting it',
      );
    }
    await repo.deletePromo(tx, id);
  });
}

export async function getPromo(ctx: Ctx, id: string): Promise<PromoCode> {
  const row = await repo.findById(ctx.db, id);
  if (!row) throw notFound('Promo code');
  return toPromo(row);
}

export async function listPromos(
  ctx: Ctx,
  filter: { q?: string | undefined; active?: boolean | undefined },
  page: PageRequest,
): Promise<Page<PromoCode>> {
  const { rows, total } = await repo.listPromos(ctx.db, filter, page);
  return { items: rows.map(toPromo), ...page, total };
}

/** The orders that used a code, newest first (released ones too, marked). */
export async function listRedemptions(
  ctx: Ctx,
  id: string,
  page: PageRequest,
): Promise<Page<Redemption>> {
  if (!(await repo.findById(ctx.db, id))) throw notFound('Promo code');
  const { rows, total } = await repo.listRedemptions(ctx.db, id, page);
  return { items: rows.map(toRedemption), ...page, total };
}

// --- for orders ---

export type PromoOutcome =
  | { code: undefined; applied: false }
  | { code: string; applied: true; discount: number }
  | { code: string; applied: false; reason: PromoRefusal | 'PROMO_CODE_UNKNOWN'; message: string };

const messages: Record<PromoRefusal | 'PROMO_CODE_UNKNOWN', string> = {
  PROMO_CODE_UNKNOWN: 'There is no such promo code',
  PROMO_CODE_INACTIVE: 'This promo code is not active',
  PROMO_CODE_NOT_STARTED: 'This promo code is not valid yet',
  PROMO_CODE_EXPIRED: 'This promo code has expired',
  PROMO_CODE_MIN_SUBTOTAL: 'The order is below the minimum for this promo code',
  PROMO_CODE_USAGE_LIMIT: 'This promo code has been used up',
  PROMO_CODE_CUSTOMER_LIMIT: 'You have already used this promo code',
};

const refused = (code: string, reason: PromoRefusal | 'PROMO_CODE_UNKNOWN'): PromoOutcome => ({
  code,
  applied: false,
  reason,
  message: messages[reason],
});

/** What a code would do to a cart right now, without using it (quotes). */
export async function previewPromo(
  ctx: Ctx,
  /** Whose uses count against the code's per-customer limit; none for a guest's quote. */
  userId: string | undefined,
  code: string | undefined,
  subtotal: number,
): Promise<PromoOutcome> {
  if (!code) return { code: undefined, applied: false };
  const row = await repo.findByCode(ctx.db, code);
  if (!row) return refused(code, 'PROMO_CODE_UNKNOWN');
  const usedByCustomer =
    userId === undefined ? 0 : await repo.countLiveRedemptions(ctx.db, row.id, userId);
  const verdict = evaluatePromo(row, { subtotal, now: ctx.clock.now(), usedByCustomer });
  return verdict.applies
    ? { code: row.code, applied: true, discount: verdict.discount }
    : refused(row.code, verdict.reason);
}

/**
 * Uses a code for an order, in the order's transaction: the global count is taken by a
 * conditional update (never past the limit under any race), and the per-customer count is
 * read under that row lock. Throws the PROMO_CODE_* refusal; the caller's rollback undoes it.
 */
export async function redeemPromo(
  tx: Tx,
  input: { code: string; userId: string; orderId: string; subtotal: number; now: Date },
): Promise<{ code: string; discount: number }> {
  const found = await repo.findByCode(tx, input.code);
  if (!found) throw new AppError('PROMO_CODE_UNKNOWN', messages.PROMO_CODE_UNKNOWN);
  const taken = await repo.takeUse(tx, found.id);
  const row = taken ?? (await repo.lockById(tx, found.id));
  if (!row) throw new AppError('PROMO_CODE_UNKNOWN', messages.PROMO_CODE_UNKNOWN);
  const usedByCustomer = await repo.countLiveRedemptions(tx, row.id, input.userId);
  const verdict = evaluatePromo(
    // Judge the counts as they were before this order's use.
    { ...row, timesUsed: taken ? row.timesUsed - 1 : row.timesUsed },
    { subtotal: input.subtotal, now: input.now, usedByCustomer },
  );
  if (!verdict.applies) throw new AppError(verdict.reason, messages[verdict.reason]);
  await repo.insertRedemption(tx, {
    id: newId('rdm', input.now.getTime()),
    promoCodeId: row.id,
    orderId: input.orderId,
    userId: input.userId,
    discount: verdict.discount,
    createdAt: input.now,
  });
  return { code: row.code, discount: verdict.discount };
}

/**
 * The codes these orders used count as `userId`'s from now on (against a code's per-customer
 * limit): a guest's orders, counted by their email until now, joined the account.
 */
export async function transferRedemptions(
  tx: Tx,
  orderIds: string[],
  userId: string,
): Promise<void> {
  await repo.transferRedemptions(tx, orderIds, userId);
}

/**
 * Gives an order's use of its code back (cancelled or expired order), exactly once: the
 * redemption is marked released by a conditional update, and only that first release counts down.
 */
export async function releasePromo(tx: Tx, orderId: string, now: Date): Promise<void> {
  const released = await repo.releaseRedemption(tx, orderId, now);
  if (released) await repo.giveBackUse(tx, released.promoCodeId);
}

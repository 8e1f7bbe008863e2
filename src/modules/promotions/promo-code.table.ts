import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { at, createdAt, id, money, updatedAt } from '../../db/columns.js';

export const promoTypes = ['fixed', 'percentage'] as const;
export type PromoType = (typeof promoTypes)[number];

export const promoCodes = pgTable(
  'promo_codes',
  {
    id: id(),
    /** As the admin typed it; matched case-insensitively (unique on lower(code)). */
    code: text('code').notNull(),
    type: text('type', { enum: promoTypes }).notNull(),
    /** fixed: minor units off the subtotal. */
    amountOff: money('amount_off'),
    /** percentage: basis points (12.5% = 1250). */
    percentOffBp: integer('percent_off_bp'),
    /** percentage: the most it takes off, in minor units. */
    maxDiscount: money('max_discount'),
    minSubtotal: money('min_subtotal'),
    startsAt: at('starts_at'),
    endsAt: at('ends_at'),
    usageLimit: integer('usage_limit'),
    perCustomerLimit: integer('per_customer_limit'),
    active: boolean('active').notNull().default(true),
    /** Live redemptions: incremented in the redeeming order's transaction, given back on cancel or expiry. */
    timesUsed: integer('times_used').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('promo_codes_code_key').on(sql`lower(${t.code})`),
    check('promo_codes_type_check', sql`${t.type} in ('fixed', 'percentage')`),
    check(
      'promo_codes_amounts_check',
      sql`(${t.type} = 'fixed' and ${t.amountOff} is not null and ${t.amountOff} >= 0 and ${t.percentOffBp} is null)
       or (${t.type} = 'percentage' and ${t.percentOffBp} between 0 and 10000 and ${t.amountOff} is null)`,
    ),
    check(
      'promo_codes_usage_check',
      sql`${t.timesUsed} >= 0 and (${t.usageLimit} is null or ${t.timesUsed} <= ${t.usageLimit})`,
    ),
  ],
);

/** One row per order that used a code. `releasedAt` is set when the order gives the use back. */
export const promoRedemptions = pgTable(
  'promo_redemptions',
  {
    id: id(),
    promoCodeId: text('promo_code_id')
      .notNull()
      .references(() => promoCodes.id),
    orderId: text('order_id').notNull(),
    userId: text('user_id').notNull(),
    discount: money('discount').notNull(),
    releasedAt: at('released_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('promo_redemptions_order_key').on(t.orderId),
    index('promo_redemptions_code_user_idx').on(t.promoCodeId, t.userId),
  ],
);

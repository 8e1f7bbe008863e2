import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { priceOrder, shippingFor, type PricingLine } from '../src/modules/orders/pricing.js';
import {
  discountFor,
  evaluatePromo,
  percentToBasisPoints,
  type PromoRule,
} from '../src/modules/promotions/promo-rules.js';
import { allocate, percentOf } from '../src/shared/money.js';

const line = (unitPrice: number, quantity = 1, id = 'p'): PricingLine => ({
  productId: id,
  sku: id,
  name: id,
  unitPrice,
  quantity,
});

const rule = (overrides: Partial<PromoRule>): PromoRule => ({
  type: 'fixed',
  amountOff: null,
  percentOffBp: null,
  maxDiscount: null,
  minSubtotal: null,
  startsAt: null,
  endsAt: null,
  usageLimit: null,
  perCustomerLimit: null,
  active: true,
  timesUsed: 0,
  ...overrides,
});

const arbLines = fc.array(
  fc.record({
    unitPrice: fc.integer({ min: 0, max: 1_000_000_000 }),
    quantity: fc.integer({ min: 1, max: 1000 }),
  }),
  { minLength: 1, maxLength: 100 },
);

const arbRule = fc.oneof(
  fc.record({
    type: fc.constant('fixed' as const),
    amountOff: fc.integer({ min: 0, max: 2_000_000_000 }),
  }),
  fc.record({
    type: fc.constant('percentage' as const),
    percentOffBp: fc.integer({ min: 0, max: 10_000 }),
    maxDiscount: fc.option(fc.integer({ min: 0, max: 1_000_000_000 }), { nil: null }),
  }),
);

const arbShipping = fc.record({
  flatRate: fc.integer({ min: 0, max: 100_000 }),
  freeOver: fc.option(fc.integer({ min: 0, max: 10_000_000 }), { nil: undefined }),
});

describe('pricing properties (fast-check)', () => {
  it('for any lines, code and shipping: 0 ≤ discount ≤ subtotal, shares sum to the discount, total = subtotal − discount + shipping, all integers', () => {
    fc.assert(
      fc.property(arbLines, arbRule, arbShipping, (lines, promo, shipping) => {
        const pricing = lines.map((l, i) => line(l.unitPrice, l.quantity, `p${i}`));
        const subtotal = pricing.reduce((s, l) => s + l.unitPrice * l.quantity, 0);
        const discount = discountFor(rule(promo), subtotal);
        const priced = priceOrder(pricing, discount, shipping);

        const all = [
          priced.subtotal,
          priced.discount,
          priced.shipping,
          priced.total,
          ...priced.lines.flatMap((l) => [l.subtotal, l.discount, l.total]),
        ];
        for (const amount of all) expect(Number.isSafeInteger(amount)).toBe(true);
        expect(priced.subtotal).toBe(subtotal);
        expect(priced.discount).toBeGreaterThanOrEqual(0);
        expect(priced.discount).toBeLessThanOrEqual(priced.subtotal);
        expect(priced.lines.reduce((s, l) => s + l.discount, 0)).toBe(priced.discount);
        for (const l of priced.lines) {
          expect(l.discount).toBeGreaterThanOrEqual(0);
          expect(l.discount).toBeLessThanOrEqual(l.subtotal);
          expect(l.total).toBe(l.subtotal - l.discount);
        }
        expect(priced.total).toBe(priced.subtotal - priced.discount + priced.shipping);
        expect(priced.shipping).toBe(shippingFor(priced.subtotal - priced.discount, shipping));
      }),
      { numRuns: 500 },
    );
  });

  it('allocates any total over any weights exactly, each share within one unit of its exact part', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1_000_000_000_000 }), { minLength: 1, maxLength: 50 }),
        fc.integer({ min: 0, max: 1_000_000_000_000 }),
        (weights, wanted) => {
          const sum = weights.reduce((a, b) => a + b, 0);
          const total = sum === 0 ? 0 : Math.min(wanted, sum);
          const shares = allocate(total, weights);
          expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
          shares.forEach((share, i) => {
            const exact = sum === 0 ? 0 : (total * weights[i]!) / sum;
            expect(Math.abs(share - exact)).toBeLessThan(1 + 1e-6);
          });
        },
      ),
    );
  });
});

describe('rounding', () => {
  it('rounds a percentage half-up on the minor unit', () => {
    expect(percentOf(10, 500)).toBe(1); // 0.5 → 1
    expect(percentOf(9, 500)).toBe(0); // 0.45 → 0
    expect(percentOf(999, 1250)).toBe(125); // 124.875 → 125
    expect(percentOf(1001, 1250)).toBe(125); // 125.125 → 125
    expect(percentOf(333, 3333)).toBe(111); // 110.9889 → 111
  });

  it('spreads a discount by largest remainder, ties to the earlier line', () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(10, [3000, 1000])).toEqual([8, 2]); // 7.5 / 2.5
    expect(allocate(1, [1, 1])).toEqual([1, 0]);
    expect(allocate(0, [5, 5])).toEqual([0, 0]);
  });

  it('converts percentages with at most two decimals to basis points', () => {
    expect(percentToBasisPoints(12.5)).toBe(1250);
    expect(percentToBasisPoints(0.01)).toBe(1);
    expect(percentToBasisPoints(33.33)).toBe(3333);
    expect(percentToBasisPoints(100)).toBe(10_000);
    expect(percentToBasisPoints(12.345)).toBeUndefined();
  });
});

describe('table: discounts and shipping', () => {
  it('caps a percentage code: 25% of 100.00 capped at 15.00 → 85.00', () => {
    const promo = rule({ type: 'percentage', percentOffBp: 2500, maxDiscount: 1500 });
    const discount = discountFor(promo, 10_000);
    const priced = priceOrder([line(10_000)], discount, { flatRate: 0 });
    expect(priced).toMatchObject({ subtotal: 10_000, discount: 1500, total: 8500 });
  });

  it('takes a fixed code larger than the subtotal down to the shipping only', () => {
    const discount = discountFor(rule({ type: 'fixed', amountOff: 50_000 }), 3_000);
    const priced = priceOrder([line(1_000, 3)], discount, { flatRate: 499 });
    expect(priced).toMatchObject({ subtotal: 3_000, discount: 3_000, shipping: 499, total: 499 });
  });

  it('ships free at or above the threshold, measured after the discount', () => {
    const rule50 = { flatRate: 499, freeOver: 5_000 };
    expect(priceOrder([line(5_000)], 0, rule50)).toMatchObject({ shipping: 0, total: 5_000 });
    expect(priceOrder([line(4_999)], 0, rule50)).toMatchObject({ shipping: 499, total: 5_498 });
    // 60.00 − 15.00 = 45.00 is below 50.00 after the discount: shipping is charged.
    expect(priceOrder([line(6_000)], 1_500, rule50)).toMatchObject({
      discount: 1_500,
      shipping: 499,
      total: 4_999,
    });
    expect(priceOrder([line(5_000)], 0, { flatRate: 499 })).toMatchObject({ shipping: 499 });
  });

  it.each([
    ['inactive', rule({ active: false, amountOff: 100 }), {}, 'PROMO_CODE_INACTIVE'],
    [
      'not started',
      rule({ amountOff: 100, startsAt: new Date('2030-01-01') }),
      {},
      'PROMO_CODE_NOT_STARTED',
    ],
    ['expired', rule({ amountOff: 100, endsAt: new Date('2020-01-01') }), {}, 'PROMO_CODE_EXPIRED'],
    [
      'below the minimum',
      rule({ amountOff: 100, minSubtotal: 5_000 }),
      {},
      'PROMO_CODE_MIN_SUBTOTAL',
    ],
    [
      'used up',
      rule({ amountOff: 100, usageLimit: 3, timesUsed: 3 }),
      {},
      'PROMO_CODE_USAGE_LIMIT',
    ],
    [
      'used by this customer',
      rule({ amountOff: 100, perCustomerLimit: 1 }),
      { usedByCustomer: 1 },
      'PROMO_CODE_CUSTOMER_LIMIT',
    ],
  ])('refuses a code that is %s', (_name, promo, cart, reason) => {
    const verdict = evaluatePromo(promo, {
      subtotal: 4_000,
      now: new Date('2026-06-01'),
      usedByCustomer: 0,
      ...cart,
    });
    expect(verdict).toEqual({ applies: false, reason });
  });

  it('treats endsAt as exclusive and startsAt as inclusive', () => {
    const at = new Date('2026-06-01T00:00:00Z');
    expect(
      evaluatePromo(rule({ amountOff: 1, startsAt: at }), {
        subtotal: 10,
        now: at,
        usedByCustomer: 0,
      }).applies,
    ).toBe(true);
    expect(
      evaluatePromo(rule({ amountOff: 1, endsAt: at }), {
        subtotal: 10,
        now: at,
        usedByCustomer: 0,
      }).applies,
    ).toBe(false);
  });
});

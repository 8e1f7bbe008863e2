import { describe, expect, it } from 'vitest';
import {
  emptyPromoForm,
  formToPromoBody,
  promoFormSchema,
  promoToForm,
  type PromoCode,
} from './promo-form';

describe('promo code form', () => {
  it('sends a percentage as the API takes it and amounts in minor units', () => {
    const result = formToPromoBody(
      {
        ...emptyPromoForm,
        code: 'SPRING',
        percentOff: '12.5',
        maxDiscount: '20',
        minSubtotal: '50.00',
      },
      'USD',
    );
    expect(result).toEqual({
      ok: true,
      body: {
        code: 'SPRING',
        type: 'percentage',
        amountOff: null,
        percentOff: 12.5,
        maxDiscount: 2000,
        minSubtotal: 5000,
        startsAt: null,
        endsAt: null,
        usageLimit: null,
        perCustomerLimit: null,
        active: true,
      },
    });
  });

  it('sends a fixed amount and a UTC window', () => {
    const result = formToPromoBody(
      {
        ...emptyPromoForm,
        code: 'TENOFF',
        type: 'fixed',
        amountOff: '10.05',
        percentOff: '99',
        startsAt: '2026-03-01T09:00',
        endsAt: '2026-04-01T00:00',
        usageLimit: '100',
        perCustomerLimit: '1',
      },
      'USD',
    );
    expect(result.ok && result.body).toMatchObject({
      type: 'fixed',
      amountOff: 1005,
      percentOff: null,
      startsAt: '2026-03-01T09:00:00.000Z',
      endsAt: '2026-04-01T00:00:00.000Z',
      usageLimit: 100,
      perCustomerLimit: 1,
    });
  });

  it('names each bad field', () => {
    const result = formToPromoBody(
      {
        ...emptyPromoForm,
        code: 'a b',
        percentOff: '150',
        usageLimit: '0',
        startsAt: '2026-03-02T00:00',
        endsAt: '2026-03-01T00:00',
      },
      'USD',
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && Object.keys(result.errors).sort()).toEqual([
      'code',
      'endsAt',
      'percentOff',
      'usageLimit',
    ]);
  });

  it('fills the form from a stored code and sends the same values back', () => {
    const promo: PromoCode = {
      id: 'p1',
      code: 'SPRING',
      type: 'percentage',
      amountOff: null,
      percentOff: 12.5,
      maxDiscount: 2000,
      minSubtotal: null,
      startsAt: '2026-03-01T09:00:00.000Z',
      endsAt: null,
      usageLimit: 10,
      perCustomerLimit: null,
      active: false,
      timesUsed: 2,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    const form = promoToForm(promo, 'USD');
    expect(form.maxDiscount).toBe('20.00');
    const result = formToPromoBody(form, 'USD');
    expect(result.ok && result.body).toMatchObject({
      code: 'SPRING',
      percentOff: 12.5,
      maxDiscount: 2000,
      startsAt: '2026-03-01T09:00:00.000Z',
      usageLimit: 10,
      active: false,
    });
  });
});

describe('promo description', () => {
  it('describes percentage and fixed codes', async () => {
    const { describePromo } = await import('./promo-describe');
    expect(
      describePromo(
        {
          type: 'percentage',
          percentOff: 12.5,
          amountOff: null,
          maxDiscount: 2000,
          minSubtotal: 5000,
        },
        'USD',
        'en-US',
      ),
    ).toBe('12.5% off (at most $20.00), on $50.00 or more');
    expect(
      describePromo(
        { type: 'fixed', percentOff: null, amountOff: 1000, maxDiscount: null, minSubtotal: null },
        'USD',
        'en-US',
      ),
    ).toBe('$10.00 off');
  });
});

describe('the promo code form schema', () => {
  it('puts each error on its own field and gives the API body when valid', () => {
    const bad = promoFormSchema('USD').safeParse({ ...emptyPromoForm, code: 'x'.repeat(65) });
    expect(bad.error?.issues.map((i) => i.path[0])).toEqual(['code', 'percentOff']);
    const good = promoFormSchema('USD').parse({
      ...emptyPromoForm,
      code: 'SPRING',
      percentOff: '12.5',
    });
    expect(good).toMatchObject({ code: 'SPRING', type: 'percentage', percentOff: 12.5 });
  });
});

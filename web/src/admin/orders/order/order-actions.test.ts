import { describe, expect, it } from 'vitest';
import {
  cancelSchema,
  defaultRestock,
  refundSchema,
  shipDialogSchema,
  shipSchema,
  trackingSchema,
} from './order-actions';

describe('the order action forms', () => {
  it('leaves an empty carrier and tracking number out of the ship request', () => {
    expect(shipSchema.parse({ carrier: ' ', trackingNumber: '' })).toEqual({});
    expect(shipSchema.parse({ carrier: ' UPS ', trackingNumber: '1Z' })).toEqual({
      carrier: 'UPS',
      trackingNumber: '1Z',
    });
  });

  it('asks the ship dialog for carrier and tracking number unless shipping without tracking', () => {
    const empty = shipDialogSchema.safeParse({
      withoutTracking: false,
      carrier: ' ',
      trackingNumber: '',
    });
    expect(empty.success).toBe(false);
    expect(empty.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['carrier', 'Enter the carrier'],
      ['trackingNumber', 'Enter the tracking number'],
    ]);
    expect(
      shipDialogSchema.parse({ withoutTracking: false, carrier: ' DHL ', trackingNumber: 'JD1' }),
    ).toEqual({ carrier: 'DHL', trackingNumber: 'JD1' });
    expect(
      shipDialogSchema.parse({ withoutTracking: true, carrier: 'DHL', trackingNumber: '' }),
    ).toEqual({});
  });

  it('requires both fields to add or correct tracking, within the server limits', () => {
    expect(trackingSchema.safeParse({ carrier: 'DHL', trackingNumber: ' ' }).success).toBe(false);
    expect(
      trackingSchema.safeParse({ carrier: 'DHL', trackingNumber: 'x'.repeat(101) }).success,
    ).toBe(false);
    expect(trackingSchema.parse({ carrier: 'DHL', trackingNumber: 'JD2' })).toEqual({
      carrier: 'DHL',
      trackingNumber: 'JD2',
    });
  });

  it('refuses a reason longer than the server takes (500)', () => {
    expect(cancelSchema.safeParse({ reason: 'r'.repeat(501), restock: true }).success).toBe(false);
    expect(cancelSchema.parse({ reason: '', restock: false })).toEqual({ restock: false });
  });

  const line = (quantity: number) => ({ productId: 'prd_a', ordered: 3, quantity });

  it('refunds everything left without an amount, or part of it in minor units', () => {
    const schema = refundSchema('USD', 5000);
    expect(
      schema.parse({ mode: 'full', amount: 'ignored', reason: '', restock: [line(3)] }),
    ).toEqual({ restock: true });
    expect(schema.parse({ mode: 'full', amount: '', reason: '', restock: [line(2)] })).toEqual({
      restock: [{ productId: 'prd_a', quantity: 2 }],
    });
    expect(
      schema.parse({ mode: 'part', amount: '1.25', reason: 'scratch', restock: [line(0)] }),
    ).toEqual({ restock: [], amount: 125, reason: 'scratch' });
  });

  it('restocks line by line: none by default, all for everything left before shipping', () => {
    const lines = [{ productId: 'prd_a', quantity: 3 }];
    expect(defaultRestock(lines, false, 'paid')).toEqual([line(0)]);
    expect(defaultRestock(lines, true, 'paid')).toEqual([line(3)]);
    expect(defaultRestock(lines, true, 'shipped')).toEqual([line(0)]);
    const tooMany = refundSchema('USD', 5000).safeParse({
      mode: 'full',
      amount: '',
      reason: '',
      restock: [line(4)],
    });
    expect(tooMany.error?.issues[0]?.path).toEqual(['restock', 0, 'quantity']);
  });

  it('refuses a part refund of 1.005 dollars or more than is left, on the amount field', () => {
    const schema = refundSchema('USD', 5000);
    const tooPrecise = schema.safeParse({
      mode: 'part',
      amount: '1.005',
      reason: '',
      restock: [],
    });
    expect(tooPrecise.error?.issues[0]?.path).toEqual(['amount']);
    const tooMuch = schema.safeParse({ mode: 'part', amount: '50.01', reason: '', restock: [] });
    expect(tooMuch.error?.issues[0]?.message).toBe('At most $50.00 can be refunded');
  });
});

import { describe, expect, it } from 'vitest';
import { formatDelta, historyActor, historyTransition } from './labels';
import { parseCustomersSearch, parseEmailsSearch, parseJobsSearch } from './list-search';
import { canUse, navFor } from './nav';
import { parseProductsSearch, toProductsQuery } from './products/products-search';

describe('back office navigation by role', () => {
  it('shows staff the dashboard, orders and emails only', () => {
    expect(navFor('staff').map((item) => item.label)).toEqual(['Dashboard', 'Orders', 'Emails']);
    expect(canUse('staff', '/admin/products')).toBe(false);
  });
  it('shows admins everything and customers nothing', () => {
    expect(navFor('admin')).toHaveLength(8);
    expect(canUse('admin', '/admin/categories')).toBe(true);
    expect(canUse('staff', '/admin/categories')).toBe(false);
    expect(navFor('customer')).toEqual([]);
    expect(navFor(undefined)).toEqual([]);
  });
});

describe('order history', () => {
  it('says who acted', () => {
    expect(historyActor({ actorId: null, actorRole: null, actorName: 'System' })).toBe(
      'System (automatic)',
    );
    expect(historyActor({ actorId: null, actorRole: 'guest', actorName: 'Guest' })).toBe(
      'Guest customer',
    );
    expect(historyActor({ actorId: 'u1', actorRole: 'staff', actorName: 'Sam Staff' })).toBe(
      'Staff Sam Staff',
    );
    expect(historyActor({ actorId: 'u2', actorRole: 'customer', actorName: 'Cora' })).toBe(
      'Customer Cora',
    );
    expect(historyActor({ actorId: 'u3', actorRole: 'staff', actorName: null })).toBe(
      'Staff (a removed account)',
    );
  });
  it('labels the transition', () => {
    expect(historyTransition({ from: null, to: 'pending_payment' })).toBe(
      'Placed (Awaiting payment)',
    );
    expect(historyTransition({ from: 'paid', to: 'shipped' })).toBe('Paid → Shipped');
    expect(historyTransition({ from: 'shipped', to: 'shipped' })).toBe('Shipped: payment changed');
    expect(historyTransition({ from: 'shipped', to: 'shipped', reason: 'tracking: DHL JD1' })).toBe(
      'Shipped: tracking changed',
    );
  });
  it('signs stock deltas', () => {
    expect(formatDelta(5)).toBe('+5');
    expect(formatDelta(-3)).toBe('−3');
    expect(formatDelta(0)).toBe('0');
  });
});

describe('admin list search params', () => {
  it('reads products, customers, jobs and emails filters and drops bad ones', () => {
    expect(parseProductsSearch({ q: 'lamp', archived: 'true', page: '2' })).toEqual({
      q: 'lamp',
      archived: true,
      page: 2,
    });
    expect(toProductsQuery({ archived: true })).toEqual({
      archived: 'true',
      sort: 'name',
      page: 1,
      pageSize: 25,
    });
    expect(parseCustomersSearch({ role: 'root', page: -1 })).toEqual({});
    expect(parseCustomersSearch({ role: 'staff' })).toEqual({ role: 'staff' });
    expect(parseJobsSearch({ status: 'dead' })).toEqual({ status: 'dead' });
    expect(parseEmailsSearch({ to: 'a@b.c', id: 'e1' })).toEqual({ to: 'a@b.c', id: 'e1' });
  });
});

describe('refundable amount', () => {
  it('counts settled payments minus their refunds, never failed or processing ones', async () => {
    const { refundableAmount } = await import('./labels');
    expect(
      refundableAmount([
        { status: 'failed', amount: 5000, refundedAmount: 0 },
        { status: 'partially_refunded', amount: 5000, refundedAmount: 1250 },
        { status: 'processing', amount: 5000, refundedAmount: 0 },
      ]),
    ).toBe(3750);
    expect(refundableAmount([{ status: 'refunded', amount: 5000, refundedAmount: 5000 }])).toBe(0);
    expect(refundableAmount([{ status: 'succeeded', amount: 999, refundedAmount: 0 }])).toBe(999);
  });
});

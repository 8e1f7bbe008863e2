import { describe, expect, it } from 'vitest';
import type { Payment } from '../../api/types';
import { safeRedirect } from '../account/redirect';
import { parseOrdersSearch } from './orders-search';
import { lastAttemptMessage, parseOrderSearch } from './payment-methods';
import { actorLabel, customerReason, sortHistory, transitionLabel } from './timeline';

describe('payments on the provider’s page', () => {
  const payment = (status: Payment['status'], failureCode?: string): Payment => ({
    id: 'pay_1',
    orderId: 'ord_1',
    status,
    amount: 2500,
    refundedAmount: 0,
    currency: 'USD',
    ...(failureCode ? { failureCode } : {}),
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
  });

  it('says why the latest payment failed, and that the customer can try again', () => {
    expect(lastAttemptMessage([payment('failed', 'card_declined')])).toBe(
      'Your card was declined. No money was taken; you can try again with another card.',
    );
    expect(lastAttemptMessage([payment('failed', 'insufficient_funds')])).toMatch(
      /^Your card was declined for insufficient funds\./,
    );
    expect(lastAttemptMessage([payment('failed', 'something_new')])).toMatch(
      /^The payment did not go through\./,
    );
  });

  it('says nothing when the latest payment did not fail', () => {
    expect(lastAttemptMessage([])).toBeUndefined();
    expect(
      lastAttemptMessage([payment('failed', 'card_declined'), payment('processing')]),
    ).toBeUndefined();
  });

  it('reads the return from the provider’s page, and nothing else', () => {
    expect(parseOrderSearch({ payment: 'returned' })).toEqual({ payment: 'returned' });
    expect(parseOrderSearch({ payment: 'paid' })).toEqual({});
    expect(parseOrderSearch({})).toEqual({});
  });
});

describe('order timeline', () => {
  it('names who acted', () => {
    expect(actorLabel({ actorId: 'u1', actorRole: 'customer' }, 'u1')).toBe('You');
    expect(actorLabel({ actorId: 'u2', actorRole: 'staff' }, 'u1')).toBe('Shop staff');
    expect(actorLabel({ actorId: 'u2', actorRole: 'admin' }, 'u1')).toBe('Shop staff');
    expect(actorLabel({ actorId: null, actorRole: null }, 'u1')).toBe('Ordo (automatic)');
    // A guest's own change (placed or cancelled with the order's token), signed in or not since.
    expect(actorLabel({ actorId: null, actorRole: 'guest' }, undefined)).toBe('You');
    expect(actorLabel({ actorId: null, actorRole: 'system' }, undefined)).toBe('Ordo (automatic)');
  });

  it('leaves internal ids out of reasons', () => {
    expect(customerReason('payment pay_01m8xt6zc6xcys39671gdgqef5 succeeded')).toBe(
      'Payment succeeded',
    );
    expect(customerReason('shipped with DHL')).toBe('Shipped with DHL');
    expect(customerReason(null)).toBeUndefined();
  });

  it('labels transitions and reads oldest first', () => {
    expect(transitionLabel({ from: null, to: 'pending_payment' })).toBe('Order placed');
    expect(transitionLabel({ from: 'paid', to: 'shipped' })).toBe('Shipped');
    const history = sortHistory([{ at: '2026-01-02T00:00:00Z' }, { at: '2026-01-01T00:00:00Z' }]);
    expect(history.map((h) => h.at)).toEqual(['2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z']);
  });
});

describe('search params and redirects', () => {
  it('reads the order history filter', () => {
    expect(parseOrdersSearch({ status: 'paid', page: '2' })).toEqual({ status: 'paid', page: 2 });
    expect(parseOrdersSearch({ status: 'lost', page: -3 })).toEqual({});
  });

  it('redirects after login only to a path on this site', () => {
    expect(safeRedirect('/checkout')).toBe('/checkout');
    expect(safeRedirect('/admin/orders?x=1')).toBe('/admin/orders?x=1');
    expect(safeRedirect('//evil.example/')).toBe('/');
    expect(safeRedirect('https://evil.example/')).toBe('/');
    expect(safeRedirect('/\\evil.example')).toBe('/');
    expect(safeRedirect(undefined)).toBe('/');
  });
});

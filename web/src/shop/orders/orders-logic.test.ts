import { describe, expect, it } from 'vitest';
import { ProblemError } from '../../api/problem';
import { safeRedirect } from '../account/redirect';
import { parseOrdersSearch } from './orders-search';
import { declineMessage } from './payment-methods';
import { actorLabel, customerReason, sortHistory, transitionLabel } from './timeline';

describe('payment declines', () => {
  const declined = (failureCode: string) =>
    new ProblemError({
      title: 'Payment declined',
      status: 422,
      code: 'PAYMENT_DECLINED',
      detail: 'The payment was declined',
      details: [{ paymentId: 'pay_1', failureCode }],
    });

  it('says why, and that the customer can try again', () => {
    expect(declineMessage(declined('card_declined'))).toBe(
      'Your card was declined. No money was taken; you can try again or use another method.',
    );
    expect(declineMessage(declined('insufficient_funds'))).toMatch(
      /^Your card was declined for insufficient funds\./,
    );
    expect(declineMessage(declined('something_new'))).toMatch(/^The payment was declined /);
  });
});

describe('order timeline', () => {
  it('names who acted', () => {
    expect(actorLabel({ actorId: 'u1', actorRole: 'customer' }, 'u1')).toBe('You');
    expect(actorLabel({ actorId: 'u2', actorRole: 'staff' }, 'u1')).toBe('Shop staff');
    expect(actorLabel({ actorId: 'u2', actorRole: 'admin' }, 'u1')).toBe('Shop staff');
    expect(actorLabel({ actorId: null, actorRole: null }, 'u1')).toBe('Ordo (automatic)');
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

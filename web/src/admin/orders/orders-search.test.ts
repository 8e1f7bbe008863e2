import { describe, expect, it } from 'vitest';
import { exportCsvPath, parseOrdersSearch, toOrdersQuery } from './orders-search';

describe('admin orders search params', () => {
  it('keeps valid filters and drops malformed ones', () => {
    expect(
      parseOrdersSearch({
        status: 'paid',
        email: ' a@b.c ',
        from: '2026-03-01',
        to: '2026-03-31',
        promoCode: 'SPRING',
        page: '2',
      }),
    ).toEqual({
      status: 'paid',
      email: 'a@b.c',
      from: '2026-03-01',
      to: '2026-03-31',
      promoCode: 'SPRING',
      page: 2,
    });
    expect(
      parseOrdersSearch({
        status: 'lost',
        from: '2026-02-30',
        to: 'yesterday',
        page: 0,
        email: '',
      }),
    ).toEqual({});
  });

  it('takes an order number as typed, with or without #, and drops anything else', () => {
    expect(parseOrdersSearch({ number: ' #1042 ' })).toEqual({ number: 1042 });
    expect(parseOrdersSearch({ number: 1042 })).toEqual({ number: 1042 });
    expect(parseOrdersSearch({ number: '10a' })).toEqual({});
    expect(toOrdersQuery({ number: 1042 })).toEqual({ number: '1042', page: 1, pageSize: 25 });
  });

  it('maps calendar days to the API range, `to` included', () => {
    expect(toOrdersQuery({ from: '2026-03-01', to: '2026-03-31', page: 3 })).toEqual({
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-04-01T00:00:00.000Z',
      page: 3,
      pageSize: 25,
    });
    expect(toOrdersQuery({ to: '2026-12-31' }).to).toBe('2027-01-01T00:00:00.000Z');
  });

  it('exports with the same filters and no paging', () => {
    expect(exportCsvPath({})).toBe('/api/v1/admin/orders/export.csv');
    expect(exportCsvPath({ status: 'shipped', email: 'x+y@z.io', page: 4 })).toBe(
      '/api/v1/admin/orders/export.csv?status=shipped&email=x%2By%40z.io',
    );
  });

  it('round-trips through the URL shape', () => {
    const search = { status: 'cancelled', promoCode: 'X', from: '2026-01-01', page: 2 } as const;
    expect(parseOrdersSearch({ ...search })).toEqual(search);
  });
});

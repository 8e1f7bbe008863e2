import { describe, expect, it } from 'vitest';
import { orderIdOfPath, tokenOfFragment } from './order-tokens';

describe('guest order tokens: which requests carry one, and where a link holds it', () => {
  it('names the order of the paths a token opens, and no other', () => {
    expect(orderIdOfPath('/api/v1/orders/ord_01abc')).toBe('ord_01abc');
    expect(orderIdOfPath('/api/v1/orders/ord_01abc/payments')).toBe('ord_01abc');
    expect(orderIdOfPath('/api/v1/orders/ord_01abc/checkout-session')).toBe('ord_01abc');
    expect(orderIdOfPath('/api/v1/orders/quote')).toBeUndefined();
    expect(orderIdOfPath('/api/v1/orders')).toBeUndefined();
    expect(orderIdOfPath('/api/v1/admin/orders/ord_01abc')).toBeUndefined();
    expect(orderIdOfPath('/api/v1/products/prd_1')).toBeUndefined();
  });

  it('reads the token from the emailed link’s fragment', () => {
    expect(tokenOfFragment('#token=ogt_abc-_123')).toBe('ogt_abc-_123');
    expect(tokenOfFragment('token=ogt_x')).toBe('ogt_x');
    expect(tokenOfFragment('')).toBeUndefined();
    expect(tokenOfFragment('#token=')).toBeUndefined();
    expect(tokenOfFragment('#other=1')).toBeUndefined();
  });
});

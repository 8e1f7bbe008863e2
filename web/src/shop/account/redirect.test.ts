import { describe, expect, it } from 'vitest';
import { landingAfterLogin } from './redirect';

describe('where a person lands after logging in', () => {
  it('brings staff and admins who started at the back office back to it', () => {
    expect(landingAfterLogin('/admin', 'admin')).toBe('/admin');
    expect(landingAfterLogin('/admin/orders?status=paid', 'staff')).toBe(
      '/admin/orders?status=paid',
    );
  });

  it('takes staff and admins who came from no page in particular to the back office', () => {
    expect(landingAfterLogin(undefined, 'admin')).toBe('/admin');
    expect(landingAfterLogin('/', 'staff')).toBe('/admin');
    expect(landingAfterLogin('//evil.example/', 'admin')).toBe('/admin');
  });

  it('takes a customer back where they came from, else the shop', () => {
    expect(landingAfterLogin('/cart', 'customer')).toBe('/cart');
    expect(landingAfterLogin(undefined, 'customer')).toBe('/');
    expect(landingAfterLogin('https://evil.example/', 'customer')).toBe('/');
  });

  it('takes staff who came from a shop page back to it', () => {
    expect(landingAfterLogin('/products/prd_1', 'staff')).toBe('/products/prd_1');
  });
});

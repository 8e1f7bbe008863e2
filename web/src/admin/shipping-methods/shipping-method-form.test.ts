import { describe, expect, it } from 'vitest';
import {
  emptyShippingMethodForm,
  parseCountries,
  shippingMethodFormSchema,
} from './shipping-method-form';

describe('the shipping method form', () => {
  it('reads countries separated by commas or spaces, once each, and names those that are none', () => {
    expect(parseCountries('gb, ie  de,GB')).toEqual({ codes: ['GB', 'IE', 'DE'], unknown: [] });
    expect(parseCountries('GB, XX, UK').unknown).toEqual(['XX', 'UK']);
    expect(parseCountries('  ')).toEqual({ codes: [], unknown: [] });
  });

  it('sends amounts in minor units, an empty threshold as null and no countries as everywhere', () => {
    const schema = shippingMethodFormSchema('USD');
    expect(
      schema.parse({ ...emptyShippingMethodForm, name: 'Express', price: '12.50', freeOver: '' }),
    ).toEqual({ name: 'Express', countries: [], price: 1250, freeOver: null, active: true });
    expect(
      schema.parse({
        ...emptyShippingMethodForm,
        name: 'Post',
        countries: 'de',
        price: '0',
        freeOver: '50',
      }),
    ).toMatchObject({ countries: ['DE'], price: 0, freeOver: 5000 });
  });

  it('refuses an unknown country, a bad price and a missing name', () => {
    const result = shippingMethodFormSchema('USD').safeParse({
      ...emptyShippingMethodForm,
      countries: 'XX',
      price: '1.234',
    });
    expect(result.error!.issues.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining(['name', 'countries', 'price']),
    );
  });
});

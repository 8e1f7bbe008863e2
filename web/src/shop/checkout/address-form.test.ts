import { describe, expect, it } from 'vitest';
import { addressSchema } from './address-form';
import { emptyAddress } from './empty-address';

const valid = {
  ...emptyAddress('Ada Lovelace'),
  line1: '1 Main St',
  city: 'Springfield',
  postalCode: '12345',
  country: 'US',
};

describe('the checkout address form', () => {
  it('accepts an address the server accepts', () => {
    const parsed = addressSchema.safeParse(valid);
    expect(parsed.success && parsed.data.country).toBe('US');
  });

  it('refuses a 150-character name, as the server does (at most 100)', () => {
    const parsed = addressSchema.safeParse({ ...valid, name: 'x'.repeat(150) });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({
      path: ['name'],
      message: 'At most 100 characters',
    });
    expect(addressSchema.safeParse({ ...valid, name: 'x'.repeat(100) }).success).toBe(true);
  });

  it('says which required field is empty, in the form’s words', () => {
    const parsed = addressSchema.safeParse({ ...valid, city: '  ' });
    expect(parsed.error?.issues.map((i) => [i.path[0], i.message])).toEqual([
      ['city', 'Enter the city'],
    ]);
  });

  it('asks for a country when none is chosen', () => {
    const parsed = addressSchema.safeParse({ ...valid, country: '' });
    expect(parsed.error?.issues.map((i) => [i.path[0], i.message])).toEqual([
      ['country', 'Choose the country'],
    ]);
  });

  it('refuses a code that is no country (XX) or not a code (USA)', () => {
    for (const country of ['XX', 'USA', 'us']) {
      const parsed = addressSchema.safeParse({ ...valid, country });
      expect(parsed.error?.issues[0]?.message).toBe('Choose the country from the list');
    }
  });
});

import { describe, expect, it } from 'vitest';
import { addressSchema, guestAddressSchema } from './address-form';
import { emptyAddress } from './empty-address';

const valid = {
  ...emptyAddress('Ada Lovelace'),
  line1: '1 Main St',
  city: 'Springfield',
  postalCode: '12345',
  region: 'US-IL',
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

  it('asks for the state of a US address and the province of a Canadian one, from their lists', () => {
    const noState = addressSchema.safeParse({ ...valid, region: '' });
    expect(noState.error?.issues.map((i) => [i.path[0], i.message])).toEqual([
      ['region', 'Choose the state'],
    ]);
    const noProvince = addressSchema.safeParse({ ...valid, country: 'CA', region: '' });
    expect(noProvince.error?.issues[0]?.message).toBe('Choose the province or territory');
    const otherCountry = addressSchema.safeParse({ ...valid, country: 'CA', region: 'US-IL' });
    expect(otherCountry.error?.issues[0]).toMatchObject({ path: ['region'] });
    const ontario = addressSchema.safeParse({ ...valid, country: 'CA', region: 'CA-ON' });
    expect(ontario.success && ontario.data.region).toBe('CA-ON');
  });

  it('sends no region for a country without a list, and no empty line 2 or phone', () => {
    const parsed = addressSchema.safeParse({ ...valid, country: 'GB', region: 'US-IL' });
    expect(parsed.success && parsed.data).toMatchObject({
      country: 'GB',
      region: undefined,
      line2: undefined,
      phone: undefined,
    });
  });

  it('takes a phone number as the server does', () => {
    expect(addressSchema.safeParse({ ...valid, phone: '+1 (217) 555-0100' }).success).toBe(true);
    const letters = addressSchema.safeParse({ ...valid, phone: 'call me' });
    expect(letters.error?.issues[0]).toMatchObject({ path: ['phone'] });
  });

  it('needs a guest’s email', () => {
    const missing = guestAddressSchema.safeParse({ ...valid, email: '' });
    expect(missing.error?.issues.map((i) => [i.path[0], i.message])).toEqual([
      ['email', 'Enter an email address'],
    ]);
    const given = guestAddressSchema.safeParse({ ...valid, email: 'gus@example.test' });
    expect(given.success && given.data.email).toBe('gus@example.test');
  });
});

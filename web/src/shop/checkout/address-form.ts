import { z } from 'zod';
import { bodyRules, optionalServerText, serverText } from '../../api/field-rules';
import { isCountryCode } from './countries';
import { hasRegions, regionLabel, regionProblem } from './regions';

// The limits are the server's (the address book's body, whose fields and rules are an order's
// shipping address's too), read from its OpenAPI document: a form that re-declared them drifted
// once (a name of 150 characters passed here and was refused).
const address = bodyRules['/api/v1/me/addresses'].post.properties;
const guest = bodyRules['/api/v1/orders'].post.properties;

const fields = {
  name: serverText(address.name, { required: 'Enter the recipient’s name' }),
  line1: serverText(address.line1, { required: 'Enter the street address' }),
  line2: serverText(address.line2),
  city: serverText(address.city, { required: 'Enter the city' }),
  // Chosen from the country's list (regions.ts), where it has one; none otherwise.
  region: z.string(),
  postalCode: serverText(address.postalCode, { required: 'Enter the postal code' }),
  // Chosen from a list (countries.ts): a typed code let "Germany" become GE, Georgia.
  // Stricter than the server's pattern: only an assigned code, as the list offers.
  country: z
    .string()
    .refine((code) => code !== '', 'Choose the country')
    .refine((code) => code === '' || isCountryCode(code), 'Choose the country from the list'),
  phone: optionalServerText(address.phone, {
    pattern: 'Use digits, spaces and + ( ) . / - only',
  }),
};

/** A country with regions needs one of them; another country sends none. */
function checkRegion(value: { country: string; region: string }, ctx: z.RefinementCtx): void {
  if (!hasRegions(value.country)) return;
  if (value.region === '') {
    ctx.addIssue({
      code: 'custom',
      path: ['region'],
      message: `Choose the ${regionLabel(value.country).toLowerCase()}`,
    });
  } else if (regionProblem(value.country, value.region)) {
    ctx.addIssue({ code: 'custom', path: ['region'], message: 'Choose one from the list' });
  }
}

/** The address as the API takes it: the region the country's, or none; no empty line 2. */
const toAddress = (value: z.output<z.ZodObject<typeof fields>>) => ({
  name: value.name,
  line1: value.line1,
  line2: value.line2 || undefined,
  city: value.city,
  region: hasRegions(value.country) ? value.region : undefined,
  postalCode: value.postalCode,
  country: value.country,
  phone: value.phone,
});

/** An address (the form's email field, a guest's, is not read). */
export const addressSchema = z
  .object({ ...fields, email: z.string() })
  .superRefine(checkRegion)
  .transform(toAddress);

/** A guest's checkout: the address, and the email the order's emails (and its link) go to. */
export const guestAddressSchema = z
  .object({
    ...fields,
    email: z
      .email('Enter an email address')
      .max(guest.email.maxLength ?? 254, 'That address is too long'),
  })
  .superRefine(checkRegion)
  .transform((value) => ({ ...toAddress(value), email: value.email }));

export type AddressFormValues = z.input<typeof guestAddressSchema>;
export type AddressFormResult = z.output<typeof addressSchema>;
export type GuestAddressFormResult = z.output<typeof guestAddressSchema>;

import { z } from 'zod';
import { bodyRules, serverText } from '../../api/field-rules';
import { isCountryCode } from './countries';

// The limits are the server's (POST /api/v1/orders), read from its OpenAPI document: a form
// that re-declared them drifted once (a name of 150 characters passed here and was refused).
const address = bodyRules['/api/v1/orders'].post.properties.shippingAddress.properties;

export const addressSchema = z.object({
  name: serverText(address.name, { required: 'Enter the recipient’s name' }),
  line1: serverText(address.line1, { required: 'Enter the street address' }),
  line2: serverText(address.line2),
  city: serverText(address.city, { required: 'Enter the city' }),
  postalCode: serverText(address.postalCode, { required: 'Enter the postal code' }),
  // Chosen from a list (countries.ts): a typed code let "Germany" become GE, Georgia.
  // Stricter than the server's pattern: only an assigned code, as the list offers.
  country: z
    .string()
    .refine((code) => code !== '', 'Choose the country')
    .refine((code) => code === '' || isCountryCode(code), 'Choose the country from the list'),
});

export type AddressFormValues = z.input<typeof addressSchema>;
export type AddressFormResult = z.output<typeof addressSchema>;

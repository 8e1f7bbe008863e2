import type { AddressFormValues } from './address-form';

// Apart from the schema (address-form.ts), so the checkout draws its form without loading zod:
// the schema is loaded when the form is first checked.
export const emptyAddress = (name = ''): AddressFormValues => ({
  email: '',
  name,
  line1: '',
  line2: '',
  city: '',
  region: '',
  postalCode: '',
  country: '',
  phone: '',
});

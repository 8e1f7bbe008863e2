import { z } from 'zod';
import type { ShippingMethod, ShippingMethodBody } from '../../api/hooks/shipping-methods';
import { isCountryCode } from '../../shop/checkout/countries';
import { minorToInput, parseMoneyInput } from '../money-input';

/** The shipping method form as a person fills it: money in major units, countries as a list of codes. */
export interface ShippingMethodFormValues {
  name: string;
  /** Codes separated by commas or spaces ("GB, IE"); empty: every country. */
  countries: string;
  price: string;
  freeOver: string;
  active: boolean;
}

export const emptyShippingMethodForm: ShippingMethodFormValues = {
  name: '',
  countries: '',
  price: '',
  freeOver: '',
  active: true,
};

export const shippingMethodToForm = (
  method: ShippingMethod,
  currency: string,
): ShippingMethodFormValues => ({
  name: method.name,
  countries: method.countries.join(', '),
  price: minorToInput(method.price, currency),
  freeOver: method.freeOver === null ? '' : minorToInput(method.freeOver, currency),
  active: method.active,
});

/** "gb, ie de" → ["GB", "IE", "DE"], and the ones that are no country. */
export function parseCountries(input: string): { codes: string[]; unknown: string[] } {
  const codes = input
    .split(/[\s,;]+/)
    .map((code) => code.trim().toUpperCase())
    .filter((code) => code !== '');
  return {
    codes: [...new Set(codes)],
    unknown: codes.filter((code) => !isCountryCode(code)),
  };
}

/** The form → the API body: amounts in minor units (exact), an empty threshold as null. */
export const shippingMethodFormSchema = (currency: string) =>
  z
    .object({
      name: z.string(),
      countries: z.string(),
      price: z.string(),
      freeOver: z.string(),
      active: z.boolean(),
    })
    .transform((values, ctx): ShippingMethodBody => {
      const issue = (path: keyof ShippingMethodFormValues, message: string) =>
        ctx.addIssue({ code: 'custom', path: [path], message });
      const name = values.name.trim();
      if (name === '') issue('name', 'Enter a name');
      const countries = parseCountries(values.countries);
      if (countries.unknown.length > 0) {
        issue('countries', `Not a country code: ${countries.unknown.join(', ')}`);
      }
      const price = parseMoneyInput(values.price, currency, { allowZero: true });
      if (!price.ok) issue('price', price.message);
      const freeOver =
        values.freeOver.trim() === ''
          ? null
          : parseMoneyInput(values.freeOver, currency, { allowZero: true });
      if (freeOver && !freeOver.ok) issue('freeOver', freeOver.message);
      if (!price.ok || (freeOver && !freeOver.ok) || name === '' || countries.unknown.length) {
        return z.NEVER;
      }
      return {
        name,
        countries: countries.codes,
        price: price.minor,
        freeOver: freeOver?.ok ? freeOver.minor : null,
        active: values.active,
      };
    });

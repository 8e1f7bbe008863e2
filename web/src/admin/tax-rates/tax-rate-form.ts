import { z } from 'zod';
import type { TaxRate, TaxRateBody } from '../../api/hooks/tax-rates';

/** The tax rate form as a person fills it: text fields, the rate as a percentage. */
export interface TaxRateFormValues {
  name: string;
  country: string;
  region: string;
  rate: string;
  appliesToShipping: boolean;
}

export const emptyTaxRateForm: TaxRateFormValues = {
  name: '',
  country: '',
  region: '',
  rate: '',
  appliesToShipping: true,
};

export const taxRateToForm = (rate: TaxRate): TaxRateFormValues => ({
  name: rate.name,
  country: rate.country,
  region: rate.region ?? '',
  rate: String(rate.rate),
  appliesToShipping: rate.appliesToShipping,
});

/**
 * A percentage with at most three decimals ("8.875", "20 %"), read as text so 8.875 stays
 * exactly 8.875; 0 is a rate too (a zero-rated place).
 */
export function parseTaxPercent(
  input: string,
): { ok: true; rate: number } | { ok: false; message: string } {
  const match = /^(\d{1,3})(?:\.(\d{0,3}))?$/.exec(input.trim().replace(/\s*%$/, ''));
  if (!match)
    return { ok: false, message: 'Enter a percentage such as 8.875 (three decimals at most)' };
  const rate = Number(`${match[1]}.${match[2] ?? ''}0`);
  if (rate > 100) return { ok: false, message: 'Enter a percentage of at most 100' };
  return { ok: true, rate };
}

/**
 * The form → the API body. The region is optional (a whole country's rate) and must be one of
 * the country's (US-CA for US); an edit that clears it sends null.
 */
export const taxRateFormSchema = z
  .object({
    name: z.string(),
    country: z.string(),
    region: z.string(),
    rate: z.string(),
    appliesToShipping: z.boolean(),
  })
  .transform((values, ctx): TaxRateBody => {
    const name = values.name.trim();
    if (name === '') ctx.addIssue({ code: 'custom', path: ['name'], message: 'Enter a name' });
    const country = values.country.trim().toUpperCase();
    if (!/^[A-Z]{2}$/.test(country)) {
      ctx.addIssue({ code: 'custom', path: ['country'], message: 'Choose a country' });
    }
    const region = values.region.trim().toUpperCase();
    if (region !== '' && !new RegExp(`^${country}-[A-Z0-9]{1,3}$`).test(region)) {
      ctx.addIssue({
        code: 'custom',
        path: ['region'],
        message: `Enter a region code of the country, such as ${country || 'US'}-CA, or leave it empty`,
      });
    }
    const rate = parseTaxPercent(values.rate);
    if (!rate.ok) ctx.addIssue({ code: 'custom', path: ['rate'], message: rate.message });
    if (!rate.ok) return z.NEVER;
    return {
      name,
      country,
      region: region === '' ? null : region,
      rate: rate.rate,
      appliesToShipping: values.appliesToShipping,
    };
  });

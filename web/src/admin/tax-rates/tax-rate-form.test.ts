import { describe, expect, it } from 'vitest';
import { emptyTaxRateForm, parseTaxPercent, taxRateFormSchema } from './tax-rate-form';

describe('the tax rate form', () => {
  it('reads a percentage with up to three decimals exactly, 0 included', () => {
    expect(parseTaxPercent('8.875')).toEqual({ ok: true, rate: 8.875 });
    expect(parseTaxPercent(' 20 % ')).toEqual({ ok: true, rate: 20 });
    expect(parseTaxPercent('0')).toEqual({ ok: true, rate: 0 });
    expect(parseTaxPercent('8.8751').ok).toBe(false);
    expect(parseTaxPercent('100.5').ok).toBe(false);
    expect(parseTaxPercent('-1').ok).toBe(false);
  });

  it('sends the region upper-cased, and none as null', () => {
    const filled = {
      ...emptyTaxRateForm,
      name: ' VAT ',
      country: 'us',
      region: 'us-ca',
      rate: '7.25',
    };
    expect(taxRateFormSchema.parse(filled)).toEqual({
      name: 'VAT',
      country: 'US',
      region: 'US-CA',
      rate: 7.25,
      appliesToShipping: true,
    });
    expect(taxRateFormSchema.parse({ ...filled, region: '' }).region).toBeNull();
  });

  it("refuses a region that is not the country's, and a missing name or country", () => {
    const result = taxRateFormSchema.safeParse({
      ...emptyTaxRateForm,
      country: 'US',
      region: 'CA-ON',
      rate: '5',
    });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['name', 'region']));
    const noCountry = taxRateFormSchema.safeParse({ ...emptyTaxRateForm, name: 'x', rate: '5' });
    expect(noCountry.error!.issues.map((i) => i.path.join('.'))).toContain('country');
  });
});

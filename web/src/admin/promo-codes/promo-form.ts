import { z } from 'zod';
import { bodyRules } from '../../api/field-rules';
import type { components, paths } from '../../api/schema.gen';
import { minorToInput, parseMoneyInput, parsePercentInput } from '../money-input';

export type PromoCode = components['schemas']['PromoCode'];

// The server's rule for a code (POST /api/v1/admin/promo-codes), from its OpenAPI document.
const codeRule = bodyRules['/api/v1/admin/promo-codes'].post.properties.code;
export type PromoBody =
  paths['/api/v1/admin/promo-codes']['post']['requestBody']['content']['application/json'];

/** The promo code form as a person fills it: text fields, money in major units. */
export interface PromoFormValues {
  code: string;
  type: 'fixed' | 'percentage';
  amountOff: string;
  percentOff: string;
  maxDiscount: string;
  minSubtotal: string;
  /** datetime-local values, read as UTC ("2026-03-01T09:00") */
  startsAt: string;
  endsAt: string;
  usageLimit: string;
  perCustomerLimit: string;
  active: boolean;
}

export const emptyPromoForm: PromoFormValues = {
  code: '',
  type: 'percentage',
  amountOff: '',
  percentOff: '',
  maxDiscount: '',
  minSubtotal: '',
  startsAt: '',
  endsAt: '',
  usageLimit: '',
  perCustomerLimit: '',
  active: true,
};

function toLocalInput(iso: string | null): string {
  return iso ? iso.slice(0, 16) : '';
}

export function promoToForm(promo: PromoCode, currency: string): PromoFormValues {
  const money = (minor: number | null) => (minor === null ? '' : minorToInput(minor, currency));
  return {
    code: promo.code,
    type: promo.type,
    amountOff: money(promo.amountOff),
    percentOff: promo.percentOff === null ? '' : String(promo.percentOff),
    maxDiscount: money(promo.maxDiscount),
    minSubtotal: money(promo.minSubtotal),
    startsAt: toLocalInput(promo.startsAt),
    endsAt: toLocalInput(promo.endsAt),
    usageLimit: promo.usageLimit === null ? '' : String(promo.usageLimit),
    perCustomerLimit: promo.perCustomerLimit === null ? '' : String(promo.perCustomerLimit),
    active: promo.active,
  };
}

export type PromoFormErrors = Partial<Record<keyof PromoFormValues, string>>;

/**
 * The form → the API body: amounts in minor units (exact), the percentage as the API takes it
 * (0–100, two decimals), empty optional fields as null so an edit can clear them.
 */
export function formToPromoBody(
  values: PromoFormValues,
  currency: string,
): { ok: true; body: PromoBody } | { ok: false; errors: PromoFormErrors } {
  const errors: PromoFormErrors = {};
  const code = values.code.trim();
  if (!new RegExp(codeRule.pattern).test(code) || code.length > codeRule.maxLength) {
    errors.code = `Use up to ${codeRule.maxLength} letters, digits, - or _, starting with a letter or digit`;
  }
  const optionalMoney = (field: 'maxDiscount' | 'minSubtotal' | 'amountOff'): number | null => {
    if (values[field].trim() === '') return null;
    const parsed = parseMoneyInput(values[field], currency, { allowZero: field === 'minSubtotal' });
    if (!parsed.ok) {
      errors[field] = parsed.message;
      return null;
    }
    return parsed.minor;
  };
  const optionalCount = (field: 'usageLimit' | 'perCustomerLimit'): number | null => {
    const text = values[field].trim();
    if (text === '') return null;
    if (!/^\d+$/.test(text) || Number(text) < 1) {
      errors[field] = 'Enter a whole number of at least 1, or leave empty for no limit';
      return null;
    }
    return Number(text);
  };
  const optionalTime = (field: 'startsAt' | 'endsAt'): string | null => {
    const text = values[field].trim();
    if (text === '') return null;
    const date = new Date(`${text.length === 16 ? `${text}:00` : text}Z`);
    if (Number.isNaN(date.getTime())) {
      errors[field] = 'Enter a date and time';
      return null;
    }
    return date.toISOString();
  };

  let amountOff: number | null = null;
  let percentOff: number | null = null;
  let maxDiscount: number | null = null;
  if (values.type === 'fixed') {
    if (values.amountOff.trim() === '') errors.amountOff = 'Enter the amount off';
    else amountOff = optionalMoney('amountOff');
  } else {
    const parsed = parsePercentInput(values.percentOff);
    if (parsed.ok) percentOff = parsed.percent;
    else errors.percentOff = parsed.message;
    maxDiscount = optionalMoney('maxDiscount');
  }
  const minSubtotal = optionalMoney('minSubtotal');
  const startsAt = optionalTime('startsAt');
  const endsAt = optionalTime('endsAt');
  if (startsAt && endsAt && endsAt <= startsAt) errors.endsAt = 'The end must be after the start';
  const usageLimit = optionalCount('usageLimit');
  const perCustomerLimit = optionalCount('perCustomerLimit');

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    body: {
      code,
      type: values.type,
      amountOff,
      percentOff,
      maxDiscount,
      minSubtotal,
      startsAt,
      endsAt,
      usageLimit,
      perCustomerLimit,
      active: values.active,
    },
  };
}

/** The form's zod schema: the text as typed in, the API body out, each error on its field. */
export const promoFormSchema = (currency: string) =>
  z
    .object({
      code: z.string(),
      type: z.enum(['fixed', 'percentage']),
      amountOff: z.string(),
      percentOff: z.string(),
      maxDiscount: z.string(),
      minSubtotal: z.string(),
      startsAt: z.string(),
      endsAt: z.string(),
      usageLimit: z.string(),
      perCustomerLimit: z.string(),
      active: z.boolean(),
    })
    .transform((values, ctx) => {
      const result = formToPromoBody(values, currency);
      if (result.ok) return result.body;
      for (const [field, message] of Object.entries(result.errors)) {
        ctx.addIssue({ code: 'custom', path: [field], message });
      }
      return z.NEVER;
    });

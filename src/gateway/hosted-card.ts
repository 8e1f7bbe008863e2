// What the hosted page reads from a card form: Stripe's published test numbers, each standing
// for the test payment method whose outcome it has, plus one number of the gateway's own that
// stays processing a moment. The gateway keeps none of it: the intent records the method only.

/** The test cards, as the page lists them. */
export const TEST_CARDS = [
  { number: '4242 4242 4242 4242', method: 'pm_card_visa', outcome: 'Succeeds' },
  { number: '4000 0000 0000 0002', method: 'pm_card_chargeDeclined', outcome: 'Declined' },
  {
    number: '4000 0000 0000 9995',
    method: 'pm_card_chargeDeclinedInsufficientFunds',
    outcome: 'Declined: insufficient funds',
  },
  {
    number: '4000 0000 0000 7775',
    method: 'pm_card_processing',
    outcome: 'Processing for a moment, then succeeds (this gateway’s own)',
  },
] as const;

export type CardField = 'cardNumber' | 'expiry' | 'cvc' | 'name';

/** The form's fields, as posted (every value a string, or missing). */
export interface CardForm {
  cardNumber?: unknown;
  expiry?: unknown;
  cvc?: unknown;
  name?: unknown;
}

export type CardReading =
  { ok: true; paymentMethod: string } | { ok: false; errors: Partial<Record<CardField, string>> };

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/** Luhn's check digit test, which every real card number passes. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

/** `MM / YY` (spaces and slash optional) → the first moment after the card's last month. */
function expiryEnd(value: string): Date | undefined {
  const match = /^(\d{2})\s*\/?\s*(\d{2})$/.exec(value);
  if (!match) return undefined;
  const month = Number(match[1]);
  if (month < 1 || month > 12) return undefined;
  return new Date(Date.UTC(2000 + Number(match[2]), month, 1));
}

/**
 * The payment method a filled-in form stands for, or what is wrong with each field, in the
 * words Stripe's page uses. A well-formed number that is not a test card is refused: this
 * gateway takes test cards only.
 */
export function readCard(form: CardForm, now: Date): CardReading {
  const errors: Partial<Record<CardField, string>> = {};
  const digits = text(form.cardNumber).replace(/[\s-]/g, '');
  const card = TEST_CARDS.find((c) => c.number.replace(/ /g, '') === digits);
  if (!digits) errors.cardNumber = 'Enter your card number.';
  else if (!/^\d{12,19}$/.test(digits) || !luhnValid(digits))
    errors.cardNumber = 'Your card number is invalid.';
  else if (!card)
    errors.cardNumber = 'This is a test payment page: use one of the test card numbers listed.';

  const expiry = text(form.expiry);
  const end = expiryEnd(expiry);
  if (!expiry) errors.expiry = 'Enter your card’s expiry date.';
  else if (!end) errors.expiry = 'Enter the expiry date as MM / YY.';
  else if (end <= now) errors.expiry = 'Your card’s expiry date is in the past.';

  const cvc = text(form.cvc);
  if (!cvc) errors.cvc = 'Enter your card’s security code (CVC).';
  else if (!/^\d{3,4}$/.test(cvc)) errors.cvc = 'Your card’s security code is 3 or 4 digits.';

  const name = text(form.name);
  if (!name) errors.name = 'Enter the name on your card.';
  else if (name.length > 100) errors.name = 'The name on the card is at most 100 characters.';

  if (Object.keys(errors).length > 0 || !card) return { ok: false, errors };
  return { ok: true, paymentMethod: card.method };
}

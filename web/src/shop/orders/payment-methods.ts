import { toProblem } from '../../api/problem';

/** The built-in provider's test payment methods, as a customer picks them. */
export const testPaymentMethods = [
  { id: 'pm_card_visa', label: 'Test card: succeeds', description: 'Visa ending 4242' },
  {
    id: 'pm_card_chargeDeclined',
    label: 'Test card: declined',
    description: 'The bank declines the charge',
  },
  {
    id: 'pm_card_chargeDeclinedInsufficientFunds',
    label: 'Test card: insufficient funds',
    description: 'Declined for lack of funds',
  },
  {
    id: 'pm_card_processing',
    label: 'Test card: processing',
    description: 'Confirmed by the bank a moment later',
  },
] as const;

export type TestPaymentMethod = (typeof testPaymentMethods)[number]['id'];

const failureMessages: Record<string, string> = {
  card_declined: 'Your card was declined.',
  insufficient_funds: 'Your card was declined for insufficient funds.',
  invalid_payment_method: 'That payment method cannot be used.',
  expired_card: 'Your card has expired.',
};

/** What to tell the customer when a payment attempt fails; the order stays payable. */
export function declineMessage(error: unknown): string {
  const problem = toProblem(error);
  const detail = Array.isArray(problem.details)
    ? (problem.details[0] as { failureCode?: unknown } | undefined)
    : undefined;
  const code = typeof detail?.failureCode === 'string' ? detail.failureCode : undefined;
  const known = code ? failureMessages[code] : undefined;
  return `${known ?? problem.detail ?? 'The payment did not go through.'} No money was taken; you can try again or use another method.`;
}

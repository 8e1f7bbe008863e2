import type { Payment } from '../../api/types';
import { compact, optionalOneOf } from '../search-params';

// The customer pays on the payment provider's own page (card data never reaches this shop);
// what the order page says about it comes from here.

const failureMessages: Record<string, string> = {
  card_declined: 'Your card was declined.',
  insufficient_funds: 'Your card was declined for insufficient funds.',
  invalid_payment_method: 'That payment method cannot be used.',
  expired_card: 'Your card has expired.',
};

/** Why a payment failed, in the customer's words. */
export function failureMessage(failureCode: string | undefined): string {
  return (failureCode && failureMessages[failureCode]) ?? 'The payment did not go through.';
}

/**
 * What to tell the customer when their latest payment failed (the order stays payable), or
 * undefined when it did not.
 */
export function lastAttemptMessage(payments: readonly Payment[]): string | undefined {
  const latest = payments.at(-1);
  if (latest?.status !== 'failed') return undefined;
  return `${failureMessage(latest.failureCode)} No money was taken; you can try again with another card.`;
}

/** The order page's URL search params: `payment=returned` when the provider's page sent the browser back. */
export interface OrderSearch {
  payment?: 'returned' | undefined;
}

export function parseOrderSearch(raw: Record<string, unknown>): OrderSearch {
  return compact({ payment: optionalOneOf(raw.payment, ['returned'] as const) });
}

/** How long the page waits for the provider's word after the customer came back. */
export const RETURN_WAIT_MS = 30_000;

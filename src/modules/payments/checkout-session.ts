import type { AppContext } from '../../app-context.js';
import { AppError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { Caller } from '../orders/order-access.js';
import { orderDue } from '../orders/order-payments.js';
import { ProviderRefused, ProviderUnavailable } from './payment-provider.js';
import { payFreeOrder } from './payments.service.js';
import type { CheckoutSessionAnswer } from './payments.schemas.js';

type Ctx = Pick<AppContext, 'db' | 'clock' | 'config' | 'jobs' | 'payments' | 'logger' | 'redis'>;

/**
 * Opens the provider's hosted payment page for an order's balance (its total, while it is
 * unpaid): the storefront sends the browser there, the customer types the card on the
 * provider's origin (never Ordo's), and comes back to the order page while the provider's
 * webhook settles the payment (`recordHostedPayment`). The order is refused exactly as a
 * payment attempt is (`pay` missing from its allowedActions), and is not marked: an abandoned
 * page holds nothing. The payment id is chosen now and travels in the intent's metadata, so
 * the webhook writes the payment under it. An order that owes nothing is paid at once and
 * the page is the order's own.
 *
 * Who asks is the order's customer: its account, or a guest with the order's token. The page
 * returns to the order page without the token: the storefront keeps it for the tab.
 */
export async function createCheckoutSession(
  ctx: Ctx,
  caller: Caller,
  orderId: string,
): Promise<CheckoutSessionAnswer> {
  const now = ctx.clock.now();
  const due = await orderDue(ctx.db, caller, orderId, now);
  const orderPage = `${ctx.config.publicUrl}/orders/${encodeURIComponent(orderId)}`;
  if (due.amount === 0 && (await payFreeOrder(ctx, caller, orderId))) {
    return { url: orderPage, expiresAt: now.toISOString() };
  }
  const paymentId = newId('pay', now.getTime());
  try {
    const session = await ctx.payments.createCheckoutSession({
      amount: due.amount,
      currency: due.currency,
      description: `Order ${due.number}`,
      metadata: { order_id: orderId, payment_id: paymentId, ordo_flow: 'hosted' },
      successUrl: `${orderPage}?payment=returned`,
      cancelUrl: orderPage,
      expiresAt: due.expiresAt,
      now,
      idempotencyKey: `${paymentId}:checkout-session`,
    });
    return { url: session.url, expiresAt: session.expiresAt.toISOString() };
  } catch (error) {
    if (error instanceof ProviderRefused) {
      throw new AppError(
        'PAYMENT_DECLINED',
        `The payment provider refused to take this payment (${error.code})`,
        { details: [{ failureCode: error.code }] },
      );
    }
    if (!(error instanceof ProviderUnavailable)) throw error;
    ctx.logger.warn({ err: error, orderId }, 'payment provider unavailable');
    throw new AppError('UNAVAILABLE', 'The payment provider is unavailable; try again shortly');
  }
}

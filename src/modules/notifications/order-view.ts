import type { Config } from '../../config.js';
import { formatMoney } from '../../shared/money.js';
import type { Order } from '../orders/orders.service.js';

// Built once: an Intl formatter costs far more to build than to use (toLocaleString builds one
// per call).
const dateFormat = new Intl.DateTimeFormat('en-US', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
});

/** An order as email templates see it: money formatted in the shop currency, dates for people. */
export function orderView(config: Config, order: Order) {
  const money = (amount: number) => formatMoney(amount, order.currency);
  const date = (iso: string) => `${dateFormat.format(new Date(iso))} UTC`;
  return {
    number: order.number,
    placedAt: date(order.createdAt),
    payBy: date(order.expiresAt),
    /** The email sent at placement says "received, awaiting payment" until the order is paid. */
    awaitingPayment: order.paymentStatus === 'unpaid',
    lines: order.lines.map((line) => ({
      name: line.name,
      sku: line.sku,
      quantity: line.quantity,
      unitPrice: money(line.unitPrice),
      subtotal: money(line.subtotal),
    })),
    subtotal: money(order.subtotal),
    hasDiscount: order.discount > 0,
    discount: money(order.discount),
    promoCode: order.promoCode,
    shipping: order.shipping === 0 ? 'Free' : money(order.shipping),
    total: money(order.total),
    totalAmount: order.total,
    shippingAddress: order.shippingAddress,
    currency: config.currency,
  };
}

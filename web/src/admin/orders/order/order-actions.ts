import { z } from 'zod';
import { bodyRules, optionalServerText, serverText } from '../../../api/field-rules';
import { formatMoney } from '../../../ui/money-format';
import { parseMoneyInput } from '../../money-input';

// The server's limits for each action's fields, from its OpenAPI document.
const ship = bodyRules['/api/v1/admin/orders/{id}/ship'].post.properties;
const cancel = bodyRules['/api/v1/admin/orders/{id}/cancel'].post.properties;
const refund = bodyRules['/api/v1/admin/orders/{id}/refund'].post.properties;
const tracking = bodyRules['/api/v1/admin/orders/{id}/tracking'].patch.properties;

/** Ship: carrier and tracking number, both optional (left out when empty). */
export const shipSchema = z.object({
  carrier: optionalServerText(ship.carrier),
  trackingNumber: optionalServerText(ship.trackingNumber),
});

/** Tracking added or corrected after shipping: carrier and tracking number, both required. */
export const trackingSchema = z.object({
  carrier: serverText(tracking.carrier, { required: 'Enter the carrier' }),
  trackingNumber: serverText(tracking.trackingNumber, { required: 'Enter the tracking number' }),
});

/**
 * The order page's ship dialog: carrier and tracking number, both required, unless the person
 * chose to ship without tracking (then the request carries neither). Shipping without a
 * number is a choice made on purpose, never a form left empty by mistake.
 */
export const shipDialogSchema = z
  .object({ withoutTracking: z.boolean(), carrier: z.string(), trackingNumber: z.string() })
  .transform(({ withoutTracking, carrier, trackingNumber }, ctx) => {
    if (withoutTracking) return {};
    const parsed = trackingSchema.safeParse({ carrier, trackingNumber });
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    }
    return z.NEVER;
  });

/** Cancel: an optional reason and whether the items go back to stock. */
export const cancelSchema = z.object({
  reason: optionalServerText(cancel.reason),
  restock: z.boolean(),
});

/** One line's choice in the refund dialog: how many of its units go back to stock. */
export interface RestockLineInput {
  productId: string;
  /** What the order holds of it: at most this many go back. */
  ordered: number;
  quantity: number;
}

/**
 * The refund dialog's starting restock choice: every unit when the refund is everything left
 * on an order not shipped yet (the goods never left, as with a cancel), none otherwise (a
 * goodwill refund or a refund after shipping keeps the goods where they are).
 */
export const defaultRestock = (
  lines: readonly { productId: string; quantity: number }[],
  refundsAll: boolean,
  status: string,
): RestockLineInput[] =>
  lines.map((line) => ({
    productId: line.productId,
    ordered: line.quantity,
    quantity: refundsAll && status === 'paid' ? line.quantity : 0,
  }));

const restockLines = z.array(
  z
    .object({ productId: z.string(), ordered: z.number(), quantity: z.number() })
    .superRefine(({ ordered, quantity }, ctx) => {
      if (!Number.isInteger(quantity) || quantity < 0 || quantity > ordered) {
        ctx.addIssue({
          code: 'custom',
          path: ['quantity'],
          message: `Enter a whole number from 0 to ${ordered}`,
        });
      }
    }),
);

/**
 * Refund everything left or part of it, in the order's currency: an amount with more decimals
 * than the currency has, or more than is left, is refused before anything is sent. The units
 * to restock are sent line by line (an empty list restocks nothing).
 */
export const refundSchema = (currency: string, refundable: number) =>
  z
    .object({
      mode: z.enum(['full', 'part']),
      amount: z.string(),
      reason: optionalServerText(refund.reason),
      restock: restockLines,
    })
    .transform(({ mode, amount, reason, restock: lines }, ctx) => {
      const restock = lines
        .filter((line) => line.quantity > 0)
        .map(({ productId, quantity }) => ({ productId, quantity }));
      if (mode === 'full') {
        // Every unit of every line: `true` lets the server put back what each line still
        // holds, so units an earlier refund restocked are not asked for twice (a 422).
        const all = restock.length > 0 && lines.every((line) => line.quantity === line.ordered);
        return { restock: all || restock, ...(reason ? { reason } : {}) };
      }
      const parsed = parseMoneyInput(amount, currency);
      if (!parsed.ok) {
        ctx.addIssue({ code: 'custom', path: ['amount'], message: parsed.message });
        return z.NEVER;
      }
      if (parsed.minor > refundable) {
        ctx.addIssue({
          code: 'custom',
          path: ['amount'],
          message: `At most ${formatMoney(refundable, currency)} can be refunded`,
        });
        return z.NEVER;
      }
      return { restock, amount: parsed.minor, ...(reason ? { reason } : {}) };
    });

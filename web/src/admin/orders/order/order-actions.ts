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

/**
 * Refund everything left or part of it, in the order's currency: an amount with more decimals
 * than the currency has, or more than is left, is refused before anything is sent.
 */
export const refundSchema = (currency: string, refundable: number) =>
  z
    .object({
      mode: z.enum(['full', 'part']),
      amount: z.string(),
      reason: optionalServerText(refund.reason),
      restock: z.boolean(),
    })
    .transform(({ mode, amount, reason, restock }, ctx) => {
      if (mode === 'full') return { restock, ...(reason ? { reason } : {}) };
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

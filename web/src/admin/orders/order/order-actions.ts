import { z } from 'zod';
import { bodyRules, optionalServerText } from '../../../api/field-rules';
import { formatMoney } from '../../../ui/money-format';
import { parseMoneyInput } from '../../money-input';

// The server's limits for each action's fields, from its OpenAPI document.
const ship = bodyRules['/api/v1/admin/orders/{id}/ship'].post.properties;
const cancel = bodyRules['/api/v1/admin/orders/{id}/cancel'].post.properties;
const refund = bodyRules['/api/v1/admin/orders/{id}/refund'].post.properties;

/** Ship: carrier and tracking number, both optional (left out when empty). */
export const shipSchema = z.object({
  carrier: optionalServerText(ship.carrier),
  trackingNumber: optionalServerText(ship.trackingNumber),
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

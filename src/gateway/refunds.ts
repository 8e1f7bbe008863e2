import { and, desc, eq, lte, sql } from 'drizzle-orm';
import type { GatewayState } from './gateway.state.js';
import { gatewayIntents, gatewayRefunds } from './gateway.table.js';
import { loadIntent } from './intents.js';
import {
  invalid,
  metadataOf,
  newId,
  refundObject,
  type Answer,
  type Intent,
  type Refund,
  type RefundForm,
} from './stripe-objects.js';
import { eventRows, storeEvents } from './webhook-events.js';

/** The amount a refund asks for, checked against what is left of the charge. */
function refundAmount(intent: Intent, requested: string | undefined): number {
  if (intent.status !== 'succeeded') {
    throw invalid(
      'This PaymentIntent has not succeeded; there is nothing to refund.',
      'payment_intent',
      'charge_not_succeeded',
    );
  }
  const remaining = intent.amount - intent.amountRefunded;
  const amount = requested === undefined ? remaining : Number(requested);
  if (remaining === 0)
    throw invalid('Charge has already been refunded.', undefined, 'charge_already_refunded');
  if (!Number.isSafeInteger(amount) || amount < 1 || amount > remaining) {
    throw invalid(
      `Refund amount (${requested}) is greater than unrefunded amount on charge (${remaining})`,
      'amount',
      'amount_too_large',
    );
  }
  return amount;
}

/** `POST /v1/refunds`: all of what is left of the charge, or `amount` of it, with its event. */
export async function createRefund(gateway: GatewayState, form: RefundForm): Promise<Answer> {
  const intent = await loadIntent(gateway, form.payment_intent ?? '');
  const amount = refundAmount(intent, form.amount);
  const { db } = gateway;
  // One conditional statement: concurrent refunds never exceed the charge.
  const [updated] = await db
    .update(gatewayIntents)
    .set({ amountRefunded: sql`${gatewayIntents.amountRefunded} + ${amount}` })
    .where(
      and(
        eq(gatewayIntents.id, intent.id),
        lte(sql`${gatewayIntents.amountRefunded} + ${amount}`, gatewayIntents.amount),
      ),
    )
    .returning();
  if (!updated)
    throw invalid(
      'Refund amount is greater than unrefunded amount on charge',
      'amount',
      'amount_too_large',
    );
  const [refund] = await db
    .insert(gatewayRefunds)
    .values({
      id: newId('re'),
      paymentIntentId: intent.id,
      amount,
      status: 'succeeded',
      metadata: metadataOf(form),
      createdAt: gateway.clock.now(),
    })
    .returning();
  const body = refundObject(refund!, intent.currency);
  await storeEvents(gateway, eventRows(gateway, updated, 'charge.refunded', { refund: body }));
  return { status: 200, body };
}

/** An intent's refunds, newest first, up to `limit`, and whether there are more. */
export async function listRefunds(
  gateway: GatewayState,
  intentId: string,
  limit: number,
): Promise<{ rows: Refund[]; hasMore: boolean }> {
  const rows = await gateway.db
    .select()
    .from(gatewayRefunds)
    .where(eq(gatewayRefunds.paymentIntentId, intentId))
    .orderBy(desc(gatewayRefunds.createdAt), desc(gatewayRefunds.id))
    .limit(limit + 1);
  return { rows: rows.slice(0, limit), hasMore: rows.length > limit };
}

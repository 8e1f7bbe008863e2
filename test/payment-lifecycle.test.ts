import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IntentSnapshot } from '../src/modules/payments/payment-provider.js';
import {
  paymentCanChange,
  paymentLifecycle,
  providerChange,
  snapshotMismatch,
  type PaymentCause,
} from '../src/modules/payments/payment-lifecycle.js';
import type { PaymentRow } from '../src/modules/payments/payment.repository.js';
import {
  paymentRecordStatuses,
  type PaymentRecordStatus,
} from '../src/modules/payments/payment.table.js';

// The payment lifecycle table and the provider's rules, pure: no database, no app.

const causes: PaymentCause[] = ['provider', 'ordo', 'refund'];

/** Every change the table allows: from, to, cause, and the effects it runs, in order. */
const allowed: [PaymentRecordStatus, PaymentRecordStatus, PaymentCause, string[]][] = [
  ['processing', 'processing', 'provider', []],
  ['processing', 'succeeded', 'provider', ['payOrder']],
  // An order whose total is 0: settled by Ordo, never sent to the provider.
  ['processing', 'succeeded', 'ordo', ['payOrder']],
  ['processing', 'failed', 'provider', ['freeOrder']],
  ['processing', 'failed', 'ordo', ['freeOrder']],
  ['processing', 'partially_refunded', 'provider', ['payOrder']],
  ['processing', 'refunded', 'provider', ['payOrder']],
  ['failed', 'failed', 'provider', []],
  ['failed', 'processing', 'provider', ['orderWaits']],
  ['failed', 'succeeded', 'provider', ['payOrder']],
  ['failed', 'partially_refunded', 'provider', ['payOrder']],
  ['failed', 'refunded', 'provider', ['payOrder']],
  ['succeeded', 'partially_refunded', 'provider', ['orderFollowsProvider']],
  ['succeeded', 'partially_refunded', 'refund', ['orderRefunded']],
  ['succeeded', 'refunded', 'provider', ['orderFollowsProvider']],
  ['succeeded', 'refunded', 'refund', ['orderRefunded']],
  ['partially_refunded', 'partially_refunded', 'provider', []],
  ['partially_refunded', 'partially_refunded', 'refund', ['orderRefunded']],
  ['partially_refunded', 'refunded', 'provider', ['orderFollowsProvider']],
  ['partially_refunded', 'refunded', 'refund', ['orderRefunded']],
  ['refunded', 'refunded', 'refund', ['orderRefunded']],
];

const key = (from: string, to: string, cause: string) => `${from} → ${to} (${cause})`;

const payment = (changes: Partial<PaymentRow> = {}): PaymentRow => ({
  id: 'pay_1',
  orderId: 'ord_1',
  provider: 'builtin',
  providerPaymentId: 'pi_1',
  status: 'processing',
  amount: 2500,
  refundedAmount: 0,
  currency: 'USD',
  failureCode: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...changes,
});

const snapshot = (changes: Partial<IntentSnapshot> = {}): IntentSnapshot => ({
  providerPaymentId: 'pi_1',
  status: 'succeeded',
  amount: 2500,
  currency: 'usd',
  amountRefunded: 0,
  metadata: {},
  ...changes,
});

/** A payment as a snapshot leaves it (what `changePayment` writes), or as it was. */
function afterSnapshot(row: PaymentRow, intent: IntentSnapshot): PaymentRow {
  const change = providerChange(row, intent);
  return change ? { ...row, ...change.fields, status: change.to } : row;
}

describe('the payment lifecycle table', () => {
  it('declares exactly these changes, each with its effects', () => {
    const declared = paymentRecordStatuses.flatMap((from) =>
      Object.entries(paymentLifecycle[from]).flatMap(([to, transition]) =>
        Object.entries(transition).map(([cause, effects]) => [
          key(from, to, cause),
          (effects as readonly { name: string }[]).map((effect) => effect.name),
        ]),
      ),
    );
    expect(Object.fromEntries(declared)).toEqual(
      Object.fromEntries(
        allowed.map(([from, to, cause, effects]) => [key(from, to, cause), effects]),
      ),
    );
  });

  it('allows every declared change and refuses all other status pairs and causes', () => {
    const allowedKeys = new Set(allowed.map(([from, to, cause]) => key(from, to, cause)));
    let refused = 0;
    for (const from of paymentRecordStatuses) {
      for (const to of paymentRecordStatuses) {
        for (const cause of causes) {
          const expected = allowedKeys.has(key(from, to, cause));
          expect(paymentCanChange(from, to, cause), key(from, to, cause)).toBe(expected);
          if (!expected) refused++;
        }
      }
    }
    expect(refused).toBe(5 * 5 * 3 - allowed.length);
  });

  it('never moves a payment back: nothing leaves refunded but a refund, nothing paid fails', () => {
    const paid: PaymentRecordStatus[] = ['succeeded', 'partially_refunded', 'refunded'];
    for (const cause of causes) {
      for (const from of paid) {
        expect(paymentCanChange(from, 'processing', cause)).toBe(false);
        expect(paymentCanChange(from, 'failed', cause)).toBe(false);
      }
      expect(paymentCanChange('refunded', 'partially_refunded', cause)).toBe(false);
      expect(paymentCanChange('refunded', 'succeeded', cause)).toBe(false);
    }
    // Ordo gives up only on an attempt still processing; a refund needs the money first.
    for (const from of paymentRecordStatuses) {
      expect(paymentCanChange(from, 'failed', 'ordo')).toBe(from === 'processing');
      expect(paymentCanChange(from, 'refunded', 'refund')).toBe(paid.includes(from));
    }
  });
});

describe("the provider's word", () => {
  it('ignores a snapshot of another intent, or of other money; currency case does not matter', () => {
    expect(snapshotMismatch(payment(), snapshot())).toBeUndefined();
    expect(snapshotMismatch(payment({ providerPaymentId: null }), snapshot())).toBeUndefined();
    expect(snapshotMismatch(payment(), snapshot({ providerPaymentId: 'pi_2' }))).toMatch(/intent/);
    expect(snapshotMismatch(payment(), snapshot({ amount: 2499 }))).toMatch(/amount/);
    expect(snapshotMismatch(payment(), snapshot({ currency: 'eur' }))).toMatch(/currency/);
  });

  it('pays a processing payment, fails it on a decline with its code, records the intent id', () => {
    expect(providerChange(payment(), snapshot())).toEqual({
      to: 'succeeded',
      fields: { refundedAmount: 0, failureCode: null },
    });
    expect(
      providerChange(payment(), snapshot({ status: 'failed', failureCode: 'card_declined' })),
    ).toEqual({ to: 'failed', fields: { refundedAmount: 0, failureCode: 'card_declined' } });
    expect(providerChange(payment(), snapshot({ status: 'failed' }))?.fields.failureCode).toBe(
      'declined',
    );
    expect(
      providerChange(payment({ providerPaymentId: null }), snapshot({ status: 'processing' })),
    ).toEqual({
      to: 'processing',
      fields: { providerPaymentId: 'pi_1', refundedAmount: 0, failureCode: null },
    });
  });

  it('a success after a failure pays; a failure after a success changes nothing', () => {
    expect(providerChange(payment({ status: 'failed' }), snapshot())?.to).toBe('succeeded');
    // Tried again on the provider's hosted page with a card that is processing.
    expect(
      providerChange(
        payment({ status: 'failed', failureCode: 'card_declined' }),
        snapshot({ status: 'processing' }),
      ),
    ).toMatchObject({ to: 'processing', fields: { failureCode: null } });
    expect(providerChange(payment({ status: 'succeeded' }), snapshot({ status: 'failed' }))).toBe(
      undefined,
    );
  });

  it('follows refunds made at the provider: partly, then in full; never less than recorded', () => {
    const paid = payment({ status: 'succeeded' });
    expect(providerChange(paid, snapshot({ amountRefunded: 1000 }))?.to).toBe('partially_refunded');
    expect(providerChange(paid, snapshot({ amountRefunded: 2500 }))?.to).toBe('refunded');
    const partly = payment({ status: 'partially_refunded', refundedAmount: 1000 });
    expect(providerChange(partly, snapshot({ amountRefunded: 1500 }))).toEqual({
      to: 'partially_refunded',
      fields: { refundedAmount: 1500, failureCode: null },
    });
    // Ordo's own refunds are reserved before they are made: the provider is behind, not less.
    expect(providerChange(partly, snapshot({ amountRefunded: 400 }))).toBeUndefined();
  });

  // One intent's true history at the provider, as snapshots in the order they happened: maybe
  // declined first, then charged, then refunded in steps. Events may arrive in any order,
  // each any number of times.
  const history = fc
    .record({
      declinedFirst: fc.boolean(),
      idRecorded: fc.boolean(),
      refunds: fc.array(fc.integer({ min: 1, max: 1000 }), { maxLength: 4 }),
    })
    .map(({ declinedFirst, idRecorded, refunds }) => {
      const snapshots: IntentSnapshot[] = [snapshot({ status: 'processing' })];
      if (declinedFirst)
        snapshots.push(snapshot({ status: 'failed', failureCode: 'card_declined' }));
      snapshots.push(snapshot());
      let refunded = 0;
      for (const amount of refunds) {
        refunded = Math.min(2500, refunded + amount);
        // A refund event counts as a success first (handleWebhook): status succeeded.
        snapshots.push(snapshot({ amountRefunded: refunded }));
      }
      return { snapshots, refunded, start: payment(idRecorded ? {} : { providerPaymentId: null }) };
    });

  it('every change a snapshot asks for is one the table allows the provider to make', () => {
    fc.assert(
      fc.property(history, fc.array(fc.nat(), { maxLength: 12 }), ({ snapshots, start }, picks) => {
        let row = start;
        for (const pick of picks) {
          const intent = snapshots[pick % snapshots.length]!;
          const change = providerChange(row, intent);
          if (change) expect(paymentCanChange(row.status, change.to, 'provider')).toBe(true);
          row = afterSnapshot(row, intent);
        }
      }),
    );
  });

  it('events in any order, duplicated, end where the last one of the history leaves the payment', () => {
    fc.assert(
      fc.property(
        history.chain((h) =>
          fc.record({
            h: fc.constant(h),
            order: fc.shuffledSubarray([...h.snapshots, ...h.snapshots], {
              minLength: h.snapshots.length * 2,
            }),
          }),
        ),
        ({ h, order }) => {
          const end = order.reduce(afterSnapshot, h.start);
          const status =
            h.refunded === 0 ? 'succeeded' : h.refunded >= 2500 ? 'refunded' : 'partially_refunded';
          expect(end).toMatchObject({
            status,
            refundedAmount: h.refunded,
            providerPaymentId: 'pi_1',
            failureCode: null,
          });
          // And once there, every event again changes nothing (a redelivery needs no lock).
          for (const intent of h.snapshots) expect(providerChange(end, intent)).toBeUndefined();
        },
      ),
    );
  });
});

import { zodResolver } from '@hookform/resolvers/zod';
import { useNavigate } from '@tanstack/react-router';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { usePayOrder } from '../../../api/hooks/orders';
import { toProblem } from '../../../api/problem';
import type { Order, Payment } from '../../../api/types';
import { Alert, Button, Card, formatDateTime, Money, ProblemAlert, Spinner } from '../../../ui';
import { declineMessage, testPaymentMethods } from '../payment-methods';

const paymentSchema = z.object({
  paymentMethod: z.enum(testPaymentMethods.map((m) => m.id)),
});

/** Pay the order with a test payment method; while the bank confirms, say so instead. */
export function PaymentPanel({
  order,
  processing,
  payments,
}: {
  order: Order;
  processing: boolean;
  payments: Payment[];
}) {
  const pay = usePayOrder();
  const navigate = useNavigate();
  const form = useForm({
    resolver: zodResolver(paymentSchema),
    defaultValues: { paymentMethod: 'pm_card_visa' as const },
  });
  const submit = form.handleSubmit(async ({ paymentMethod }) => {
    // Awaited here, not in a callback: a paid order unmounts this panel before it returns.
    const payment = await pay.mutateAsync({ id: order.id, paymentMethod }).catch(() => undefined);
    if (payment?.status === 'succeeded') {
      await navigate({ to: '/orders/$orderId/confirmation', params: { orderId: order.id } });
    }
  });

  if (processing) {
    return (
      <Card title="Payment">
        <div role="status" className="flex items-center gap-3 text-sm text-slate-700">
          <Spinner />
          <span>
            Your payment is being confirmed by the bank. This page updates by itself as soon as it
            is done; you will not be charged twice.
          </span>
        </div>
      </Card>
    );
  }

  const declined =
    pay.isError && toProblem(pay.error).code === 'PAYMENT_DECLINED'
      ? declineMessage(pay.error)
      : undefined;
  const failed = payments.filter((p) => p.status === 'failed').length;
  return (
    <Card title="Pay for your order">
      <form className="space-y-4" noValidate onSubmit={(e) => void submit(e)}>
        <p className="text-sm text-slate-600">
          Amount due:{' '}
          <strong>
            <Money amount={order.total} currency={order.currency} />
          </strong>
          . Pay before {formatDateTime(order.expiresAt)}, or the order is cancelled and its items go
          back to stock.
        </p>
        {declined && (
          <Alert tone="error" title="Payment declined">
            {declined}
          </Alert>
        )}
        {pay.isError && !declined && (
          <ProblemAlert error={pay.error} title="The payment could not be made" />
        )}
        <fieldset>
          <legend className="mb-2 text-sm font-medium text-slate-700">Payment method</legend>
          <div className="space-y-2">
            {testPaymentMethods.map((m) => (
              <label
                key={m.id}
                className="flex cursor-pointer items-start gap-3 rounded-md border border-slate-200 p-3 hover:bg-slate-50 has-[:checked]:border-indigo-500 has-[:checked]:bg-indigo-50"
              >
                <input
                  type="radio"
                  value={m.id}
                  {...form.register('paymentMethod')}
                  className="mt-1 accent-indigo-600"
                />
                <span>
                  <span className="block text-sm font-medium text-slate-900">{m.label}</span>
                  <span className="block text-xs text-slate-600">{m.description}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <Button type="submit" busy={pay.isPending} className="w-full sm:w-auto">
          {failed > 0 || declined ? 'Try again: Pay' : 'Pay'}{' '}
          <Money amount={order.total} currency={order.currency} />
        </Button>
      </form>
    </Card>
  );
}

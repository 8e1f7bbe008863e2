import { useCheckoutSession } from '../../../api/hooks/orders';
import type { Order, Payment } from '../../../api/types';
import { Alert, Button, Card, formatDateTime, Money, ProblemAlert, Spinner } from '../../../ui';
import { lastAttemptMessage } from '../payment-methods';

/**
 * Pay the order on the payment provider's page (the card is typed there, never here); while
 * the provider confirms a payment, or the customer has just come back from its page, say so
 * instead.
 */
export function PaymentPanel({
  order,
  waiting,
  payments,
}: {
  order: Order;
  /** A payment is processing, or the customer just came back from the provider's page. */
  waiting: boolean;
  payments: Payment[];
}) {
  const session = useCheckoutSession();

  if (waiting) {
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

  const declined = lastAttemptMessage(payments);
  const pay = () =>
    session.mutate(
      { id: order.id },
      {
        // To the provider's page (another origin): a full navigation, not a route change.
        onSuccess: ({ url }) => window.location.assign(url),
      },
    );
  // Busy until the browser has left: a success navigates away.
  const busy = session.isPending || session.isSuccess;
  return (
    <Card title="Pay for your order">
      <div className="space-y-4">
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
        {session.isError && (
          <ProblemAlert error={session.error} title="The payment page could not be opened" />
        )}
        <Button busy={busy} onClick={pay} className="w-full sm:w-auto">
          Pay <Money amount={order.total} currency={order.currency} />
        </Button>
        <p className="text-xs text-slate-600">
          You enter your card on our payment provider’s secure page, then come back here.
        </p>
      </div>
    </Card>
  );
}

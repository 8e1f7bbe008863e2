import { useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useEffect, useRef, useState } from 'react';
import { $api, api, invalidate, newIdempotencyKey } from '../../api/client';
import { toProblem } from '../../api/problem';
import { useSession } from '../../api/session';
import type { Order, Payment } from '../../api/types';
import {
  Alert,
  Button,
  buttonClass,
  Card,
  EmptyState,
  formatDateTime,
  Loading,
  Money,
  OrderStatusBadge,
  Page,
  ProblemAlert,
  Spinner,
  paymentStatusLabels,
} from '../../ui';
import { Dialog } from '../../ui/dialog';
import { declineMessage, testPaymentMethods, type TestPaymentMethod } from './payment-methods';
import { actorLabel, customerReason, sortHistory, transitionLabel } from './timeline';

const route = getRouteApi('/shop/orders/$orderId');

/** An order: its lines, totals, address, status timeline; pay or cancel it while it waits for payment. */
export function OrderPage() {
  const { orderId } = route.useParams();
  return <OrderView orderId={orderId} />;
}

export function OrderView({ orderId }: { orderId: string }) {
  const session = useSession();
  const enabled = session.status === 'signed-in';
  const payments = $api.useQuery(
    'get',
    '/api/v1/orders/{id}/payments',
    { params: { path: { id: orderId } } },
    { enabled },
  );
  const processing = payments.data?.some((p) => p.status === 'processing') ?? false;
  const order = $api.useQuery(
    'get',
    '/api/v1/orders/{id}',
    { params: { path: { id: orderId } } },
    {
      enabled,
      // While a payment is processing, watch the order until the provider settles it.
      refetchInterval: (query) =>
        processing && query.state.data?.status === 'pending_payment' ? 1000 : false,
    },
  );
  const status = order.data?.status;
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  // A processing payment seen on this page that has now been confirmed: show the confirmation.
  const sawProcessing = useRef(false);
  useEffect(() => {
    if (processing) sawProcessing.current = true;
  }, [processing]);
  useEffect(() => {
    if (!status || status === 'pending_payment') return;
    // The order moved on (paid by the webhook): the payments list changed with it.
    void queryClient.invalidateQueries({ queryKey: ['get', '/api/v1/orders/{id}/payments'] });
    if (status === 'paid' && sawProcessing.current) {
      sawProcessing.current = false;
      void navigate({ to: '/orders/$orderId/confirmation', params: { orderId } });
    }
  }, [status, queryClient, navigate, orderId]);

  if (session.status === 'restoring') return <Loading />;
  if (session.status === 'signed-out') {
    return (
      <EmptyState
        title="Log in to see this order"
        action={
          <Link
            to="/login"
            search={{ redirect: `/orders/${orderId}` }}
            className={buttonClass('primary')}
          >
            Log in
          </Link>
        }
      />
    );
  }
  if (order.isPending) return <Loading label="Loading your order…" />;
  if (order.isError) {
    return toProblem(order.error).status === 404 ? (
      <EmptyState
        title="Order not found"
        action={
          <Link to="/account/orders" className={buttonClass('secondary')}>
            Your orders
          </Link>
        }
      >
        There is no order of yours with this link.
      </EmptyState>
    ) : (
      <ProblemAlert error={order.error} title="The order could not be loaded" />
    );
  }
  const o = order.data;

  return (
    <Page
      title={
        <span className="flex flex-wrap items-center gap-3">
          Order {o.number} <OrderStatusBadge status={o.status} />
        </span>
      }
      documentTitle={`Order ${o.number}`}
      actions={
        o.status === 'pending_payment' && !processing ? <CancelOrderButton order={o} /> : undefined
      }
    >
      <div className="grid gap-6 lg:grid-cols-[1fr_22rem]">
        <div className="space-y-6 lg:col-start-1">
          {o.status === 'pending_payment' && (
            <PaymentPanel order={o} processing={processing} payments={payments.data ?? []} />
          )}
          {(o.status === 'shipped' || o.status === 'delivered') && (
            <Alert tone="info" title={o.status === 'shipped' ? 'On its way' : 'Delivered'}>
              {o.carrier || o.trackingNumber ? (
                <p>
                  {o.carrier && <>Carrier: {o.carrier}. </>}
                  {o.trackingNumber && (
                    <>
                      Tracking number:{' '}
                      <span className="font-mono font-semibold">{o.trackingNumber}</span>
                    </>
                  )}
                </p>
              ) : (
                <p>Your order has left the warehouse.</p>
              )}
            </Alert>
          )}
          <OrderLines order={o} />
        </div>
        <div className="space-y-6 lg:col-start-2 lg:row-span-2 lg:row-start-1 lg:self-start">
          <Card title="Total">
            <OrderTotals order={o} />
            <p className="mt-2 text-sm text-slate-600">
              Payment: {paymentStatusLabels[o.paymentStatus]}
            </p>
          </Card>
          <Card title="Ship to">
            <address className="text-sm not-italic text-slate-700">
              {o.shippingAddress.name}
              <br />
              {o.shippingAddress.line1}
              {o.shippingAddress.line2 && (
                <>
                  <br />
                  {o.shippingAddress.line2}
                </>
              )}
              <br />
              {o.shippingAddress.postalCode} {o.shippingAddress.city}
              <br />
              {o.shippingAddress.country}
            </address>
          </Card>
        </div>
        <div className="lg:col-start-1">
          <Timeline order={o} selfId={session.user?.id} />
        </div>
      </div>
    </Page>
  );
}

export function OrderLines({ order }: { order: Order }) {
  return (
    <Card title="Items">
      <ul className="divide-y divide-slate-100">
        {order.lines.map((line) => (
          <li key={line.productId} className="flex justify-between gap-3 py-2 text-sm">
            <span>
              <Link
                to="/products/$productId"
                params={{ productId: line.productId }}
                className="font-medium hover:underline"
              >
                {line.name}
              </Link>
              <span className="block text-slate-500">
                {line.quantity} × <Money amount={line.unitPrice} currency={order.currency} />
                {line.discount > 0 && (
                  <>
                    {' '}
                    (−
                    <Money amount={line.discount} currency={order.currency} />)
                  </>
                )}
              </span>
            </span>
            <Money amount={line.total} currency={order.currency} />
          </li>
        ))}
      </ul>
    </Card>
  );
}

export function OrderTotals({ order }: { order: Order }) {
  const row = 'flex justify-between py-1 text-sm';
  return (
    <dl>
      <div className={row}>
        <dt className="text-slate-600">Subtotal</dt>
        <dd>
          <Money amount={order.subtotal} currency={order.currency} />
        </dd>
      </div>
      {order.discount > 0 && (
        <div className={row}>
          <dt className="text-slate-600">
            Discount{order.promoCode ? ` (${order.promoCode})` : ''}
          </dt>
          <dd className="text-emerald-700">
            −<Money amount={order.discount} currency={order.currency} />
          </dd>
        </div>
      )}
      <div className={row}>
        <dt className="text-slate-600">Shipping</dt>
        <dd>
          {order.shipping === 0 ? (
            'Free'
          ) : (
            <Money amount={order.shipping} currency={order.currency} />
          )}
        </dd>
      </div>
      <div className="flex justify-between border-t border-slate-100 pt-2 text-base font-semibold">
        <dt>Total</dt>
        <dd>
          <Money amount={order.total} currency={order.currency} />
        </dd>
      </div>
    </dl>
  );
}

function Timeline({ order, selfId }: { order: Order; selfId: string | undefined }) {
  return (
    <Card title="History">
      <ol aria-label="Order history" className="relative space-y-4 border-l border-slate-200 pl-5">
        {sortHistory(order.history).map((entry) => (
          <li key={entry.at + entry.to} className="relative">
            <span
              aria-hidden="true"
              className="absolute -left-[1.65rem] top-1 h-3 w-3 rounded-full border-2 border-white bg-indigo-600"
            />
            <p className="text-sm font-medium text-slate-900">{transitionLabel(entry)}</p>
            <p className="text-xs text-slate-600">
              <time dateTime={entry.at}>{formatDateTime(entry.at)}</time> · by{' '}
              {actorLabel(entry, selfId)}
            </p>
            <Reason entry={entry} />
          </li>
        ))}
      </ol>
    </Card>
  );
}

function Reason({ entry }: { entry: Order['history'][number] }) {
  const reason = customerReason(entry.reason);
  if (!reason || reason.toLowerCase() === transitionLabel(entry).toLowerCase()) return null;
  return <p className="text-xs text-slate-600">{reason}</p>;
}

function PaymentPanel({
  order,
  processing,
  payments,
}: {
  order: Order;
  processing: boolean;
  payments: Payment[];
}) {
  const [method, setMethod] = useState<TestPaymentMethod>('pm_card_visa');
  const [busy, setBusy] = useState(false);
  const [declined, setDeclined] = useState<string>();
  const [error, setError] = useState<unknown>();
  const navigate = useNavigate();

  const pay = async () => {
    setBusy(true);
    setDeclined(undefined);
    setError(undefined);
    try {
      const { data } = await api.POST('/api/v1/orders/{id}/payments', {
        params: { path: { id: order.id }, header: { 'idempotency-key': newIdempotencyKey() } },
        body: { paymentMethod: method },
      });
      await invalidate('/api/v1/orders/{id}/payments', '/api/v1/orders/{id}', '/api/v1/orders');
      if (data?.status === 'succeeded') {
        await navigate({ to: '/orders/$orderId/confirmation', params: { orderId: order.id } });
      }
    } catch (caught) {
      const problem = toProblem(caught);
      if (problem.code === 'PAYMENT_DECLINED') setDeclined(declineMessage(caught));
      else setError(caught);
      await invalidate('/api/v1/orders/{id}/payments', '/api/v1/orders/{id}');
    } finally {
      setBusy(false);
    }
  };

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

  const failed = payments.filter((p) => p.status === 'failed').length;
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
        {error !== undefined && (
          <ProblemAlert error={error} title="The payment could not be made" />
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
                  name="paymentMethod"
                  value={m.id}
                  checked={method === m.id}
                  onChange={() => setMethod(m.id)}
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
        <Button onClick={() => void pay()} busy={busy} className="w-full sm:w-auto">
          {failed > 0 || declined ? 'Try again: Pay' : 'Pay'}{' '}
          <Money amount={order.total} currency={order.currency} />
        </Button>
      </div>
    </Card>
  );
}

function CancelOrderButton({ order }: { order: Order }) {
  const [open, setOpen] = useState(false);
  const cancel = $api.useMutation('post', '/api/v1/orders/{id}/cancel', {
    onSuccess: async () => {
      await invalidate('/api/v1/orders/{id}', '/api/v1/orders', '/api/v1/products');
      setOpen(false);
    },
  });
  return (
    <>
      <Button variant="secondary" onClick={() => setOpen(true)}>
        Cancel order
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title={`Cancel order ${order.number}?`}
        description="Its items go back to stock. This cannot be undone."
        footer={
          <>
            <Button variant="secondary" onClick={() => setOpen(false)}>
              Keep order
            </Button>
            <Button
              variant="danger"
              busy={cancel.isPending}
              onClick={() => cancel.mutate({ params: { path: { id: order.id } }, body: {} })}
            >
              Cancel order
            </Button>
          </>
        }
      >
        {cancel.isError && (
          <ProblemAlert error={cancel.error} title="The order could not be cancelled" />
        )}
      </Dialog>
    </>
  );
}

const accountRoute = getRouteApi('/shop/account/orders/$orderId');

/** The same order page at /account/orders/<id>. */
export function AccountOrderPage() {
  const { orderId } = accountRoute.useParams();
  return <OrderView orderId={orderId} />;
}

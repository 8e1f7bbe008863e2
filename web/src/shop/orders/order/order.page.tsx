import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useEffect, useRef, useState } from 'react';
import { $api } from '../../../api/client';
import { invalidateResource } from '../../../api/hooks/cache';
import { toProblem } from '../../../api/problem';
import { useOrderToken } from '../../../api/order-tokens';
import { useSession } from '../../../api/session';
import {
  Alert,
  buttonClass,
  Card,
  EmptyState,
  Loading,
  OrderStatusBadge,
  Page,
  ProblemAlert,
  paymentStatusLabels,
} from '../../../ui';
import { CancelOrderButton } from './cancel-order-button';
import { OrderLines, OrderTotals, ShipTo } from './order-summary';
import { OrderTimeline } from './order-timeline';
import { RETURN_WAIT_MS } from '../payment-methods';
import { PaymentPanel } from './payment-panel';

const route = getRouteApi('/shop/orders/$orderId');

/** An order: its lines, totals, address, status timeline; pay or cancel it while it waits for payment. */
export function OrderPage() {
  const { orderId } = route.useParams();
  const { payment } = route.useSearch();
  return <OrderView orderId={orderId} returned={payment === 'returned'} />;
}

/**
 * `returned`: the provider's page just sent the browser back here after a payment. Its
 * webhook may not have arrived yet, so the page watches the order (for RETURN_WAIT_MS at
 * most) and shows the payment as being confirmed meanwhile.
 */
export function OrderView({ orderId, returned = false }: { orderId: string; returned?: boolean }) {
  const session = useSession();
  // A guest opens the order with its token: from the emailed link, or kept since placing it.
  const hasToken = useOrderToken(orderId);
  const enabled = session.status === 'signed-in' || (session.status !== 'restoring' && hasToken);
  const [returnWaitOver, setReturnWaitOver] = useState(false);
  useEffect(() => {
    if (!returned) return;
    const timer = setTimeout(() => setReturnWaitOver(true), RETURN_WAIT_MS);
    return () => clearTimeout(timer);
  }, [returned]);
  const awaitingReturn = returned && !returnWaitOver;
  const payments = $api.useQuery(
    'get',
    '/api/v1/orders/{id}/payments',
    { params: { path: { id: orderId } } },
    { enabled, refetchInterval: awaitingReturn ? 1000 : false },
  );
  const processing = payments.data?.some((p) => p.status === 'processing') ?? false;
  const order = $api.useQuery(
    'get',
    '/api/v1/orders/{id}',
    { params: { path: { id: orderId } } },
    {
      enabled,
      // While a payment is processing, or the provider's word is awaited, watch the order
      // until the provider settles it.
      refetchInterval: (query) =>
        (processing || awaitingReturn) && query.state.data?.status === 'pending_payment'
          ? 1000
          : false,
    },
  );
  const status = order.data?.status;
  const navigate = useNavigate();
  // A processing payment seen on this page (or a return from the provider's page) that has
  // now been confirmed: show the confirmation.
  const sawProcessing = useRef(returned);
  useEffect(() => {
    if (processing) sawProcessing.current = true;
  }, [processing]);
  useEffect(() => {
    if (!status || status === 'pending_payment') return;
    // The order moved on (paid by the webhook): the payments list changed with it.
    void invalidateResource(orderId, '/api/v1/orders/{id}/payments');
    if (status === 'paid' && sawProcessing.current) {
      sawProcessing.current = false;
      void navigate({ to: '/orders/$orderId/confirmation', params: { orderId } });
    }
  }, [status, navigate, orderId]);

  if (session.status === 'restoring') return <Loading />;
  if (session.status === 'signed-out' && !hasToken) {
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
        {session.status === 'signed-out'
          ? 'This link does not open an order. Use the link in your order’s email, or log in.'
          : 'There is no order of yours with this link.'}
      </EmptyState>
    ) : (
      <ProblemAlert error={order.error} title="The order could not be loaded" />
    );
  }
  const o = order.data;
  // What the customer may do now is the server's answer (allowedActions), not a rule kept here.
  const allowed = new Set(o.allowedActions);

  return (
    <Page
      title={
        <span className="flex flex-wrap items-center gap-3">
          Order {o.number} <OrderStatusBadge status={o.status} />
        </span>
      }
      documentTitle={`Order ${o.number}`}
      actions={allowed.has('cancel') ? <CancelOrderButton order={o} /> : undefined}
    >
      <div className="grid gap-6 lg:grid-cols-[1fr_22rem]">
        <div className="space-y-6 lg:col-start-1">
          {(allowed.has('pay') ||
            (o.status === 'pending_payment' && (processing || awaitingReturn))) && (
            <PaymentPanel
              order={o}
              waiting={processing || awaitingReturn}
              payments={payments.data ?? []}
            />
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
            <ShipTo order={o} />
          </Card>
        </div>
        <div className="lg:col-start-1">
          <OrderTimeline order={o} selfId={session.user?.id} />
        </div>
      </div>
    </Page>
  );
}

const accountRoute = getRouteApi('/shop/account/orders/$orderId');

/** The same order page at /account/orders/<id>. */
export function AccountOrderPage() {
  const { orderId } = accountRoute.useParams();
  return <OrderView orderId={orderId} />;
}

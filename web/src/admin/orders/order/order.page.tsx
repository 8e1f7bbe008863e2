import { getRouteApi, Link } from '@tanstack/react-router';
import { useState } from 'react';
import { $api } from '../../../api/client';
import {
  Alert,
  Badge,
  Button,
  buttonClass,
  Card,
  Loading,
  OrderStatusBadge,
  Page,
  paymentStatusLabels,
} from '../../../ui';
import { AdminProblem } from '../../admin-ui';
import { refundableAmount } from '../../labels';
import { CancelDialog } from './cancel-dialog';
import { DeliverDialog } from './deliver-dialog';
import {
  CustomerPanel,
  HistoryPanel,
  OrderLinesPanel,
  PaymentsPanel,
  ShippingPanel,
} from './order-panels';
import { RefundDialog } from './refund-dialog';
import { ShipDialog } from './ship-dialog';
import { TrackingDialog } from './tracking-dialog';

const route = getRouteApi('/admin/orders/$orderId');

type ActionKind = 'ship' | 'deliver' | 'cancel' | 'refund' | 'tracking';

/**
 * Tracking can be added or corrected once the goods are with the carrier (the server's rule,
 * mayTrack). It changes no status, so it is not one of the order's allowedActions.
 */
const trackable = new Set(['shipped', 'delivered']);

/** One order: lines, totals, payments and refunds, the history with who acted, and actions. */
export function OrderPage() {
  const { orderId } = route.useParams();
  const byId = { params: { path: { id: orderId } } };
  const order = $api.useQuery('get', '/api/v1/admin/orders/{id}', byId);
  const payments = $api.useQuery('get', '/api/v1/orders/{id}/payments', byId);
  const [action, setAction] = useState<ActionKind>();
  const [done, setDone] = useState<string>();

  if (order.isPending) return <Loading label="Loading the order…" />;
  if (order.isError) {
    return (
      <Page title="Order">
        <AdminProblem error={order.error} title="The order could not be loaded" />
        <Link to="/admin/orders" className={buttonClass('secondary')}>
          Back to orders
        </Link>
      </Page>
    );
  }
  const o = order.data;
  // The server says what this account may do with the order now; the buttons follow it.
  const allowed = new Set(o.allowedActions);
  const refundable = payments.data ? refundableAmount(payments.data) : 0;
  const close = () => setAction(undefined);
  const finish = (message: string) => {
    setAction(undefined);
    setDone(message);
  };

  return (
    <Page
      documentTitle={`Order ${o.number}`}
      title={
        <span className="flex flex-wrap items-center gap-3">
          Order {o.number} <OrderStatusBadge status={o.status} />
          <Badge tone={o.paymentStatus === 'paid' ? 'success' : 'neutral'}>
            Payment: {paymentStatusLabels[o.paymentStatus]}
          </Badge>
        </span>
      }
      actions={
        <>
          {allowed.has('ship') && <Button onClick={() => setAction('ship')}>Ship</Button>}
          {allowed.has('deliver') && <Button onClick={() => setAction('deliver')}>Deliver</Button>}
          {allowed.has('refund') && (
            <Button variant="secondary" onClick={() => setAction('refund')}>
              Refund
            </Button>
          )}
          {allowed.has('cancel') && (
            <Button variant="danger" onClick={() => setAction('cancel')}>
              Cancel order
            </Button>
          )}
        </>
      }
    >
      <Link to="/admin/orders" className="text-sm text-indigo-700 hover:underline">
        ← All orders
      </Link>
      {done && (
        <Alert tone="success" title={done}>
          <Button variant="ghost" onClick={() => setDone(undefined)}>
            Dismiss
          </Button>
        </Alert>
      )}

      <div className="grid gap-6 lg:grid-cols-3">
        <div className="min-w-0 space-y-6 lg:col-span-2">
          <Card title="Lines">
            <OrderLinesPanel order={o} />
          </Card>
          <Card title="Payments and refunds">
            <PaymentsPanel query={payments} />
          </Card>
          <Card title="History">
            <HistoryPanel order={o} />
          </Card>
        </div>
        <div className="min-w-0 space-y-6">
          <Card title="Customer">
            <CustomerPanel order={o} />
          </Card>
          <Card title="Shipping">
            <ShippingPanel order={o} />
            {trackable.has(o.status) && (
              <Button variant="secondary" className="mt-3" onClick={() => setAction('tracking')}>
                {o.trackingNumber ? 'Correct tracking' : 'Add tracking'}
              </Button>
            )}
          </Card>
        </div>
      </div>

      {action === 'ship' && <ShipDialog order={o} onClose={close} onDone={finish} />}
      {action === 'tracking' && <TrackingDialog order={o} onClose={close} onDone={finish} />}
      {action === 'deliver' && <DeliverDialog order={o} onClose={close} onDone={finish} />}
      {action === 'cancel' && (
        <CancelDialog order={o} refundable={refundable} onClose={close} onDone={finish} />
      )}
      {action === 'refund' && (
        <RefundDialog order={o} refundable={refundable} onClose={close} onDone={finish} />
      )}
    </Page>
  );
}

import { getRouteApi, Link } from '@tanstack/react-router';
import { useRef, useState, type ReactNode } from 'react';
import { $api, api, newIdempotencyKey } from '../../api/client';
import type { Order, Payment } from '../../api/types';
import {
  Alert,
  Badge,
  Button,
  buttonClass,
  Card,
  Field,
  formatDateTime,
  formatMoney,
  Input,
  Loading,
  Money,
  OrderStatusBadge,
  Page,
  paymentStatusLabels,
  ProblemAlert,
  Table,
  TBody,
  Td,
  Th,
  THead,
  Tr,
  Textarea,
} from '../../ui';
import { Dialog } from '../../ui/dialog';
import { AdminProblem, Detail } from '../admin-ui';
import {
  historyActor,
  historyTransition,
  orderActions,
  paymentStateLabels,
  refundableAmount,
} from '../labels';
import { minorToInput, parseMoneyInput } from '../money-input';
import { refreshAfterOrderChange } from './order-cache';

const route = getRouteApi('/admin/orders/$orderId');

type ActionKind = 'ship' | 'deliver' | 'cancel' | 'refund';

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
  const allowed = orderActions(o.status, o.paymentStatus);
  const refundable = payments.data ? refundableAmount(payments.data) : 0;
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
          {allowed.ship && <Button onClick={() => setAction('ship')}>Ship</Button>}
          {allowed.deliver && <Button onClick={() => setAction('deliver')}>Deliver</Button>}
          {allowed.refund && (
            <Button variant="secondary" onClick={() => setAction('refund')}>
              Refund
            </Button>
          )}
          {allowed.cancel && (
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
            <Table>
              <caption className="sr-only">Order lines</caption>
              <THead>
                <tr>
                  <Th>Product</Th>
                  <Th className="hidden text-right sm:table-cell">Unit price</Th>
                  <Th className="text-right">Quantity</Th>
                  <Th className="hidden text-right sm:table-cell">Discount</Th>
                  <Th className="text-right">Total</Th>
                </tr>
              </THead>
              <TBody>
                {o.lines.map((line) => (
                  <Tr key={line.productId}>
                    <Td>
                      <span className="font-medium">{line.name}</span>
                      <span className="block text-xs text-slate-500">{line.sku}</span>
                    </Td>
                    <Td className="hidden text-right sm:table-cell">
                      <Money amount={line.unitPrice} currency={o.currency} />
                    </Td>
                    <Td className="text-right tabular-nums">{line.quantity}</Td>
                    <Td className="hidden text-right sm:table-cell">
                      {line.discount > 0 ? (
                        <Money amount={-line.discount} currency={o.currency} />
                      ) : (
                        '—'
                      )}
                    </Td>
                    <Td className="text-right">
                      <Money amount={line.total} currency={o.currency} />
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
            <dl className="mt-4 ml-auto max-w-xs divide-y divide-slate-100">
              <Detail label="Subtotal">
                <Money amount={o.subtotal} currency={o.currency} />
              </Detail>
              <Detail label={o.promoCode ? `Discount (${o.promoCode})` : 'Discount'}>
                {o.discount > 0 ? <Money amount={-o.discount} currency={o.currency} /> : '—'}
              </Detail>
              <Detail label="Shipping">
                <Money amount={o.shipping} currency={o.currency} />
              </Detail>
              <Detail label="Total">
                <Money amount={o.total} currency={o.currency} />
              </Detail>
            </dl>
          </Card>

          <Card title="Payments and refunds">
            <PaymentsList query={payments} />
          </Card>

          <Card title="History">
            <ol className="space-y-4" aria-label="Order history">
              {[...o.history]
                .sort((a, b) => a.at.localeCompare(b.at))
                .map((entry, index) => (
                  <li key={`${entry.at}-${index}`} className="border-l-2 border-indigo-200 pl-4">
                    <p className="font-medium text-slate-900">{historyTransition(entry)}</p>
                    <p className="text-sm text-slate-600">
                      by {historyActor(entry)} ·{' '}
                      <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
                    </p>
                    {entry.reason && (
                      <p className="mt-1 text-sm text-slate-800">Reason: {entry.reason}</p>
                    )}
                  </li>
                ))}
            </ol>
          </Card>
        </div>

        <div className="min-w-0 space-y-6">
          <Card title="Customer">
            <dl>
              <Detail label="Email">{o.email}</Detail>
              <Detail label="Customer id">
                <span className="font-mono text-xs">{o.customerId}</span>
              </Detail>
              <Detail label="Placed">{formatDateTime(o.createdAt)}</Detail>
              {o.status === 'pending_payment' && (
                <Detail label="Expires unpaid">{formatDateTime(o.expiresAt)}</Detail>
              )}
            </dl>
            <Link
              to="/admin/emails"
              search={{ orderId: o.id }}
              className="mt-3 inline-block text-sm text-indigo-700 hover:underline"
            >
              Emails about this order
            </Link>
          </Card>
          <Card title="Shipping">
            <address className="text-sm not-italic text-slate-800">
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
            {(o.carrier || o.trackingNumber) && (
              <dl className="mt-3 border-t border-slate-100 pt-2">
                <Detail label="Carrier">{o.carrier ?? '—'}</Detail>
                <Detail label="Tracking number">
                  <span className="font-mono">{o.trackingNumber ?? '—'}</span>
                </Detail>
              </dl>
            )}
          </Card>
        </div>
      </div>

      {action === 'ship' && (
        <ShipDialog order={o} onClose={() => setAction(undefined)} onDone={finish} />
      )}
      {action === 'deliver' && (
        <DeliverDialog order={o} onClose={() => setAction(undefined)} onDone={finish} />
      )}
      {action === 'cancel' && (
        <CancelDialog
          order={o}
          refundable={refundable}
          onClose={() => setAction(undefined)}
          onDone={finish}
        />
      )}
      {action === 'refund' && (
        <RefundDialog
          order={o}
          refundable={refundable}
          onClose={() => setAction(undefined)}
          onDone={finish}
        />
      )}
    </Page>
  );
}

function PaymentsList({
  query,
}: {
  query: { isPending: boolean; isError: boolean; error: unknown; data?: Payment[] | undefined };
}) {
  if (query.isPending) return <Loading label="Loading payments…" />;
  if (query.isError)
    return <AdminProblem error={query.error} title="Payments could not be loaded" />;
  const list = query.data ?? [];
  if (list.length === 0) return <p className="text-sm text-slate-600">No payment attempt yet.</p>;
  return (
    <Table>
      <caption className="sr-only">Payments</caption>
      <THead>
        <tr>
          <Th>When</Th>
          <Th>Status</Th>
          <Th className="text-right">Amount</Th>
          <Th className="text-right">Refunded</Th>
        </tr>
      </THead>
      <TBody>
        {list.map((p) => (
          <Tr key={p.id}>
            <Td className="whitespace-nowrap">{formatDateTime(p.createdAt)}</Td>
            <Td>
              {paymentStateLabels[p.status]}
              {p.failureCode && (
                <span className="block text-xs text-red-700">Declined: {p.failureCode}</span>
              )}
            </Td>
            <Td className="text-right">
              <Money amount={p.amount} currency={p.currency} />
            </Td>
            <Td className="text-right">
              {p.refundedAmount > 0 ? (
                <Money amount={p.refundedAmount} currency={p.currency} />
              ) : (
                '—'
              )}
            </Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}

interface ActionDialogProps {
  order: Order;
  onClose: () => void;
  onDone: (message: string) => void;
}

/** A dialog that runs one order action; its error (the problem's detail) stays in the dialog. */
function ActionDialog({
  title,
  description,
  confirm,
  variant = 'primary',
  onClose,
  perform,
  children,
}: {
  title: string;
  description?: string;
  confirm: string;
  variant?: 'primary' | 'danger';
  onClose: () => void;
  perform: () => Promise<void>;
  children?: ReactNode;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await perform();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && !busy && onClose()}
      title={title}
      {...(description ? { description } : {})}
    >
      <form
        className="space-y-4"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {children}
        {error !== undefined && <ProblemAlert error={error} />}
        <div className="flex flex-wrap justify-end gap-2">
          <Button variant="secondary" disabled={busy} onClick={onClose}>
            Close
          </Button>
          <Button type="submit" variant={variant} busy={busy}>
            {confirm}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function ShipDialog({ order, onClose, onDone }: ActionDialogProps) {
  const [carrier, setCarrier] = useState('');
  const [tracking, setTracking] = useState('');
  return (
    <ActionDialog
      title={`Ship order ${order.number}`}
      description="The customer is emailed the carrier and tracking number."
      confirm="Ship"
      onClose={onClose}
      perform={async () => {
        const { data } = await api.POST('/api/v1/admin/orders/{id}/ship', {
          params: { path: { id: order.id } },
          body: {
            ...(carrier.trim() ? { carrier: carrier.trim() } : {}),
            ...(tracking.trim() ? { trackingNumber: tracking.trim() } : {}),
          },
        });
        if (data) await refreshAfterOrderChange(data);
        onDone(`Order ${order.number} shipped`);
      }}
    >
      <Field label="Carrier">
        {(props) => (
          <Input {...props} value={carrier} onChange={(e) => setCarrier(e.target.value)} />
        )}
      </Field>
      <Field label="Tracking number">
        {(props) => (
          <Input {...props} value={tracking} onChange={(e) => setTracking(e.target.value)} />
        )}
      </Field>
    </ActionDialog>
  );
}

function DeliverDialog({ order, onClose, onDone }: ActionDialogProps) {
  return (
    <ActionDialog
      title={`Mark order ${order.number} delivered`}
      description="Use this once the carrier confirms delivery."
      confirm="Deliver"
      onClose={onClose}
      perform={async () => {
        const { data } = await api.POST('/api/v1/admin/orders/{id}/deliver', {
          params: { path: { id: order.id } },
        });
        if (data) await refreshAfterOrderChange(data);
        onDone(`Order ${order.number} delivered`);
      }}
    />
  );
}

function CancelDialog({
  order,
  refundable,
  onClose,
  onDone,
}: ActionDialogProps & { refundable: number }) {
  const [reason, setReason] = useState('');
  const [restock, setRestock] = useState(true);
  return (
    <ActionDialog
      title={`Cancel order ${order.number}`}
      confirm="Cancel order"
      variant="danger"
      onClose={onClose}
      perform={async () => {
        const { data } = await api.POST('/api/v1/admin/orders/{id}/cancel', {
          params: { path: { id: order.id } },
          body: { restock, ...(reason.trim() ? { reason: reason.trim() } : {}) },
        });
        if (data) await refreshAfterOrderChange(data, { stockChanged: restock });
        onDone(`Order ${order.number} cancelled`);
      }}
    >
      {order.status === 'paid' && (
        <Alert tone="warning">
          This order is paid: cancelling refunds {formatMoney(refundable, order.currency)} in full.
        </Alert>
      )}
      <Field label="Reason">
        {(props) => (
          <Textarea
            {...props}
            rows={2}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
        )}
      </Field>
      <label className="flex items-center gap-2 text-sm">
        <input
          type="checkbox"
          className="h-4 w-4"
          checked={restock}
          onChange={(e) => setRestock(e.target.checked)}
        />
        Put the items back in stock
      </label>
    </ActionDialog>
  );
}

function RefundDialog({
  order,
  refundable,
  onClose,
  onDone,
}: ActionDialogProps & { refundable: number }) {
  const [mode, setMode] = useState<'full' | 'part'>('full');
  const [amount, setAmount] = useState('');
  const [amountError, setAmountError] = useState<string>();
  const [reason, setReason] = useState('');
  // Restocking is the exception after shipping (the goods are with the customer).
  const [restock, setRestock] = useState(order.status === 'paid');
  // One key per attempt: a retry of the same request (after a network failure) reuses it, so
  // the refund cannot happen twice; a changed request gets a new key.
  const attempt = useRef<{ body: string; key: string }>(undefined);

  return (
    <ActionDialog
      title={`Refund order ${order.number}`}
      description={`Up to ${formatMoney(refundable, order.currency)} can be refunded.`}
      confirm="Refund"
      onClose={onClose}
      perform={async () => {
        setAmountError(undefined);
        let minor: number | undefined;
        if (mode === 'part') {
          const parsed = parseMoneyInput(amount, order.currency);
          if (!parsed.ok) {
            setAmountError(parsed.message);
            return;
          }
          if (parsed.minor > refundable) {
            setAmountError(`At most ${formatMoney(refundable, order.currency)} can be refunded`);
            return;
          }
          minor = parsed.minor;
        }
        const body = {
          restock,
          ...(minor !== undefined ? { amount: minor } : {}),
          ...(reason.trim() ? { reason: reason.trim() } : {}),
        };
        const text = JSON.stringify(body);
        if (attempt.current?.body !== text)
          attempt.current = { body: text, key: newIdempotencyKey() };
        const { data } = await api.POST('/api/v1/admin/orders/{id}/refund', {
          params: { path: { id: order.id }, header: { 'idempotency-key': attempt.current.key } },
          body,
        });
        if (data) await refreshAfterOrderChange(data, { stockChanged: restock });
        onDone(
          `Refunded ${formatMoney(minor ?? refundable, order.currency)} on order ${order.number}`,
        );
      }}
    >
      <fieldset className="space-y-2 text-sm">
        <legend className="font-medium text-slate-700">Amount</legend>
        <label className="flex items-center gap-2">
          <input
            type="radio"
            name="refund-mode"
            className="h-4 w-4"
            checked={mode === 'full'}
            onChange={() => setMode('full')}
          />
          Everything left ({formatMoney(refundable, order.currency)})
        </label>
        <label className="flex items-center gap-2">
          <input
            type="radio"
            name="refund-mode"
            className="h-4 w-4"
            checked={mode === 'part'}
            onChange={() => setMode('part')}
          />
          Part of it
        </label>
      </fieldset>
      {mode === 'part' && (
        <Field
          label={`Amount to refund (${order.currency})`}
          hint={`For example ${minorToInput(Math.min(refundable, 1000), order.currency)}`}
          error={amountError}
        >
          {(props) => (
            <Input
              {...props}
              inputMode="decimal"
              value={amount}
              onChange={(e) => setAmount(e.target.value)}
            />
          )}
        </Field>
      )}
      <Field label="Reason">
        {(props) => (
          <Textarea
            {...props}
            rows={2}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
        )}
      </Field>
      <label className="flex items-center gap-2 text-sm">
        <input
          type="checkbox"
          className="h-4 w-4"
          checked={restock}
          onChange={(e) => setRestock(e.target.checked)}
        />
        Put the items back in stock
      </label>
    </ActionDialog>
  );
}

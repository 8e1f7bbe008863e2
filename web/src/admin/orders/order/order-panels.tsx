import { Link } from '@tanstack/react-router';
import type { Order, Payment } from '../../../api/types';
import {
  Badge,
  formatDateTime,
  Loading,
  Money,
  Table,
  TBody,
  Td,
  Th,
  THead,
  Tr,
} from '../../../ui';
import { AdminProblem, Detail } from '../../admin-ui';
import { historyActor, historyTransition, paymentStateLabels } from '../../labels';

/** The order's lines and totals. */
export function OrderLinesPanel({ order: o }: { order: Order }) {
  return (
    <>
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
                {line.discount > 0 ? <Money amount={-line.discount} currency={o.currency} /> : '—'}
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
    </>
  );
}

/** Payment attempts with their refunded amounts and decline codes. */
export function PaymentsPanel({
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

/** Each transition with who made it (role and id), the reason and the time, oldest first. */
export function HistoryPanel({ order }: { order: Order }) {
  return (
    <ol className="space-y-4" aria-label="Order history">
      {[...order.history]
        .sort((a, b) => a.at.localeCompare(b.at))
        .map((entry, index) => (
          <li key={`${entry.at}-${index}`} className="border-l-2 border-indigo-200 pl-4">
            <p className="font-medium text-slate-900">{historyTransition(entry)}</p>
            <p className="text-sm text-slate-600">
              by {historyActor(entry)} · <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
            </p>
            {entry.reason && <p className="mt-1 text-sm text-slate-800">Reason: {entry.reason}</p>}
          </li>
        ))}
    </ol>
  );
}

export function CustomerPanel({ order: o }: { order: Order }) {
  return (
    <>
      <dl>
        <Detail label="Email">{o.email}</Detail>
        <Detail label="Checkout">
          {o.guest ? (
            <Badge tone="info">{o.customerId ? 'Guest, since joined an account' : 'Guest'}</Badge>
          ) : (
            'Signed in'
          )}
        </Detail>
        <Detail label="Customer id">
          {o.customerId ? <span className="font-mono text-xs">{o.customerId}</span> : '—'}
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
    </>
  );
}

export function ShippingPanel({ order: o }: { order: Order }) {
  return (
    <>
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
        {o.shippingAddress.region && <>, {o.shippingAddress.region}</>}
        <br />
        {o.shippingAddress.country}
        {o.shippingAddress.phone && (
          <>
            <br />
            {o.shippingAddress.phone}
          </>
        )}
      </address>
      {(o.carrier || o.trackingNumber) && (
        <dl className="mt-3 border-t border-slate-100 pt-2">
          <Detail label="Carrier">{o.carrier ?? '—'}</Detail>
          <Detail label="Tracking number">
            <span className="font-mono">{o.trackingNumber ?? '—'}</span>
          </Detail>
        </dl>
      )}
    </>
  );
}

import { createColumnHelper } from '@tanstack/react-table';
import { Link } from '@tanstack/react-router';
import type { Order } from '../../../api/types';
import { formatDateTime, Money, OrderStatusBadge, paymentStatusLabels } from '../../../ui';
import type { AdminTableFeatures } from '../../data-table';

const helper = createColumnHelper<AdminTableFeatures, Order>();

/** The orders table's columns: number (a link), status, total, customer, date, payment, code. */
export const orderColumns = helper.columns([
  helper.accessor('number', {
    header: 'Order',
    cell: (info) => (
      <Link
        to="/admin/orders/$orderId"
        params={{ orderId: info.row.original.id }}
        className="whitespace-nowrap font-medium text-indigo-700 hover:underline"
      >
        Order {info.getValue()}
      </Link>
    ),
  }),
  helper.accessor('status', {
    header: 'Status',
    cell: (info) => (
      <span className="whitespace-nowrap">
        <OrderStatusBadge status={info.getValue()} />
      </span>
    ),
  }),
  helper.accessor('total', {
    header: 'Total',
    cell: (info) => <Money amount={info.getValue()} currency={info.row.original.currency} />,
  }),
  helper.accessor('email', {
    header: 'Customer',
    cell: (info) => (
      <span className="whitespace-nowrap">
        {info.getValue()}
        {info.row.original.guest && <span className="ml-1 text-xs text-slate-500">(guest)</span>}
      </span>
    ),
  }),
  helper.accessor('createdAt', {
    header: 'Placed',
    cell: (info) => <span className="whitespace-nowrap">{formatDateTime(info.getValue())}</span>,
  }),
  helper.accessor('paymentStatus', {
    header: 'Payment',
    cell: (info) => paymentStatusLabels[info.getValue()],
  }),
  helper.accessor('promoCode', {
    header: 'Promo code',
    cell: (info) => info.getValue() ?? '—',
  }),
]);

import type { OrderStatus, PaymentStatus } from '../api/types';
import { Badge, type BadgeTone } from './badge';

export const orderStatusLabels: Record<OrderStatus, string> = {
  pending_payment: 'Awaiting payment',
  paid: 'Paid',
  shipped: 'Shipped',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
  expired: 'Expired',
};

const orderStatusTones: Record<OrderStatus, BadgeTone> = {
  pending_payment: 'warning',
  paid: 'success',
  shipped: 'info',
  delivered: 'success',
  cancelled: 'neutral',
  expired: 'neutral',
};

export const paymentStatusLabels: Record<PaymentStatus, string> = {
  unpaid: 'Unpaid',
  paid: 'Paid',
  partially_refunded: 'Partially refunded',
  refunded: 'Refunded',
};

export function OrderStatusBadge({ status }: { status: OrderStatus }) {
  return <Badge tone={orderStatusTones[status]}>{orderStatusLabels[status]}</Badge>;
}

import { invalidate, queryClient } from '../../api/client';
import type { Order } from '../../api/types';

/**
 * After an order changed (ship, deliver, cancel, refund): this order's detail and payments, the
 * order lists, the dashboard's figures and, when stock came back, the products. Other orders'
 * details stay cached: they did not change.
 */
export async function refreshAfterOrderChange(
  order: Pick<Order, 'id'> & Partial<Order>,
  { stockChanged = false }: { stockChanged?: boolean } = {},
): Promise<void> {
  const byId = { params: { path: { id: order.id } } };
  if (order.status) queryClient.setQueryData(['get', '/api/v1/admin/orders/{id}', byId], order);
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: ['get', '/api/v1/admin/orders/{id}', byId] }),
    queryClient.invalidateQueries({ queryKey: ['get', '/api/v1/orders/{id}/payments', byId] }),
    queryClient.invalidateQueries({ queryKey: ['get', '/api/v1/orders/{id}', byId] }),
    invalidate('/api/v1/admin/orders', '/api/v1/orders', '/api/v1/admin/stats'),
    stockChanged
      ? invalidate(
          '/api/v1/admin/products',
          '/api/v1/admin/products/{id}',
          '/api/v1/admin/products/{id}/stock-movements',
          '/api/v1/products',
          '/api/v1/products/{id}',
        )
      : undefined,
  ]);
}

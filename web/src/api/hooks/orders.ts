import { useMutation } from '@tanstack/react-query';
import { useRef } from 'react';
import { api, newIdempotencyKey } from '../client';
import { rememberOrderToken } from '../order-tokens';
import type { Order } from '../types';
import {
  answer,
  byId,
  invalidatePaths,
  invalidateResource,
  setResource,
  type RequestBody,
} from './cache';
import { stockChanged } from './products';

type ShipBody = RequestBody<'/api/v1/admin/orders/{id}/ship', 'post'>;
type TrackingBody = RequestBody<'/api/v1/admin/orders/{id}/tracking', 'patch'>;
type CancelBody = RequestBody<'/api/v1/admin/orders/{id}/cancel', 'post'>;
type RefundBody = RequestBody<'/api/v1/admin/orders/{id}/refund', 'post'>;
type PlaceOrderBody = RequestBody<'/api/v1/orders', 'post'>;

/**
 * After an order changed: this order (admin and shop views) and its payments, the order lists
 * (admin and the customer's), the dashboard's figures and, when stock came back or was taken,
 * the products. Other orders' details stay cached: they did not change.
 */
export async function orderChanged(
  order: Order,
  { stockMoved = false }: { stockMoved?: boolean } = {},
): Promise<void> {
  setResource('/api/v1/admin/orders/{id}', order.id, order);
  setResource('/api/v1/orders/{id}', order.id, order);
  await Promise.all([
    invalidateResource(
      order.id,
      '/api/v1/admin/orders/{id}',
      '/api/v1/orders/{id}',
      '/api/v1/orders/{id}/payments',
    ),
    invalidatePaths('/api/v1/admin/orders', '/api/v1/orders', '/api/v1/admin/stats'),
    stockMoved ? stockChanged() : undefined,
  ]);
}

function shipOrder({ id, body }: { id: string; body: ShipBody }) {
  return api.POST('/api/v1/admin/orders/{id}/ship', { ...byId(id), body }).then(answer);
}

function cancelOrder({ id, body }: { id: string; body: CancelBody }) {
  return api.POST('/api/v1/admin/orders/{id}/cancel', { ...byId(id), body }).then(answer);
}

export function useShipOrder() {
  return useMutation({ mutationFn: shipOrder, onSuccess: (order) => orderChanged(order) });
}

/** Adds or corrects a shipped order's tracking. */
export function useUpdateTracking() {
  return useMutation({
    mutationFn: async ({ id, body }: { id: string; body: TrackingBody }) =>
      answer(await api.PATCH('/api/v1/admin/orders/{id}/tracking', { ...byId(id), body })),
    onSuccess: (order) => orderChanged(order),
  });
}

export function useDeliverOrder() {
  return useMutation({
    mutationFn: async (id: string) =>
      answer(await api.POST('/api/v1/admin/orders/{id}/deliver', byId(id))),
    onSuccess: (order) => orderChanged(order),
  });
}

/** Staff cancel an order (a paid one is refunded in full), restocking or not. */
export function useCancelOrder() {
  return useMutation({
    mutationFn: cancelOrder,
    onSuccess: (order, { body }) => orderChanged(order, { stockMoved: body?.restock !== false }),
  });
}

/**
 * A refund sends an Idempotency-Key: one per attempt, reused only when the same request is sent
 * again after a failure, so a retried refund cannot be paid twice; a changed request gets a new key.
 */
export function useRefundOrder() {
  const attempt = useRef<{ request: string; key: string }>(undefined);
  return useMutation({
    mutationFn: async ({ id, body }: { id: string; body: RefundBody }) => {
      const request = JSON.stringify([id, body]);
      if (attempt.current?.request !== request) {
        attempt.current = { request, key: newIdempotencyKey() };
      }
      const header = { 'idempotency-key': attempt.current.key };
      return answer(
        await api.POST('/api/v1/admin/orders/{id}/refund', {
          params: { path: { id }, header },
          body,
        }),
      );
    },
    onSuccess: (order, { body }) => orderChanged(order, { stockMoved: restocks(body) }),
  });
}

/** Whether a refund puts anything back in stock (unsaid, a refund in full may). */
const restocks = (body: RefundBody): boolean =>
  Array.isArray(body?.restock) ? body.restock.length > 0 : body?.restock !== false;

export type BulkOrderAction =
  { action: 'ship'; body: ShipBody } | { action: 'cancel'; body: CancelBody };

async function performBulkStep(id: string, bulk: BulkOrderAction): Promise<Order> {
  const order =
    bulk.action === 'ship'
      ? await shipOrder({ id, body: bulk.body })
      : await cancelOrder({ id, body: bulk.body });
  await orderChanged(order, {
    stockMoved: bulk.action === 'cancel' && bulk.body?.restock !== false,
  });
  return order;
}

/**
 * One action on many orders: `run` is handed the step for one order (the same request and cache
 * update as alone) and decides how to go through them and report each.
 */
export function useBulkOrderAction<T>() {
  return useMutation({
    mutationFn: ({
      bulk,
      run,
    }: {
      bulk: BulkOrderAction;
      run: (perform: (id: string) => Promise<Order>) => Promise<T>;
    }) => run((id) => performBulkStep(id, bulk)),
  });
}

/** A customer cancels their own unpaid order; its items go back to stock. */
export function useCancelMyOrder() {
  return useMutation({
    mutationFn: async (id: string) =>
      answer(await api.POST('/api/v1/orders/{id}/cancel', { ...byId(id), body: {} })),
    onSuccess: (order) => orderChanged(order, { stockMoved: true }),
  });
}

/**
 * Places an order: one Idempotency-Key per attempt, so a retry after a lost answer replays it.
 * A guest's order comes with its token, which the tab keeps to open the order.
 */
export function usePlaceOrder() {
  return useMutation({
    mutationFn: async (body: PlaceOrderBody) =>
      answer(
        await api.POST('/api/v1/orders', {
          params: { header: { 'idempotency-key': newIdempotencyKey() } },
          body,
        }),
      ),
    onSuccess: ({ guestToken, ...order }) => {
      if (guestToken) rememberOrderToken(order.id, guestToken);
      return orderChanged(order, { stockMoved: true });
    },
  });
}

/**
 * Opens the payment provider's hosted page for an order; the caller sends the browser to its
 * `url`. Nothing changes on the order until the customer pays there, except for an order that
 * owes nothing, which is paid at once (its page is then the order's own).
 */
export function useCheckoutSession() {
  return useMutation({
    mutationFn: async ({ id }: { id: string }) =>
      answer(
        await api.POST('/api/v1/orders/{id}/checkout-session', {
          params: { path: { id }, header: { 'idempotency-key': newIdempotencyKey() } },
        }),
      ),
    onSuccess: (_session, { id }) =>
      invalidateResource(id, '/api/v1/orders/{id}', '/api/v1/orders/{id}/payments'),
  });
}

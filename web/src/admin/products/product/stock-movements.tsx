import { getRouteApi, Link } from '@tanstack/react-router';
import { $api } from '../../../api/client';
import type { AdminProduct } from '../../../api/hooks/products';
import type { components } from '../../../api/schema.gen';
import { formatDateTime, Loading, Table, TBody, Td, Th, THead, Tr } from '../../../ui';
import { AdminProblem, Pager } from '../../admin-ui';
import { formatDelta, movementKindLabels } from '../../labels';

type Movement = components['schemas']['StockMovement'];

const productRoute = getRouteApi('/admin/products/$productId');
const MOVEMENTS_PAGE_SIZE = 20;

/**
 * The product's stock ledger, newest first, paged in the URL: every variant's movements, each
 * naming its variant when the product has options.
 */
export function StockMovements({ product }: { product: AdminProduct }) {
  const { page = 1 } = productRoute.useSearch();
  const movements = $api.useQuery('get', '/api/v1/admin/products/{id}/stock-movements', {
    params: { path: { id: product.id }, query: { page, pageSize: MOVEMENTS_PAGE_SIZE } },
  });
  if (movements.isPending) return <Loading label="Loading movements…" />;
  if (movements.isError) {
    return <AdminProblem error={movements.error} title="Movements could not be loaded" />;
  }
  const titles =
    product.options.length > 0
      ? new Map(product.variants.map((variant) => [variant.id, variant.title]))
      : undefined;
  return (
    <MovementList
      items={movements.data.items}
      total={movements.data.total}
      page={page}
      variantTitles={titles}
    />
  );
}

/** One variant's stock ledger, newest first, paged in the URL. */
export function VariantStockMovements({ variantId }: { variantId: string }) {
  const { page = 1 } = productRoute.useSearch();
  const movements = $api.useQuery('get', '/api/v1/admin/variants/{id}/stock-movements', {
    params: { path: { id: variantId }, query: { page, pageSize: MOVEMENTS_PAGE_SIZE } },
  });
  if (movements.isPending) return <Loading label="Loading movements…" />;
  if (movements.isError) {
    return <AdminProblem error={movements.error} title="Movements could not be loaded" />;
  }
  return <MovementList items={movements.data.items} total={movements.data.total} page={page} />;
}

function MovementList({
  items,
  total,
  page,
  variantTitles,
}: {
  items: Movement[];
  total: number;
  page: number;
  /** Set for a product with options: a column names each movement's variant. */
  variantTitles?: ReadonlyMap<string, string> | undefined;
}) {
  const navigate = productRoute.useNavigate();
  if (items.length === 0) {
    return <p className="text-sm text-slate-600">No stock movement yet.</p>;
  }
  return (
    <div className="space-y-3">
      <Table>
        <caption className="sr-only">Stock movements, newest first</caption>
        <THead>
          <tr>
            <Th>When</Th>
            {variantTitles && <Th>Variant</Th>}
            <Th>Kind</Th>
            <Th className="text-right">Change</Th>
            <Th className="text-right">Stock after</Th>
            <Th>Reason or order</Th>
            <Th>By</Th>
          </tr>
        </THead>
        <TBody>
          {items.map((m) => (
            <Tr key={m.id}>
              <Td className="whitespace-nowrap">{formatDateTime(m.createdAt)}</Td>
              {variantTitles && (
                <Td className="whitespace-nowrap">
                  {(m.variantId ? variantTitles.get(m.variantId) : undefined) ?? '—'}
                </Td>
              )}
              <Td>{movementKindLabels[m.kind]}</Td>
              <Td className="text-right tabular-nums">{formatDelta(m.delta)}</Td>
              <Td className="text-right tabular-nums">{m.stockAfter}</Td>
              <Td>
                {m.reason}
                {m.orderId && (
                  <Link
                    to="/admin/orders/$orderId"
                    params={{ orderId: m.orderId }}
                    className="block text-indigo-700 hover:underline"
                  >
                    View the order
                  </Link>
                )}
              </Td>
              <Td>{m.actorName ?? (m.actorId ? '(a removed account)' : '—')}</Td>
            </Tr>
          ))}
        </TBody>
      </Table>
      <Pager
        page={page}
        pageSize={MOVEMENTS_PAGE_SIZE}
        total={total}
        noun="movements"
        onPage={(next) =>
          void navigate({ search: (prev) => ({ ...prev, page: next }), resetScroll: false })
        }
      />
    </div>
  );
}

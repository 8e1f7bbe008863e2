import { getRouteApi, Link } from '@tanstack/react-router';
import { $api } from '../../../api/client';
import { formatDateTime, Loading, Table, TBody, Td, Th, THead, Tr } from '../../../ui';
import { AdminProblem, Pager } from '../../admin-ui';
import { formatDelta, movementKindLabels } from '../../labels';

const productRoute = getRouteApi('/admin/products/$productId');
const MOVEMENTS_PAGE_SIZE = 20;

/** The product's stock ledger, newest first, paged in the URL. */
export function StockMovements({ productId }: { productId: string }) {
  const { page = 1 } = productRoute.useSearch();
  const navigate = productRoute.useNavigate();
  const movements = $api.useQuery('get', '/api/v1/admin/products/{id}/stock-movements', {
    params: { path: { id: productId }, query: { page, pageSize: MOVEMENTS_PAGE_SIZE } },
  });
  if (movements.isPending) return <Loading label="Loading movements…" />;
  if (movements.isError) {
    return <AdminProblem error={movements.error} title="Movements could not be loaded" />;
  }
  if (movements.data.items.length === 0) {
    return <p className="text-sm text-slate-600">No stock movement yet.</p>;
  }
  return (
    <div className="space-y-3">
      <Table>
        <caption className="sr-only">Stock movements, newest first</caption>
        <THead>
          <tr>
            <Th>When</Th>
            <Th>Kind</Th>
            <Th className="text-right">Change</Th>
            <Th className="text-right">Stock after</Th>
            <Th>Reason or order</Th>
            <Th>By</Th>
          </tr>
        </THead>
        <TBody>
          {movements.data.items.map((m) => (
            <Tr key={m.id}>
              <Td className="whitespace-nowrap">{formatDateTime(m.createdAt)}</Td>
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
        total={movements.data.total}
        noun="movements"
        onPage={(next) => void navigate({ search: { page: next }, resetScroll: false })}
      />
    </div>
  );
}

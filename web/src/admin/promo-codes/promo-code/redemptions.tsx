import { getRouteApi, Link } from '@tanstack/react-router';
import { $api } from '../../../api/client';
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
import { AdminProblem, Pager } from '../../admin-ui';

const route = getRouteApi('/admin/promo-codes/$promoId');
const REDEMPTIONS_PAGE_SIZE = 20;

/** The orders that used the code, paged in the URL. */
export function Redemptions({ promoId, currency }: { promoId: string; currency: string }) {
  const { page = 1 } = route.useSearch();
  const navigate = route.useNavigate();
  const redemptions = $api.useQuery('get', '/api/v1/admin/promo-codes/{id}/redemptions', {
    params: { path: { id: promoId }, query: { page, pageSize: REDEMPTIONS_PAGE_SIZE } },
  });
  if (redemptions.isPending) return <Loading label="Loading redemptions…" />;
  if (redemptions.isError) {
    return <AdminProblem error={redemptions.error} title="Redemptions could not be loaded" />;
  }
  if (redemptions.data.items.length === 0) {
    return <p className="text-sm text-slate-600">No order has used this code yet.</p>;
  }
  return (
    <div className="space-y-3">
      <Table>
        <caption className="sr-only">Orders that used this code</caption>
        <THead>
          <tr>
            <Th>Order</Th>
            <Th>When</Th>
            <Th className="text-right">Discount</Th>
            <Th>State</Th>
          </tr>
        </THead>
        <TBody>
          {redemptions.data.items.map((r) => (
            <Tr key={r.orderId}>
              <Td>
                <Link
                  to="/admin/orders/$orderId"
                  params={{ orderId: r.orderId }}
                  className="text-indigo-700 hover:underline"
                >
                  View the order
                </Link>
              </Td>
              <Td className="whitespace-nowrap">{formatDateTime(r.redeemedAt)}</Td>
              <Td className="text-right">
                <Money amount={r.discount} currency={currency} />
              </Td>
              <Td>
                {r.releasedAt ? (
                  `Released ${formatDateTime(r.releasedAt)}`
                ) : (
                  <Badge tone="success">Counted</Badge>
                )}
              </Td>
            </Tr>
          ))}
        </TBody>
      </Table>
      <Pager
        page={page}
        pageSize={REDEMPTIONS_PAGE_SIZE}
        total={redemptions.data.total}
        noun="redemptions"
        onPage={(next) => void navigate({ search: { page: next }, resetScroll: false })}
      />
    </div>
  );
}

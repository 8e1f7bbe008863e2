import { getRouteApi, Link, useLocation } from '@tanstack/react-router';
import { $api } from '../../api/client';
import { useSession } from '../../api/session';
import { SignInPrompt } from '../account/sign-in-prompt';
import type { OrderLine } from '../../api/types';
import { lineLabel } from '../cart/cart';
import { type OrdersSearch } from './orders-search';
import {
  Button,
  buttonClass,
  EmptyState,
  Field,
  formatDate,
  Loading,
  Money,
  OrderStatusBadge,
  orderStatusLabels,
  Page,
  ProblemAlert,
  Select,
  Table,
  TBody,
  Td,
  Th,
  THead,
  Tr,
} from '../../ui';

const PAGE_SIZE = 20;
const route = getRouteApi('/shop/account/orders');

/** The customer's order history, newest first, filterable by status (in the URL). */
export function OrdersPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const session = useSession();
  const location = useLocation();
  const orders = $api.useQuery(
    'get',
    '/api/v1/orders',
    {
      params: {
        query: {
          page: search.page ?? 1,
          pageSize: PAGE_SIZE,
          ...(search.status ? { status: search.status } : {}),
        },
      },
    },
    { enabled: session.status === 'signed-in' },
  );

  if (session.status === 'restoring') return <Loading />;
  if (session.status === 'signed-out') {
    return (
      <Page title="Your orders">
        <SignInPrompt title="Log in to see your orders" redirect={location.href} />
      </Page>
    );
  }
  return (
    <Page title="Your orders">
      <div className="max-w-xs">
        <Field label="Status">
          {(props) => (
            <Select
              {...props}
              value={search.status ?? ''}
              onChange={(e) =>
                void navigate({
                  search: { status: (e.target.value || undefined) as OrdersSearch['status'] },
                })
              }
            >
              <option value="">All orders</option>
              {Object.entries(orderStatusLabels).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </Select>
          )}
        </Field>
      </div>
      {orders.isPending ? (
        <Loading label="Loading your orders…" />
      ) : orders.isError ? (
        <ProblemAlert
          error={orders.error}
          title="Your orders could not be loaded"
          action={
            <Button variant="secondary" onClick={() => void orders.refetch()}>
              Try again
            </Button>
          }
        />
      ) : orders.data.items.length === 0 ? (
        <EmptyState
          title={search.status ? 'No orders with this status' : 'No orders yet'}
          action={
            <Link to="/" className={buttonClass('primary')}>
              Browse the shop
            </Link>
          }
        />
      ) : (
        <>
          <Table>
            <THead>
              <tr>
                <Th>Order</Th>
                <Th>Placed</Th>
                <Th>Items</Th>
                <Th>Status</Th>
                <Th className="text-right">Total</Th>
              </tr>
            </THead>
            <TBody>
              {orders.data.items.map((order) => (
                <Tr key={order.id}>
                  <Td>
                    <Link
                      to="/orders/$orderId"
                      params={{ orderId: order.id }}
                      className="font-medium text-indigo-700 hover:underline"
                    >
                      Order {order.number}
                    </Link>
                  </Td>
                  <Td>{formatDate(order.createdAt)}</Td>
                  <Td>
                    <OrderItems lines={order.lines} />
                  </Td>
                  <Td>
                    <OrderStatusBadge status={order.status} />
                  </Td>
                  <Td className="text-right">
                    <Money amount={order.total} currency={order.currency} />
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
          {orders.data.total > PAGE_SIZE && (
            <nav aria-label="Pages" className="flex justify-between text-sm">
              {orders.data.page > 1 ? (
                <Link
                  to="/account/orders"
                  search={{ ...search, page: orders.data.page - 1 }}
                  className="text-indigo-700 hover:underline"
                >
                  Previous page
                </Link>
              ) : (
                <span />
              )}
              {orders.data.page * PAGE_SIZE < orders.data.total && (
                <Link
                  to="/account/orders"
                  search={{ ...search, page: orders.data.page + 1 }}
                  className="text-indigo-700 hover:underline"
                >
                  Next page
                </Link>
              )}
            </nav>
          )}
        </>
      )}
    </Page>
  );
}

/** The most lines the list shows of one order; the rest are counted. */
const SHOWN_LINES = 3;

/** An order's lines in brief: quantity, product and variant, a few at most. */
function OrderItems({ lines }: { lines: OrderLine[] }) {
  const rest = lines.length - SHOWN_LINES;
  return (
    <ul className="min-w-40 space-y-0.5">
      {lines.slice(0, SHOWN_LINES).map((line, index) => (
        <li key={`${line.variantId}-${index}`}>
          {line.quantity} × {lineLabel(line)}
        </li>
      ))}
      {rest > 0 && <li className="text-slate-500">and {rest} more</li>}
    </ul>
  );
}

import { keepPreviousData } from '@tanstack/react-query';
import { createColumnHelper, type RowSelectionState } from '@tanstack/react-table';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useState } from 'react';
import { $api, api } from '../../api/client';
import type { Order } from '../../api/types';
import {
  Alert,
  Badge,
  Button,
  Field,
  formatDateTime,
  Input,
  Loading,
  Money,
  OrderStatusBadge,
  orderStatusLabels,
  Page,
  paymentStatusLabels,
  ProblemAlert,
  Select,
  Textarea,
} from '../../ui';
import { Dialog } from '../../ui/dialog';
import { AdminProblem, FilterBar, formText, Pager } from '../admin-ui';
import { DataTable, NothingHere, type AdminTableFeatures } from '../data-table';
import { bulkEligible, runBulk, summarizeBulk, type BulkAction, type BulkResult } from './bulk';
import { downloadCsv } from './csv-download';
import { refreshAfterOrderChange } from './order-cache';
import {
  exportCsvPath,
  hasFilters,
  ORDERS_PAGE_SIZE,
  orderStatuses,
  parseOrdersSearch,
  toOrdersQuery,
  type OrdersSearch,
} from './orders-search';

const route = getRouteApi('/admin/orders');
const helper = createColumnHelper<AdminTableFeatures, Order>();
const columns = helper.columns([
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
  helper.accessor('email', { header: 'Customer' }),
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

/** Every order, filtered by status, customer email, dates and promo code, all in the URL. */
export function OrdersPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const orders = $api.useQuery(
    'get',
    '/api/v1/admin/orders',
    { params: { query: toOrdersQuery(search) } },
    { placeholderData: keepPreviousData },
  );
  const [selected, setSelected] = useState<RowSelectionState>({});
  const [bulk, setBulk] = useState<BulkAction>();
  const [results, setResults] = useState<{ action: BulkAction; results: BulkResult[] }>();
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<unknown>();

  const setSearch = (next: OrdersSearch) => {
    setSelected({});
    void navigate({ search: next });
  };
  const items = orders.data?.items ?? [];
  const selectedOrders = items.filter((o) => selected[o.id]);

  const exportCsv = async () => {
    setExporting(true);
    setExportError(undefined);
    try {
      await downloadCsv(exportCsvPath(search));
    } catch (error) {
      setExportError(error);
    } finally {
      setExporting(false);
    }
  };

  return (
    <Page
      title="Orders"
      actions={
        <Button variant="secondary" busy={exporting} onClick={() => void exportCsv()}>
          Export CSV
        </Button>
      }
    >
      <FilterBar
        key={JSON.stringify(search)}
        label="Filter orders"
        onSubmit={(form) =>
          setSearch(
            parseOrdersSearch({
              status: formText(form, 'status'),
              email: formText(form, 'email'),
              from: formText(form, 'from'),
              to: formText(form, 'to'),
              promoCode: formText(form, 'promoCode'),
            }),
          )
        }
        onReset={hasFilters(search) ? () => setSearch({}) : undefined}
      >
        <Field label="Status" className="w-full sm:w-52">
          {(props) => (
            <Select {...props} name="status" defaultValue={search.status ?? ''}>
              <option value="">Any status</option>
              {orderStatuses.map((s) => (
                <option key={s} value={s}>
                  {orderStatusLabels[s]}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="Customer email" className="w-full sm:w-56">
          {(props) => (
            <Input {...props} name="email" type="search" defaultValue={search.email ?? ''} />
          )}
        </Field>
        <Field label="From (UTC day)" className="w-[calc(50%-0.375rem)] sm:w-40">
          {(props) => <Input {...props} name="from" type="date" defaultValue={search.from ?? ''} />}
        </Field>
        <Field label="To (UTC day)" className="w-[calc(50%-0.375rem)] sm:w-40">
          {(props) => <Input {...props} name="to" type="date" defaultValue={search.to ?? ''} />}
        </Field>
        <Field label="Promo code" className="w-full sm:w-36">
          {(props) => <Input {...props} name="promoCode" defaultValue={search.promoCode ?? ''} />}
        </Field>
      </FilterBar>

      {exportError !== undefined && <ProblemAlert error={exportError} title="Export failed" />}

      {results && (
        <Alert
          tone={results.results.every((r) => r.ok) ? 'success' : 'warning'}
          title={summarizeBulk(results.action, results.results)}
        >
          <ul className="mt-1 space-y-0.5" aria-label="Result per order">
            {results.results.map((r) => (
              <li key={r.id}>
                Order {r.number}: {r.ok ? r.message : `refused: ${r.message}`}
              </li>
            ))}
          </ul>
          <Button variant="ghost" className="mt-2" onClick={() => setResults(undefined)}>
            Dismiss
          </Button>
        </Alert>
      )}

      {selectedOrders.length > 0 && (
        <div
          role="region"
          aria-label="Bulk actions"
          className="flex flex-wrap items-center gap-3 rounded-lg border border-indigo-200 bg-indigo-50 px-4 py-3 text-sm"
        >
          <span className="font-medium text-indigo-900">{selectedOrders.length} selected</span>
          <Button onClick={() => setBulk('ship')}>Ship selected</Button>
          <Button variant="danger" onClick={() => setBulk('cancel')}>
            Cancel selected
          </Button>
          <Button variant="ghost" onClick={() => setSelected({})}>
            Clear selection
          </Button>
        </div>
      )}

      {orders.isPending ? (
        <Loading label="Loading orders…" />
      ) : orders.isError ? (
        <AdminProblem error={orders.error} title="The orders could not be loaded" />
      ) : (
        <div className="space-y-3" aria-busy={orders.isFetching || undefined}>
          <DataTable
            caption="Orders"
            columns={columns}
            data={items}
            getRowId={(o) => o.id}
            selection={{
              state: selected,
              onChange: setSelected,
              rowLabel: (id) => `Select order ${items.find((o) => o.id === id)?.number ?? id}`,
            }}
            empty={
              <NothingHere title="No orders match">
                {hasFilters(search) ? 'Try other filters.' : 'No order has been placed yet.'}
              </NothingHere>
            }
          />
          <Pager
            page={search.page ?? 1}
            pageSize={ORDERS_PAGE_SIZE}
            total={orders.data.total}
            noun="orders"
            onPage={(page) => setSearch({ ...search, page })}
          />
        </div>
      )}

      {bulk && (
        <BulkDialog
          action={bulk}
          orders={selectedOrders}
          onClose={() => setBulk(undefined)}
          onDone={(action, bulkResults) => {
            setBulk(undefined);
            setSelected({});
            setResults({ action, results: bulkResults });
          }}
        />
      )}
    </Page>
  );
}

function BulkDialog({
  action,
  orders,
  onClose,
  onDone,
}: {
  action: BulkAction;
  orders: Order[];
  onClose: () => void;
  onDone: (action: BulkAction, results: BulkResult[]) => void;
}) {
  const [carrier, setCarrier] = useState('');
  const [reason, setReason] = useState('');
  const [restock, setRestock] = useState(true);
  const [running, setRunning] = useState(false);
  const eligible = orders.filter((o) => bulkEligible(action, o));
  const skipped = orders.length - eligible.length;

  const run = async () => {
    setRunning(true);
    const results = await runBulk(
      orders,
      async (id) => {
        const { data } =
          action === 'ship'
            ? await api.POST('/api/v1/admin/orders/{id}/ship', {
                params: { path: { id } },
                body: carrier.trim() ? { carrier: carrier.trim() } : {},
              })
            : await api.POST('/api/v1/admin/orders/{id}/cancel', {
                params: { path: { id } },
                body: { restock, ...(reason.trim() ? { reason: reason.trim() } : {}) },
              });
        if (!data) throw new Error('The server sent no order');
        await refreshAfterOrderChange(data, { stockChanged: action === 'cancel' });
        return data;
      },
      (status) => `now ${orderStatusLabels[status].toLowerCase()}`,
    );
    setRunning(false);
    onDone(action, results);
  };

  const title = action === 'ship' ? 'Ship the selected orders' : 'Cancel the selected orders';
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && !running && onClose()}
      title={title}
      description={`${orders.length} selected. Each order is handled on its own; the result of each is shown afterwards.`}
      footer={
        <>
          <Button variant="secondary" disabled={running} onClick={onClose}>
            Keep them as they are
          </Button>
          <Button
            variant={action === 'ship' ? 'primary' : 'danger'}
            busy={running}
            onClick={() => void run()}
          >
            {action === 'ship' ? `Ship ${orders.length}` : `Cancel ${orders.length}`}
          </Button>
        </>
      }
    >
      <div className="space-y-4 text-sm">
        {skipped > 0 && (
          <Alert tone="warning">
            {skipped} of them cannot be {action === 'ship' ? 'shipped (not paid)' : 'cancelled'};
            the server will refuse those and say why.
          </Alert>
        )}
        {action === 'ship' ? (
          <Field label="Carrier (optional, the same for all)">
            {(props) => (
              <Input {...props} value={carrier} onChange={(e) => setCarrier(e.target.value)} />
            )}
          </Field>
        ) : (
          <>
            <p>Paid orders are refunded in full.</p>
            <Field label="Reason (optional)">
              {(props) => (
                <Textarea
                  {...props}
                  rows={2}
                  value={reason}
                  onChange={(e) => setReason(e.target.value)}
                />
              )}
            </Field>
            <label className="flex items-center gap-2">
              <input
                type="checkbox"
                className="h-4 w-4"
                checked={restock}
                onChange={(e) => setRestock(e.target.checked)}
              />
              Put the items back in stock
            </label>
          </>
        )}
        <ul className="flex flex-wrap gap-1" aria-label="Selected orders">
          {orders.map((o) => (
            <li key={o.id}>
              <Badge tone={bulkEligible(action, o) ? 'info' : 'neutral'}>{o.number}</Badge>
            </li>
          ))}
        </ul>
      </div>
    </Dialog>
  );
}

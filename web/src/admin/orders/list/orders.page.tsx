import { keepPreviousData } from '@tanstack/react-query';
import type { RowSelectionState } from '@tanstack/react-table';
import { getRouteApi } from '@tanstack/react-router';
import { useState } from 'react';
import { $api } from '../../../api/client';
import { Button, Loading, Page, ProblemAlert } from '../../../ui';
import { AdminProblem, Pager } from '../../admin-ui';
import { DataTable, NothingHere } from '../../data-table';
import { useCsvDownload } from '../csv-download';
import {
  exportCsvPath,
  hasFilters,
  ORDERS_PAGE_SIZE,
  toOrdersQuery,
  type OrdersSearch,
} from '../orders-search';
import type { BulkAction, BulkResult } from './bulk';
import { BulkDialog, BulkResults } from './bulk-dialog';
import { orderColumns } from './orders-columns';
import { OrdersFilters } from './orders-filters';

const route = getRouteApi('/admin/orders');

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
  const exportCsv = useCsvDownload();

  const setSearch = (next: OrdersSearch) => {
    setSelected({});
    void navigate({ search: next });
  };
  const items = orders.data?.items ?? [];
  const selectedOrders = items.filter((o) => selected[o.id]);

  return (
    <Page
      title="Orders"
      actions={
        <Button
          variant="secondary"
          busy={exportCsv.isPending}
          onClick={() => exportCsv.mutate(exportCsvPath(search))}
        >
          Export CSV
        </Button>
      }
    >
      <OrdersFilters search={search} onSearch={setSearch} />

      {exportCsv.isError && <ProblemAlert error={exportCsv.error} title="Export failed" />}

      {results && (
        <BulkResults
          action={results.action}
          results={results.results}
          onDismiss={() => setResults(undefined)}
        />
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
            columns={orderColumns}
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

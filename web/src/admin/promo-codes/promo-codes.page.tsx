import { keepPreviousData } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useMemo } from 'react';
import { $api } from '../../api/client';
import { Badge, buttonClass, Field, formatDateTime, Input, Loading, Page } from '../../ui';
import { AdminProblem, FilterBar, formText, Pager } from '../admin-ui';
import { DataTable, NothingHere, type AdminTableFeatures } from '../data-table';
import { describePromo } from './promo-describe';
import type { PromoCode } from './promo-form';

const PAGE_SIZE = 25;
const route = getRouteApi('/admin/promo-codes');

const helper = createColumnHelper<AdminTableFeatures, PromoCode>();
const makeColumns = (currency: string) =>
  helper.columns([
    helper.accessor('code', {
      header: 'Code',
      cell: (info) => (
        <Link
          to="/admin/promo-codes/$promoId"
          params={{ promoId: info.row.original.id }}
          className="font-mono font-medium text-indigo-700 hover:underline"
        >
          {info.getValue()}
        </Link>
      ),
    }),
    helper.display({
      id: 'discount',
      header: 'Discount',
      cell: ({ row }) => describePromo(row.original, currency),
    }),
    helper.accessor('timesUsed', {
      header: 'Used',
      cell: (info) =>
        `${info.getValue()}${info.row.original.usageLimit !== null ? ` of ${info.row.original.usageLimit}` : ''}`,
    }),
    helper.accessor('endsAt', {
      header: 'Ends',
      cell: (info) => {
        const value = info.getValue();
        return value ? formatDateTime(value) : 'Never';
      },
    }),
    helper.accessor('active', {
      header: 'State',
      cell: (info) =>
        info.getValue() ? <Badge tone="success">Active</Badge> : <Badge>Inactive</Badge>,
    }),
  ]);

export function PromoCodesPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const currency = $api.useQuery('get', '/api/v1/admin/stats').data?.currency ?? 'USD';
  const columns = useMemo(() => makeColumns(currency), [currency]);
  const promos = $api.useQuery(
    'get',
    '/api/v1/admin/promo-codes',
    {
      params: {
        query: {
          page: search.page ?? 1,
          pageSize: PAGE_SIZE,
          ...(search.q ? { q: search.q } : {}),
        },
      },
    },
    { placeholderData: keepPreviousData },
  );
  return (
    <Page
      title="Promo codes"
      actions={
        <Link to="/admin/promo-codes/new" className={buttonClass('primary')}>
          New promo code
        </Link>
      }
    >
      <FilterBar
        key={search.q ?? ''}
        label="Search promo codes"
        onSubmit={(form) => void navigate({ search: { q: formText(form, 'q') } })}
        onReset={search.q ? () => void navigate({ search: {} }) : undefined}
      >
        <Field label="Code" className="w-full sm:w-60">
          {(props) => <Input {...props} name="q" type="search" defaultValue={search.q ?? ''} />}
        </Field>
      </FilterBar>
      {promos.isPending ? (
        <Loading label="Loading promo codes…" />
      ) : promos.isError ? (
        <AdminProblem error={promos.error} title="The promo codes could not be loaded" />
      ) : (
        <div className="space-y-3">
          <DataTable
            caption="Promo codes"
            columns={columns}
            data={promos.data.items}
            getRowId={(p) => p.id}
            empty={
              <NothingHere title="No promo codes">Create one to offer a discount.</NothingHere>
            }
          />
          <Pager
            page={search.page ?? 1}
            pageSize={PAGE_SIZE}
            total={promos.data.total}
            noun="codes"
            onPage={(page) => void navigate({ search: { ...search, page } })}
          />
        </div>
      )}
    </Page>
  );
}

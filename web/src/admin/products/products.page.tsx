import { keepPreviousData } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { getRouteApi, Link } from '@tanstack/react-router';
import { $api } from '../../api/client';
import type { components } from '../../api/schema.gen';
import {
  Badge,
  Button,
  buttonClass,
  Field,
  Input,
  Loading,
  Money,
  Page,
  ProblemAlert,
} from '../../ui';
import { AdminProblem, FilterBar, formText, Pager } from '../admin-ui';
import { DataTable, NothingHere, type AdminTableFeatures } from '../data-table';
import { useCsvDownload } from '../orders/csv-download';
import { PRODUCTS_PAGE_SIZE, toProductsQuery } from './products-search';

const EXPORT_PATH = '/api/v1/admin/products/export.csv';

type AdminProduct = components['schemas']['AdminProduct'];
const route = getRouteApi('/admin/products');
const helper = createColumnHelper<AdminTableFeatures, AdminProduct>();
const columns = helper.columns([
  helper.display({
    id: 'image',
    header: 'Image',
    cell: ({ row }) =>
      row.original.imageUrl ? (
        <img
          src={row.original.imageUrl}
          alt=""
          className="h-10 w-10 rounded object-cover"
          loading="lazy"
        />
      ) : (
        <span className="block h-10 w-10 rounded bg-slate-100" />
      ),
  }),
  helper.accessor('name', {
    header: 'Product',
    cell: (info) => (
      <Link
        to="/admin/products/$productId"
        params={{ productId: info.row.original.id }}
        className="font-medium text-indigo-700 hover:underline"
      >
        {info.getValue()}
      </Link>
    ),
  }),
  helper.accessor('sku', { header: 'SKU' }),
  helper.accessor('price', {
    header: 'Price',
    cell: (info) => <Money amount={info.getValue()} currency={info.row.original.currency} />,
  }),
  helper.accessor('stock', {
    header: 'Stock',
    cell: (info) => <span className="tabular-nums">{info.getValue()}</span>,
  }),
  helper.accessor('active', {
    header: 'State',
    cell: (info) =>
      info.getValue() ? <Badge tone="success">Active</Badge> : <Badge>Archived</Badge>,
  }),
]);

/** The catalog as admins manage it: search, archived products on request, paging in the URL. */
export function ProductsPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const products = $api.useQuery(
    'get',
    '/api/v1/admin/products',
    { params: { query: toProductsQuery(search) } },
    { placeholderData: keepPreviousData },
  );
  const exportCsv = useCsvDownload();
  return (
    <Page
      title="Products"
      actions={
        <>
          <Button
            variant="secondary"
            busy={exportCsv.isPending}
            onClick={() => exportCsv.mutate(EXPORT_PATH)}
          >
            Export CSV
          </Button>
          <Link to="/admin/products/import" className={buttonClass('secondary')}>
            Import products
          </Link>
          <Link to="/admin/products/new" className={buttonClass('primary')}>
            New product
          </Link>
        </>
      }
    >
      {exportCsv.isError && <ProblemAlert error={exportCsv.error} title="Export failed" />}
      <FilterBar
        key={JSON.stringify(search)}
        label="Search products"
        onSubmit={(form) =>
          void navigate({
            search: {
              q: formText(form, 'q'),
              archived: form.get('archived') === 'on' ? true : undefined,
            },
          })
        }
        onReset={search.q || search.archived ? () => void navigate({ search: {} }) : undefined}
      >
        <Field label="Search by name or SKU" className="w-full sm:w-72">
          {(props) => <Input {...props} name="q" type="search" defaultValue={search.q ?? ''} />}
        </Field>
        <label className="flex items-center gap-2 pb-2 text-sm text-slate-700">
          <input
            type="checkbox"
            name="archived"
            className="h-4 w-4"
            defaultChecked={search.archived === true}
          />
          Include archived
        </label>
      </FilterBar>
      {products.isPending ? (
        <Loading label="Loading products…" />
      ) : products.isError ? (
        <AdminProblem error={products.error} title="The products could not be loaded" />
      ) : (
        <div className="space-y-3">
          <DataTable
            caption="Products"
            columns={columns}
            data={products.data.items}
            getRowId={(p) => p.id}
            empty={
              <NothingHere title="No products match">
                {search.q ? 'Try another search.' : 'Create the first product.'}
              </NothingHere>
            }
          />
          <Pager
            page={search.page ?? 1}
            pageSize={PRODUCTS_PAGE_SIZE}
            total={products.data.total}
            noun="products"
            onPage={(page) => void navigate({ search: { ...search, page } })}
          />
        </div>
      )}
    </Page>
  );
}

import { getRouteApi, Link } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { $api } from '../../api/client';
import {
  Button,
  buttonClass,
  cn,
  EmptyState,
  Field,
  Input,
  Money,
  Page,
  ProblemAlert,
  Select,
} from '../../ui';
import { pathTo } from '../../api/category-tree';
import { AddToCartButton } from '../cart/add-to-cart-button';
import { ProductImage } from '../product/product-image';
import { StockBadge } from '../product/stock-badge';
import {
  keptPriceText,
  pageCount,
  priceFromText,
  priceText,
  sortOptions,
  toProductQuery,
  type CatalogSearch,
} from './catalog-search';
import { CategoryNav } from './category-nav';

const route = getRouteApi('/shop/');

/** A tile's image width: two columns, three from xl, beside the 16rem filters from lg. */
const TILE_SIZES =
  '(min-width: 1280px) 245px, (min-width: 1024px) calc(50vw - 12rem), calc(50vw - 3rem)';
/** The tiles in view on first load, whose images are the page's largest paint. */
const FIRST_ROW = 3;

export function CatalogPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const products = $api.useQuery('get', '/api/v1/products', {
    params: { query: toProductQuery(search) },
  });
  const currency = products.data?.items[0]?.currency ?? 'USD';
  // The same query as the navigation's, so it is one request.
  const categories = $api.useQuery('get', '/api/v1/categories');
  const path = search.category ? pathTo(categories.data ?? [], search.category) : [];
  const category = path[path.length - 1];
  const setSearch = (change: Partial<CatalogSearch>) =>
    void navigate({ search: (prev) => ({ ...prev, page: undefined, ...change }) });

  return (
    <Page title="Shop" documentTitle="Shop">
      {/* The category navigation arrives with its own request, after the first paint: it goes
          where its arrival moves nothing, below the filters beside the products (lg), and
          after the products on a phone. */}
      <div className="grid gap-6 lg:grid-cols-[16rem_1fr] lg:grid-rows-[auto_1fr]">
        <div className="lg:self-start">
          <Filters search={search} currency={currency} onChange={setSearch} />
        </div>
        <section
          aria-label="Products"
          className="space-y-4 lg:col-start-2 lg:row-span-2 lg:row-start-1"
        >
          {products.isPending ? (
            <CatalogSkeleton />
          ) : products.isError ? (
            <ProblemAlert
              error={products.error}
              title="The catalog could not be loaded"
              action={
                <Button variant="secondary" onClick={() => void products.refetch()}>
                  Try again
                </Button>
              }
            />
          ) : products.data.items.length === 0 ? (
            <EmptyState
              title="No products match"
              action={
                <Link to="/" search={{}} className={buttonClass('secondary')}>
                  Clear filters
                </Link>
              }
            >
              Try another search or a wider price range.
            </EmptyState>
          ) : (
            <>
              <p className="text-sm text-slate-600" aria-live="polite">
                {products.data.total} {products.data.total === 1 ? 'product' : 'products'}
                {search.q ? ` for “${search.q}”` : ''}
                {category ? ` in ${category.name}` : ''}
              </p>
              <ul className="grid grid-cols-2 gap-3 sm:gap-4 xl:grid-cols-3">
                {products.data.items.map((product, index) => (
                  <li key={product.id} className={tile}>
                    <Link
                      to="/products/$productId"
                      params={{ productId: product.id }}
                      state={{ catalogSearch: search }}
                      className="group flex flex-1 flex-col gap-2"
                    >
                      <ProductImage
                        product={product}
                        sizes={TILE_SIZES}
                        alt=""
                        priority={index < FIRST_ROW}
                      />
                      <span className="font-medium text-slate-900 group-hover:text-indigo-700 group-hover:underline">
                        {product.name}
                      </span>
                    </Link>
                    <div className="mt-2 flex flex-wrap items-center justify-between gap-1">
                      <span className="font-semibold">
                        <Money amount={product.price} currency={product.currency} />
                      </span>
                      <StockBadge stock={product.stock} />
                    </div>
                    <AddToCartButton product={product} className="mt-3" />
                  </li>
                ))}
              </ul>
              <Pagination
                page={products.data.page}
                pages={pageCount(products.data.total, products.data.pageSize)}
              />
            </>
          )}
        </section>
        <div className="lg:col-start-1 lg:row-start-2 lg:self-start">
          <CategoryNav current={search.category} path={path} />
        </div>
      </div>
    </Page>
  );
}

const tile = 'flex flex-col rounded-lg border border-slate-200 bg-white p-3 shadow-sm';

/**
 * The grid's shape while the catalog loads, tile for tile, so the page does not move when the
 * products arrive (the largest layout shift Lighthouse saw on the home page).
 */
function CatalogSkeleton() {
  const bar = 'rounded bg-slate-100';
  return (
    <>
      <p className="h-5 text-sm text-slate-600" role="status">
        Loading products…
      </p>
      <ul aria-hidden="true" className="grid grid-cols-2 gap-3 sm:gap-4 xl:grid-cols-3">
        {Array.from({ length: FIRST_ROW * 2 }, (_, index) => (
          <li key={index} className={tile}>
            <div className="flex flex-1 flex-col gap-2">
              <div className="aspect-[4/3] w-full rounded-md bg-slate-100" />
              <div className={`${bar} h-6 w-3/4`} />
            </div>
            <div className={`${bar} mt-2 h-6 w-1/2`} />
            <div className={`${bar} mt-3 h-9`} />
            <div className="mt-1 min-h-4" />
          </li>
        ))}
      </ul>
    </>
  );
}

function Filters({
  search,
  currency,
  onChange,
}: {
  search: CatalogSearch;
  currency: string;
  onChange: (change: Partial<CatalogSearch>) => void;
}) {
  const [q, setQ] = useState(search.q ?? '');
  const [min, setMin] = useState(priceText(search.minPrice, currency));
  const [max, setMax] = useState(priceText(search.maxPrice, currency));
  // On a phone the filters wait behind a button, so the products are what the page opens on.
  const [open, setOpen] = useState(false);
  // The URL changed (a filter, the back button, Clear filters): take what it says, keeping
  // text typed here that still means the same.
  const url = JSON.stringify(search);
  const [seen, setSeen] = useState(url);
  if (seen !== url) {
    setSeen(url);
    if ((q.trim() || undefined) !== search.q) setQ(search.q ?? '');
    setMin(keptPriceText(min, search.minPrice, currency));
    setMax(keptPriceText(max, search.maxPrice, currency));
  }
  // Every change carries what is typed, so ticking "In stock only" or sorting keeps the prices.
  const typed = (): Partial<CatalogSearch> => ({
    q: q.trim() || undefined,
    minPrice: priceFromText(min, currency),
    maxPrice: priceFromText(max, currency),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChange(typed());
  };
  const active = [search.q, search.minPrice, search.maxPrice, search.inStock].filter(
    (value) => value !== undefined,
  ).length;

  return (
    <div className="lg:self-start">
      <button
        type="button"
        aria-expanded={open}
        aria-controls="catalog-filters"
        onClick={() => setOpen(!open)}
        className={buttonClass('secondary', 'w-full lg:hidden')}
      >
        Filters{active > 0 ? ` (${active})` : ''}
      </button>
      <form
        id="catalog-filters"
        role="search"
        aria-label="Filter products"
        onSubmit={submit}
        className={cn(
          'mt-3 space-y-4 rounded-lg border border-slate-200 bg-white p-4 shadow-sm lg:mt-0 lg:block',
          !open && 'hidden',
        )}
      >
        <Field label="Search">
          {(props) => (
            <Input
              {...props}
              type="search"
              name="q"
              value={q}
              placeholder="Name, description or SKU"
              onChange={(e) => setQ(e.target.value)}
            />
          )}
        </Field>
        <fieldset className="grid grid-cols-2 gap-2">
          <legend className="col-span-2 mb-1 text-sm font-medium text-slate-700">
            Price range ({currency})
          </legend>
          <Field label="Min price">
            {(props) => (
              <Input
                {...props}
                inputMode="decimal"
                name="minPrice"
                value={min}
                onChange={(e) => setMin(e.target.value)}
              />
            )}
          </Field>
          <Field label="Max price">
            {(props) => (
              <Input
                {...props}
                inputMode="decimal"
                name="maxPrice"
                value={max}
                onChange={(e) => setMax(e.target.value)}
              />
            )}
          </Field>
        </fieldset>
        <div className="flex items-center gap-2">
          <input
            id="in-stock"
            type="checkbox"
            className="h-4 w-4 rounded border-slate-300 accent-indigo-600"
            checked={search.inStock ?? false}
            onChange={(e) => onChange({ ...typed(), inStock: e.target.checked ? true : undefined })}
          />
          <label htmlFor="in-stock" className="text-sm text-slate-700">
            In stock only
          </label>
        </div>
        <Field label="Sort by">
          {(props) => (
            <Select
              {...props}
              value={search.sort ?? '-createdAt'}
              onChange={(e) =>
                onChange({ ...typed(), sort: e.target.value as CatalogSearch['sort'] })
              }
            >
              {sortOptions.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Button type="submit" className="w-full">
          Search
        </Button>
      </form>
    </div>
  );
}

function Pagination({ page, pages }: { page: number; pages: number }) {
  if (pages <= 1) return null;
  const link = 'rounded-md border border-slate-300 bg-white px-3 py-2 text-sm hover:bg-slate-50';
  return (
    <nav aria-label="Pages" className="flex items-center justify-between gap-2">
      {page > 1 ? (
        <Link to="/" search={(prev) => ({ ...prev, page: page - 1 })} className={link}>
          Previous page
        </Link>
      ) : (
        <span />
      )}
      <span className="text-sm text-slate-600">
        Page {page} of {pages}
      </span>
      {page < pages ? (
        <Link to="/" search={(prev) => ({ ...prev, page: page + 1 })} className={link}>
          Next page
        </Link>
      ) : (
        <span />
      )}
    </nav>
  );
}

import { keepPreviousData } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useId, useState, type FormEvent } from 'react';
import { $api } from '../../api/client';
import type { Product } from '../../api/types';
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
import { listImageUrl, ProductImage } from '../product/product-image';
import { StockBadge } from '../product/stock-badge';
import {
  initialSelection,
  pictureVariant,
  priceRange,
  selectionFromFilter,
} from '../product/variant-choice';
import {
  keptPriceText,
  optionFilters,
  pageCount,
  priceFromText,
  priceText,
  sortOptions,
  toggleOption,
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
  // The options to filter by (Size, Colour…) among the category's products. Until they are
  // in, the category navigation waits below them, so their arrival moves nothing on screen.
  const facets = $api.useQuery(
    'get',
    '/api/v1/product-options',
    { params: { query: search.category ? { category: search.category } : {} } },
    { placeholderData: keepPreviousData },
  );
  const chosenOptions = optionFilters(search);
  const setSearch = (change: Partial<CatalogSearch>) =>
    void navigate({ search: (prev) => ({ ...prev, page: undefined, ...change }) });

  return (
    <Page title="Shop" documentTitle="Shop">
      {/* The category navigation arrives with its own request, after the first paint: it goes
          where its arrival moves nothing, below the filters beside the products (lg), and
          after the products on a phone. */}
      <div className="grid gap-6 lg:grid-cols-[16rem_1fr] lg:grid-rows-[auto_1fr]">
        <div className="lg:self-start">
          <Filters
            search={search}
            currency={currency}
            facets={facets.data ?? []}
            onChange={setSearch}
          />
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
                      search={selectionFromFilter(product, chosenOptions)}
                      state={{ catalogSearch: search }}
                      className="group flex flex-1 flex-col gap-2"
                    >
                      <ProductImage
                        product={tilePicture(product, chosenOptions)}
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
                        {/* A product whose variants differ in price shows its lowest. */}
                        {priceRange(product).max > product.price && 'From '}
                        <Money amount={product.price} currency={product.currency} />
                      </span>
                      <StockBadge stock={product.stock} />
                    </div>
                    {product.options.length > 0 ? (
                      <div className="mt-3">
                        <Link
                          to="/products/$productId"
                          params={{ productId: product.id }}
                          search={selectionFromFilter(product, chosenOptions)}
                          state={{ catalogSearch: search }}
                          aria-label={`Choose options: ${product.name}`}
                          className={buttonClass('secondary', 'w-full')}
                        >
                          Choose options
                        </Link>
                        <p className="mt-1 min-h-4 text-xs text-slate-600">
                          {product.options.map((o) => `${o.name} (${o.values.length})`).join(', ')}
                        </p>
                      </div>
                    ) : (
                      <AddToCartButton product={product} className="mt-3" />
                    )}
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
          {!facets.isPending && <CategoryNav current={search.category} path={path} />}
        </div>
      </div>
    </Page>
  );
}

/**
 * A tile's picture: with option values filtered, the image of the variant they choose (a blue
 * T-shirt for Colour Blue), else the product's first.
 */
function tilePicture(
  product: Product,
  filter: readonly { name: string; value: string }[],
): Pick<Product, 'name' | 'imageUrl' | 'images'> {
  if (product.options.length === 0 || filter.length === 0) return product;
  const chosen = selectionFromFilter(product, filter);
  if (Object.keys(chosen).length === 0) return product;
  const selection = initialSelection(product, chosen);
  const imageId = pictureVariant(product, selection)?.imageId;
  const image = product.images.find((i) => i.id === imageId);
  return image ? { name: product.name, imageUrl: listImageUrl(image), images: [image] } : product;
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
  facets,
  onChange,
}: {
  search: CatalogSearch;
  currency: string;
  /** The options to filter by, each with its values. */
  facets: { name: string; values: string[] }[];
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
  const active =
    [search.q, search.minPrice, search.maxPrice, search.inStock].filter(
      (value) => value !== undefined,
    ).length + (search.option?.length ?? 0);

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
        {/* Last in the form: arriving after the rest, it moves nothing already shown. */}
        <OptionFilters
          facets={facets}
          chosen={search.option}
          onToggle={(name, value, on) =>
            onChange({ ...typed(), option: toggleOption(search.option, name, value, on) })
          }
        />
      </form>
    </div>
  );
}

/**
 * A group of checkboxes per option (Size: S, M, L), each applied at once: a product with a
 * variant that has one of the values ticked of each option. A value ticked that the facets do
 * not list (a link from elsewhere) is shown too, so it can be unticked.
 */
function OptionFilters({
  facets,
  chosen,
  onToggle,
}: {
  facets: { name: string; values: string[] }[];
  chosen: string[] | undefined;
  onToggle: (name: string, value: string, on: boolean) => void;
}) {
  const id = useId();
  const ticked = optionFilters({ option: chosen });
  const groups = facets.map((facet) => ({ ...facet, values: [...facet.values] }));
  for (const { name, value } of ticked) {
    const group = groups.find((g) => g.name === name);
    if (!group) groups.push({ name, values: [value] });
    else if (!group.values.includes(value)) group.values.push(value);
  }
  if (groups.length === 0) return null;
  return (
    <div className="space-y-3 border-t border-slate-200 pt-4">
      {groups.map((group, i) => (
        <fieldset key={group.name}>
          <legend className="mb-1 text-sm font-medium text-slate-700">{group.name}</legend>
          <div className="flex flex-wrap gap-x-4 gap-y-1">
            {group.values.map((value, j) => {
              const inputId = `${id}-${i}-${j}`;
              const on = ticked.some((t) => t.name === group.name && t.value === value);
              return (
                <div key={value} className="flex items-center gap-1.5">
                  <input
                    id={inputId}
                    type="checkbox"
                    className="h-4 w-4 rounded border-slate-300 accent-indigo-600"
                    checked={on}
                    onChange={(e) => onToggle(group.name, value, e.target.checked)}
                  />
                  <label htmlFor={inputId} className="text-sm text-slate-700">
                    {value}
                  </label>
                </div>
              );
            })}
          </div>
        </fieldset>
      ))}
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

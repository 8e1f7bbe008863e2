import { getRouteApi, Link, useRouterState } from '@tanstack/react-router';
import { useState } from 'react';
import { $api } from '../../api/client';
import { toProblem } from '../../api/problem';
import {
  buttonClass,
  EmptyState,
  Field,
  Input,
  Loading,
  Money,
  Page,
  ProblemAlert,
} from '../../ui';
import { AddToCartButton } from '../cart/add-to-cart-button';
import { imageSources, ProductImage } from './product-image';
import { StockBadge } from './stock-badge';

const route = getRouteApi('/shop/products/$productId');

/** The photo's width: the page's width on a phone, half of it (at most 1152px) from md. */
const PHOTO_SIZES =
  '(min-width: 1152px) 544px, (min-width: 768px) calc(50vw - 2rem), calc(100vw - 2rem)';

export function ProductPage() {
  const { productId } = route.useParams();
  const product = $api.useQuery('get', '/api/v1/products/{id}', {
    params: { path: { id: productId } },
  });
  const [quantity, setQuantity] = useState(1);
  const [shown, setShown] = useState(0);
  // The filters the catalog link carried (history state, so a reload keeps them too).
  const catalogSearch = useRouterState({ select: (s) => s.location.state.catalogSearch }) ?? {};

  if (product.isPending) return <Loading label="Loading product…" />;
  if (product.isError) {
    return toProblem(product.error).status === 404 ? (
      <EmptyState
        title="Product not found"
        action={
          <Link to="/" search={catalogSearch} className={buttonClass('secondary')}>
            Back to the shop
          </Link>
        }
      >
        It may have been removed from the catalog.
      </EmptyState>
    ) : (
      <ProblemAlert error={product.error} title="The product could not be loaded" />
    );
  }
  const p = product.data;
  const images = p.images.length > 0 ? p.images : [];
  const current = images[shown];

  return (
    <div className="space-y-4">
      <Link to="/" search={catalogSearch} className="text-sm text-indigo-700 hover:underline">
        ← Back to the shop
      </Link>
      <Page title={p.name}>
        <div className="grid gap-8 md:grid-cols-2">
          <div className="space-y-3">
            {current ? (
              <img
                {...imageSources(current)}
                sizes={PHOTO_SIZES}
                alt={p.name}
                fetchPriority="high"
                className="aspect-[4/3] w-full rounded-lg bg-slate-100 object-contain"
              />
            ) : (
              <ProductImage product={p} sizes={PHOTO_SIZES} priority />
            )}
            {images.length > 1 && (
              <ul className="flex gap-2" aria-label="More photos">
                {images.map((image, index) => (
                  <li key={image.url}>
                    <button
                      type="button"
                      onClick={() => setShown(index)}
                      aria-label={`Show photo ${index + 1} of ${images.length}`}
                      aria-pressed={index === shown}
                      className="block h-16 w-16 overflow-hidden rounded-md border border-slate-300 aria-pressed:ring-2 aria-pressed:ring-indigo-600"
                    >
                      <img
                        {...imageSources(image)}
                        sizes="64px"
                        alt=""
                        className="h-full w-full object-contain"
                      />
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
          <div className="space-y-4">
            <p className="text-2xl font-semibold">
              <Money amount={p.price} currency={p.currency} />
            </p>
            <div className="flex items-center gap-3">
              <StockBadge stock={p.stock} />
              <span className="text-xs text-slate-500">SKU {p.sku}</span>
            </div>
            {p.categories.length > 0 && (
              <div className="flex flex-wrap items-baseline gap-x-2 text-sm">
                <h2 id="product-categories" className="text-slate-600">
                  Categories:
                </h2>
                <ul aria-labelledby="product-categories" className="flex flex-wrap gap-x-3">
                  {p.categories.map((category) => (
                    <li key={category.id}>
                      <Link
                        to="/"
                        search={{ category: category.slug }}
                        className="text-indigo-700 hover:underline"
                      >
                        {category.name}
                      </Link>
                    </li>
                  ))}
                </ul>
              </div>
            )}
            <p className="whitespace-pre-line text-slate-700">{p.description}</p>
            {p.stock > 0 && (
              <Field label="Quantity" className="max-w-32">
                {(props) => (
                  <Input
                    {...props}
                    type="number"
                    min={1}
                    max={p.stock}
                    value={quantity}
                    onChange={(e) =>
                      setQuantity(Math.max(1, Math.min(p.stock, Number(e.target.value) || 1)))
                    }
                  />
                )}
              </Field>
            )}
            <AddToCartButton product={p} quantity={quantity} className="max-w-xs" />
            <Link to="/cart" className="inline-block text-sm text-indigo-700 hover:underline">
              Go to cart
            </Link>
          </div>
        </div>
      </Page>
    </div>
  );
}

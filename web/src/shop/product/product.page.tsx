import { getRouteApi, Link, useRouterState } from '@tanstack/react-router';
import { useId, useState } from 'react';
import { $api } from '../../api/client';
import { toProblem } from '../../api/problem';
import type { Product } from '../../api/types';
import {
  Badge,
  buttonClass,
  cn,
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
import {
  availabilityOf,
  initialSelection,
  pictureVariant,
  priceRange,
  valueAvailability,
  variantFor,
  type Availability,
  type Selection,
} from './variant-choice';

const route = getRouteApi('/shop/products/$productId');

/** The photo's width: the page's width on a phone, half of it (at most 1152px) from md. */
const PHOTO_SIZES =
  '(min-width: 1152px) 544px, (min-width: 768px) calc(50vw - 2rem), calc(100vw - 2rem)';

export function ProductPage() {
  const { productId } = route.useParams();
  // The chosen option values, by option name (?Size=M&Colour=Red): shareable, kept on reload.
  const wanted = route.useSearch();
  const navigate = route.useNavigate();
  const product = $api.useQuery('get', '/api/v1/products/{id}', {
    params: { path: { id: productId } },
  });
  const [quantity, setQuantity] = useState(1);
  // A photo the person picked, for the variant it was picked on; another variant shows its own.
  const [picked, setPicked] = useState<{ variantId: string | undefined; index: number }>();
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
  const hasOptions = p.options.length > 0;
  const selection = initialSelection(p, wanted);
  const variant = variantFor(p, selection);
  const availability = availabilityOf(variant);
  const stock = availability === 'available' ? variant!.stock : 0;
  const amount = Math.min(quantity, Math.max(1, stock));
  const images = p.images;
  const pictured = pictureVariant(p, selection);
  const variantImage = images.findIndex((image) => image.id === pictured?.imageId);
  const shown =
    picked && picked.variantId === variant?.id ? picked.index : Math.max(0, variantImage);
  const current = images[shown];
  // Each choice replaces the page's entry: Back leaves the product as it came, a reload or a
  // shared link opens on the choice, and the catalog's filters (history state) stay.
  const choose = (name: string, value: string) =>
    void navigate({
      search: { ...selection, [name]: value },
      replace: true,
      resetScroll: false,
      state: true,
    });

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
                alt={variant?.title ? `${p.name}, ${variant.title}` : p.name}
                fetchPriority="high"
                className="aspect-[4/3] w-full rounded-lg bg-slate-100 object-contain"
              />
            ) : (
              <ProductImage product={p} sizes={PHOTO_SIZES} priority />
            )}
            {images.length > 1 && (
              <ul className="flex flex-wrap gap-2" aria-label="More photos">
                {images.map((image, index) => (
                  <li key={image.url}>
                    <button
                      type="button"
                      onClick={() => setPicked({ variantId: variant?.id, index })}
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
            {/* What the choice comes to, read out when it changes. */}
            <div aria-live="polite" className="space-y-2">
              <p className="text-2xl font-semibold">
                {variant ? (
                  <Money amount={variant.price} currency={p.currency} />
                ) : (
                  <PriceFrom product={p} />
                )}
              </p>
              <div className="flex flex-wrap items-center gap-3">
                {availability === 'unavailable' ? (
                  <Badge tone="neutral">Unavailable</Badge>
                ) : (
                  <StockBadge stock={variant!.stock} />
                )}
                {variant && <span className="text-xs text-slate-600">SKU {variant.sku}</span>}
              </div>
              {hasOptions && availability !== 'available' && (
                <p className="text-sm text-slate-700">
                  {availability === 'unavailable'
                    ? `${Object.values(selection).join(' / ')} is not sold. Choose another ${
                        p.options.length > 1 ? 'combination' : p.options[0]!.name.toLowerCase()
                      }.`
                    : `${variant!.title} is sold out for now.`}
                </p>
              )}
            </div>
            {hasOptions && <OptionPicker product={p} selection={selection} onChoose={choose} />}
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
            {stock > 0 && (
              <Field label="Quantity" className="max-w-32">
                {(props) => (
                  <Input
                    {...props}
                    type="number"
                    min={1}
                    max={stock}
                    value={amount}
                    onChange={(e) =>
                      setQuantity(Math.max(1, Math.min(stock, Number(e.target.value) || 1)))
                    }
                  />
                )}
              </Field>
            )}
            <AddToCartButton product={p} variant={variant} quantity={amount} className="max-w-xs" />
            <Link to="/cart" className="inline-block text-sm text-indigo-700 hover:underline">
              Go to cart
            </Link>
          </div>
        </div>
      </Page>
    </div>
  );
}

/** The price of a product whose chosen combination is not sold: its range. */
function PriceFrom({ product }: { product: Product }) {
  const { min, max } = priceRange(product);
  return min === max ? (
    <Money amount={min} currency={product.currency} />
  ) : (
    <>
      From <Money amount={min} currency={product.currency} />
    </>
  );
}

const availabilityNote: Record<Exclude<Availability, 'available'>, string> = {
  'sold-out': 'Sold out',
  unavailable: 'Not sold',
};

/**
 * One group of radio buttons per option, named by the option (`Size`), each value a button
 * named by the value (`M`). A value that makes, with the other choices, a combination sold out
 * or not sold is struck through and says so in words (its description, too); it can still be
 * chosen, so the other options can be changed from it, and the page says what it comes to.
 */
function OptionPicker({
  product,
  selection,
  onChoose,
}: {
  product: Product;
  selection: Selection;
  onChoose: (name: string, value: string) => void;
}) {
  const id = useId();
  return (
    <div className="space-y-4">
      {product.options.map((option, i) => {
        const legendId = `${id}-${i}`;
        return (
          <fieldset key={option.name} role="radiogroup" aria-labelledby={legendId}>
            <legend id={legendId} className="mb-2 text-sm font-medium text-slate-800">
              {option.name}
            </legend>
            <div className="flex flex-wrap gap-2">
              {option.values.map((value, j) => {
                const state = valueAvailability(product, selection, option.name, value);
                const noteId = `${id}-${i}-${j}-note`;
                const chosen = selection[option.name] === value;
                return (
                  <label
                    key={value}
                    className={cn(
                      'relative flex min-h-11 min-w-12 flex-col items-center justify-center rounded-md border px-3 py-1.5 text-sm font-medium',
                      'has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-indigo-500 has-[:focus-visible]:ring-offset-2',
                      chosen
                        ? 'border-indigo-700 bg-indigo-700 text-white'
                        : 'border-slate-300 bg-white text-slate-900 hover:border-slate-500',
                      !chosen && state !== 'available' && 'border-dashed text-slate-600',
                    )}
                  >
                    <input
                      type="radio"
                      name={`${id}-option-${i}`}
                      value={value}
                      checked={chosen}
                      onChange={() => onChoose(option.name, value)}
                      aria-label={value}
                      aria-describedby={state === 'available' ? undefined : noteId}
                      // Over the whole button, unseen: a click anywhere on it is the radio's.
                      className="absolute inset-0 m-0 h-full w-full cursor-pointer appearance-none rounded-md opacity-0"
                    />
                    <span className={cn(state !== 'available' && 'line-through')}>{value}</span>
                    {state !== 'available' && (
                      <span id={noteId} className="text-[11px] font-normal leading-tight">
                        {availabilityNote[state]}
                      </span>
                    )}
                  </label>
                );
              })}
            </div>
          </fieldset>
        );
      })}
    </div>
  );
}

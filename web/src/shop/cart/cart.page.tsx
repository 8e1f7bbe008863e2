import { Link, useNavigate } from '@tanstack/react-router';
import { useSession } from '../../api/session';
import type { Quote } from '../../api/types';
import {
  Alert,
  Button,
  buttonClass,
  Card,
  EmptyState,
  Input,
  Money,
  Page,
  ProblemAlert,
  Spinner,
} from '../../ui';
import { ProductImage } from '../product/product-image';
import { lineKey, lineLabel, orderableLines, removeLine, setQuantity, type CartLine } from './cart';
import { updateCart, useCart } from './cart-store';
import { usePromoCode } from './promo-store';
import { PromoCodeForm, QuoteTotals } from './quote-summary';
import { issueFor, quoteStockIssues, type StockIssue } from './stock-issues';
import { guestsRefused, useQuote } from './use-quote';

export function CartPage() {
  const cart = useCart();
  const promoCode = usePromoCode();
  const session = useSession();
  // Each line's known stock, and the variant of a line stored before variants, are kept current
  // from the quote (useQuote), so quantity changes are checked against them.
  const quote = useQuote(cart, promoCode);
  const navigate = useNavigate();
  const issues = quote.data ? quoteStockIssues(quote.data) : [];
  const needOptions = cart.filter((line) => line.needsOptions).length;
  const orderable = orderableLines(cart).length > 0;

  if (cart.length === 0) {
    return (
      <Page title="Your cart">
        <EmptyState
          title="Your cart is empty"
          action={
            <Link to="/" className={buttonClass('primary')}>
              Browse the shop
            </Link>
          }
        >
          Add products from the shop and they will wait here, even if you close the page.
        </EmptyState>
      </Page>
    );
  }

  return (
    <Page title="Your cart">
      <div className="grid gap-6 lg:grid-cols-[1fr_22rem]">
        <Card>
          <ul className="divide-y divide-slate-100" aria-label="Cart lines">
            {cart.map((line) => (
              <CartLineRow
                key={lineKey(line)}
                line={line}
                quote={quote.data}
                issue={line.needsOptions ? undefined : issueFor(issues, line)}
              />
            ))}
          </ul>
        </Card>
        <Card title="Summary" className="lg:self-start">
          {session.status !== 'signed-in' && quote.isError && guestsRefused(quote.error) ? (
            <div className="space-y-3">
              <p className="text-sm text-slate-600">
                Log in to see your total with shipping and any promo code, and to check out.
              </p>
              <Link
                to="/login"
                search={{ redirect: '/cart' }}
                className={buttonClass('primary', 'w-full')}
              >
                Log in to check out
              </Link>
              <Link
                to="/register"
                search={{ redirect: '/cart' }}
                className={buttonClass('secondary', 'w-full')}
              >
                Register
              </Link>
            </div>
          ) : (
            <div className="space-y-4">
              {!orderable ? (
                <p className="text-sm text-slate-600">Nothing in your cart can be ordered yet.</p>
              ) : quote.isPending ? (
                <Spinner label="Pricing your cart…" />
              ) : quote.isError ? (
                <ProblemAlert error={quote.error} title="Your cart could not be priced" />
              ) : (
                <QuoteTotals quote={quote.data} />
              )}
              <PromoCodeForm quote={quote.data} />
              {issues.length > 0 && (
                <Alert tone="warning" title="Some items are short of stock">
                  Change the quantities marked above to continue.
                </Alert>
              )}
              {needOptions > 0 && (
                <Alert tone="warning" title="Choose options to continue">
                  {needOptions === 1 ? 'An item' : `${needOptions} items`} in your cart now
                  {needOptions === 1 ? ' comes' : ' come'} in options: choose them on the
                  product&rsquo;s page, or remove {needOptions === 1 ? 'it' : 'them'}.
                </Alert>
              )}
              <Button
                className="w-full"
                disabled={
                  !orderable ||
                  !quote.data ||
                  quote.isError ||
                  issues.length > 0 ||
                  needOptions > 0 ||
                  quote.isFetching
                }
                onClick={() => void navigate({ to: '/checkout' })}
              >
                Checkout
              </Button>
              {session.status === 'signed-out' && (
                <p className="text-sm text-slate-600">
                  No account needed: check out as a guest.{' '}
                  <Link
                    to="/login"
                    search={{ redirect: '/cart' }}
                    className="font-medium text-indigo-700 underline"
                  >
                    Log in
                  </Link>{' '}
                  to use your saved addresses.
                </p>
              )}
            </div>
          )}
        </Card>
      </div>
    </Page>
  );
}

function CartLineRow({
  line,
  quote,
  issue,
}: {
  line: CartLine;
  quote: Quote | undefined;
  issue: StockIssue | undefined;
}) {
  const key = lineKey(line);
  const priced = line.needsOptions
    ? undefined
    : quote?.lines.find((l) =>
        line.variantId === undefined
          ? l.productId === line.productId
          : l.variantId === line.variantId,
      );
  const currency = quote?.currency ?? line.currency;
  const inputId = `qty-${key.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const title = priced?.variantTitle ?? line.variantTitle;
  const label = lineLabel({ name: priced?.name ?? line.name, variantTitle: title });
  return (
    <li className="flex gap-3 py-4">
      <div className="w-20 shrink-0 sm:w-24">
        <ProductImage
          product={{ name: line.name, imageUrl: line.imageUrl, images: [] }}
          sizes="6rem"
          alt=""
        />
      </div>
      <div className="flex min-w-0 flex-1 flex-col gap-2">
        <div className="flex flex-wrap items-start justify-between gap-2">
          <div className="min-w-0">
            <Link
              to="/products/$productId"
              params={{ productId: line.productId }}
              search={line.options ?? {}}
              className="font-medium text-slate-900 hover:underline"
            >
              {priced?.name ?? line.name}
            </Link>
            {title && <p className="text-sm text-slate-700">{title}</p>}
          </div>
          {!line.needsOptions && (
            <span className="font-semibold">
              {/* Before the discount: the summary takes the discount off the subtotal once. */}
              <Money amount={priced?.subtotal ?? line.price * line.quantity} currency={currency} />
            </span>
          )}
        </div>
        {line.needsOptions ? (
          <p role="alert" className="text-sm text-amber-900">
            This product now comes in options.{' '}
            <Link
              to="/products/$productId"
              params={{ productId: line.productId }}
              className="font-medium underline"
            >
              Choose options<span className="sr-only"> for {line.name}</span>
            </Link>
          </p>
        ) : (
          <p className="text-sm text-slate-600">
            <Money amount={priced?.unitPrice ?? line.price} currency={currency} /> each
          </p>
        )}
        <div className="flex flex-wrap items-end gap-3">
          {!line.needsOptions && (
            <div className="w-20">
              <label htmlFor={inputId} className="block text-xs font-medium text-slate-700">
                Quantity<span className="sr-only"> of {label}</span>
              </label>
              <Input
                id={inputId}
                type="number"
                min={1}
                max={Math.max(1, line.stock)}
                value={line.quantity}
                aria-describedby={issue ? `${inputId}-issue` : undefined}
                onChange={(e) => {
                  const value = Number(e.target.value);
                  if (value >= 1) updateCart((c) => setQuantity(c, key, value));
                }}
              />
            </div>
          )}
          <Button variant="ghost" onClick={() => updateCart((c) => removeLine(c, key))}>
            Remove<span className="sr-only"> {label}</span>
          </Button>
        </div>
        {issue && (
          <div
            id={`${inputId}-issue`}
            role="alert"
            className="flex flex-wrap items-center gap-2 text-sm text-red-700"
          >
            <span>{issue.message}</span>
            {issue.available > 0 && (
              <button
                type="button"
                className="font-medium underline"
                onClick={() => updateCart((c) => setQuantity(c, key, issue.available))}
              >
                Use {issue.available}
              </button>
            )}
          </div>
        )}
      </div>
    </li>
  );
}

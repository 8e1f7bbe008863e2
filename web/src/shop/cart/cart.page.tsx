import { Link, useNavigate } from '@tanstack/react-router';
import { useEffect } from 'react';
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
import { removeLine, setQuantity, updateStock, type CartLine } from './cart';
import { updateCart, useCart } from './cart-store';
import { usePromoCode } from './promo-store';
import { PromoCodeForm, QuoteTotals } from './quote-summary';
import { issuesByProduct, quoteStockIssues, type StockIssue } from './stock-issues';
import { useQuote } from './use-quote';

export function CartPage() {
  const cart = useCart();
  const promoCode = usePromoCode();
  const session = useSession();
  const quote = useQuote(cart, promoCode);
  const navigate = useNavigate();
  const issues = quote.data ? quoteStockIssues(quote.data) : [];
  const byProduct = issuesByProduct(issues);

  // Keep each line's known stock current, so quantity changes are checked against it.
  const lines = quote.data?.lines;
  useEffect(() => {
    if (lines)
      updateCart((c) =>
        updateStock(c, Object.fromEntries(lines.map((l) => [l.productId, l.available]))),
      );
  }, [lines]);

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
                key={line.productId}
                line={line}
                quote={quote.data}
                issue={byProduct.get(line.productId)}
              />
            ))}
          </ul>
        </Card>
        <Card title="Summary" className="lg:self-start">
          {session.status !== 'signed-in' ? (
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
              {quote.isPending ? (
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
              <Button
                className="w-full"
                disabled={!quote.data || quote.isError || issues.length > 0 || quote.isFetching}
                onClick={() => void navigate({ to: '/checkout' })}
              >
                Checkout
              </Button>
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
  const priced = quote?.lines.find((l) => l.productId === line.productId);
  const currency = quote?.currency ?? line.currency;
  const inputId = `qty-${line.productId}`;
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
          <Link
            to="/products/$productId"
            params={{ productId: line.productId }}
            className="font-medium text-slate-900 hover:underline"
          >
            {priced?.name ?? line.name}
          </Link>
          <span className="font-semibold">
            {/* Before the discount: the summary takes the discount off the subtotal once. */}
            <Money amount={priced?.subtotal ?? line.price * line.quantity} currency={currency} />
          </span>
        </div>
        <p className="text-sm text-slate-600">
          <Money amount={priced?.unitPrice ?? line.price} currency={currency} /> each
        </p>
        <div className="flex flex-wrap items-end gap-3">
          <div className="w-20">
            <label htmlFor={inputId} className="block text-xs font-medium text-slate-700">
              Quantity
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
                if (value >= 1) updateCart((c) => setQuantity(c, line.productId, value));
              }}
            />
          </div>
          <Button variant="ghost" onClick={() => updateCart((c) => removeLine(c, line.productId))}>
            Remove<span className="sr-only"> {line.name}</span>
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
                onClick={() => updateCart((c) => setQuantity(c, line.productId, issue.available))}
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

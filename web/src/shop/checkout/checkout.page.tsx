import { Link, useNavigate } from '@tanstack/react-router';
import { useForm, type Resolver } from 'react-hook-form';
import { usePlaceOrder } from '../../api/hooks/orders';
import { outOfStockLines } from '../../api/problem';
import { useSession } from '../../api/session';
import {
  Alert,
  Button,
  buttonClass,
  Card,
  EmptyState,
  Field,
  Input,
  Loading,
  Money,
  Page,
  ProblemAlert,
  Select,
} from '../../ui';
import { lineLabel, orderableLines, toOrderItems, updateFromServer } from '../cart/cart';
import { clearCart, updateCart, useCart } from '../cart/cart-store';
import { setPromoCode, usePromoCode } from '../cart/promo-store';
import { PromoCodeForm, QuoteTotals } from '../cart/quote-summary';
import {
  issueFor,
  problemStockIssues,
  quoteStockIssues,
  type StockIssue,
} from '../cart/stock-issues';
import { useQuote } from '../cart/use-quote';
import { SignInPrompt } from '../account/sign-in-prompt';
import type { AddressFormResult, AddressFormValues } from './address-form';
import { countryOptions } from './countries';
import { emptyAddress } from './empty-address';

// Named in the browser's language; the value sent is the ISO code.
const countries = countryOptions();

type AddressResolver = Resolver<AddressFormValues, unknown, AddressFormResult>;

// zod was a third of the checkout's script, evaluated before the page was drawn on a phone
// (Lighthouse's blocking time): the schema loads when the customer first enters a field, or at
// the latest when the form is first checked. The module loader keeps it after the first time.
async function loadAddressResolver(): Promise<AddressResolver> {
  const [{ zodResolver }, { addressSchema }] = await Promise.all([
    import('@hookform/resolvers/zod'),
    import('./address-form'),
  ]);
  return zodResolver(addressSchema);
}

const addressResolver: AddressResolver = async (values, context, options) =>
  (await loadAddressResolver())(values, context, options);

export function CheckoutPage() {
  const session = useSession();
  const cart = useCart();
  const promoCode = usePromoCode();
  const quote = useQuote(cart, promoCode);
  const navigate = useNavigate();
  const placeOrder = usePlaceOrder();
  const error = placeOrder.error;
  const form = useForm<AddressFormValues, unknown, AddressFormResult>({
    resolver: addressResolver,
    defaultValues: emptyAddress(session.user?.name ?? ''),
  });
  const errors = form.formState.errors;

  if (session.status === 'restoring') return <Loading />;
  if (session.status === 'signed-out') {
    return (
      <Page title="Checkout">
        <SignInPrompt title="Log in to check out" redirect="/checkout">
          Your cart is kept while you log in or register.
        </SignInPrompt>
      </Page>
    );
  }
  if (cart.length === 0) {
    return (
      <Page title="Checkout">
        <EmptyState
          title="Your cart is empty"
          action={
            <Link to="/" className={buttonClass('primary')}>
              Browse the shop
            </Link>
          }
        />
      </Page>
    );
  }

  const stockIssues = [
    ...(quote.data ? quoteStockIssues(quote.data) : []),
    ...problemStockIssues(outOfStockLines(error)),
  ];
  // What each issue is about, as the cart shows it: the product and its variant's title.
  const issueLabel = (issue: StockIssue) => {
    const line =
      quote.data?.lines.find((l) => l.variantId === issue.variantId) ??
      cart.find((l) => issueFor([issue], l) !== undefined);
    return line ? lineLabel(line) : 'A product';
  };
  const needOptions = cart.some((line) => line.needsOptions);

  const submit = form.handleSubmit(async (address) => {
    const order = await placeOrder
      .mutateAsync({
        items: toOrderItems(cart),
        ...(promoCode ? { promoCode } : {}),
        shippingAddress: { ...address, line2: address.line2 || undefined },
      })
      .catch((caught: unknown) => {
        // The server says how many are left of each short line: the cart learns it.
        const short = outOfStockLines(caught);
        if (short.length > 0) updateCart((c) => updateFromServer(c, short));
      });
    if (!order) return;
    // Leave the page first: emptied here, the cart would flash "your cart is empty".
    await navigate({ to: '/orders/$orderId', params: { orderId: order.id } });
    clearCart();
    setPromoCode('');
  });

  return (
    <Page title="Checkout">
      <div className="grid gap-6 lg:grid-cols-[1fr_22rem]">
        <Card title="Shipping address">
          <form
            id="checkout"
            onSubmit={(e) => void submit(e)}
            onFocus={() => void loadAddressResolver()}
            noValidate
            className="grid gap-4 sm:grid-cols-2"
          >
            <Field label="Full name" error={errors.name?.message} className="sm:col-span-2">
              {(props) => <Input {...props} autoComplete="name" {...form.register('name')} />}
            </Field>
            <Field label="Address line 1" error={errors.line1?.message} className="sm:col-span-2">
              {(props) => (
                <Input {...props} autoComplete="address-line1" {...form.register('line1')} />
              )}
            </Field>
            <Field
              label="Address line 2 (optional)"
              error={errors.line2?.message}
              className="sm:col-span-2"
            >
              {(props) => (
                <Input {...props} autoComplete="address-line2" {...form.register('line2')} />
              )}
            </Field>
            <Field label="City" error={errors.city?.message}>
              {(props) => (
                <Input {...props} autoComplete="address-level2" {...form.register('city')} />
              )}
            </Field>
            <Field label="Postal code" error={errors.postalCode?.message}>
              {(props) => (
                <Input {...props} autoComplete="postal-code" {...form.register('postalCode')} />
              )}
            </Field>
            <Field label="Country" error={errors.country?.message} className="sm:col-span-2">
              {(props) => (
                <Select {...props} autoComplete="country" {...form.register('country')}>
                  <option value="">Choose the country</option>
                  {countries.map((country) => (
                    <option key={country.code} value={country.code}>
                      {country.name}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
          </form>
        </Card>
        <Card title="Your order" className="lg:self-start">
          <div className="space-y-4">
            <ul className="space-y-1 text-sm" aria-label="Items">
              {(quote.data?.lines ?? []).map((line) => (
                <li key={line.variantId} className="flex justify-between gap-2">
                  <span>
                    {line.quantity} × {line.name}
                    {line.variantTitle && (
                      <span className="block text-slate-600">{line.variantTitle}</span>
                    )}
                  </span>
                  <Money amount={line.subtotal} currency={quote.data?.currency ?? 'USD'} />
                </li>
              ))}
            </ul>
            {orderableLines(cart).length === 0 ? null : quote.isPending ? (
              <Loading label="Pricing your cart…" />
            ) : quote.isError ? (
              <ProblemAlert error={quote.error} title="Your cart could not be priced" />
            ) : (
              <QuoteTotals quote={quote.data} />
            )}
            <PromoCodeForm quote={quote.data} />
            {stockIssues.length > 0 && (
              <Alert tone="error" title="Not enough stock">
                <ul className="list-disc pl-5">
                  {stockIssues.map((issue) => (
                    <li key={issue.variantId ?? issue.productId}>
                      {issueLabel(issue)}: {issue.message}
                    </li>
                  ))}
                </ul>
                <Link to="/cart" className="mt-2 inline-block font-medium underline">
                  Change quantities in the cart
                </Link>
              </Alert>
            )}
            {needOptions && (
              <Alert tone="warning" title="Choose options to continue">
                An item in your cart now comes in options.{' '}
                <Link to="/cart" className="font-medium underline">
                  Choose them in the cart
                </Link>
              </Alert>
            )}
            {placeOrder.isError && outOfStockLines(error).length === 0 && (
              <ProblemAlert error={error} title="The order could not be placed" />
            )}
            <Button
              type="submit"
              form="checkout"
              className="w-full"
              busy={placeOrder.isPending}
              disabled={
                !quote.data || stockIssues.length > 0 || needOptions || placeOrder.isPending
              }
            >
              Place order
            </Button>
            <p className="text-xs text-slate-500">
              Stock is reserved when you place the order; you pay on the next page.
            </p>
          </div>
        </Card>
      </div>
    </Page>
  );
}

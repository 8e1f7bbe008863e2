import { Link, useNavigate } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { useForm, type Resolver } from 'react-hook-form';
import { useAddresses, useSaveAddress } from '../../api/hooks/addresses';
import { usePlaceOrder } from '../../api/hooks/orders';
import { outOfStockLines } from '../../api/problem';
import { useSession } from '../../api/session';
import type { Address, PlaceOrderRequest } from '../../api/types';
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
import { guestsRefused, useQuote } from '../cart/use-quote';
import { SignInPrompt } from '../account/sign-in-prompt';
import { AddressFields } from './address-fields';
import type { AddressFormResult, AddressFormValues } from './address-form';
import { countryName } from './countries';
import { emptyAddress } from './empty-address';
import { regionName } from './regions';

/** The address form's answer: an address, and a guest's email. */
type CheckoutAddress = AddressFormResult & { email?: string };
/** Whether the person checks out as a guest: the form then asks for their email too. */
type CheckoutContext = { guest: boolean };
type CheckoutResolver = Resolver<AddressFormValues, CheckoutContext, CheckoutAddress>;

// zod was a third of the checkout's script, evaluated before the page was drawn on a phone
// (Lighthouse's blocking time): the schema loads when the customer first enters a field, or at
// the latest when the form is first checked. The module loader keeps it after the first time.
const loadSchemas = () =>
  Promise.all([import('@hookform/resolvers/zod'), import('./address-form')]);

const checkoutResolver: CheckoutResolver = async (values, context, options) => {
  const [{ zodResolver }, { addressSchema, guestAddressSchema }] = await loadSchemas();
  return context?.guest
    ? zodResolver(guestAddressSchema)(values, context, options)
    : zodResolver(addressSchema)(values, context, options);
};

/** A saved address on one line, as the choice of where to ship names it. */
const oneLine = (a: Address) =>
  [
    a.name,
    a.line1,
    a.line2,
    `${a.postalCode} ${a.city}`,
    a.region && regionName(a.region),
    countryName(a.country),
  ]
    .filter(Boolean)
    .join(', ');

/** The option of the choice of address that is not a saved one. */
const NEW_ADDRESS = 'new';

export function CheckoutPage() {
  const session = useSession();
  const guest = session.status === 'signed-out';
  const cart = useCart();
  const promoCode = usePromoCode();
  const quote = useQuote(cart, promoCode);
  const addresses = useAddresses();
  const navigate = useNavigate();
  const placeOrder = usePlaceOrder();
  const saveAddress = useSaveAddress();
  const [choice, setChoice] = useState<string | undefined>();
  const [saveNew, setSaveNew] = useState(false);
  const error = placeOrder.error;
  const form = useForm<AddressFormValues, CheckoutContext, CheckoutAddress>({
    resolver: checkoutResolver,
    context: { guest },
    defaultValues: emptyAddress(session.user?.name ?? ''),
  });
  const errors = form.formState.errors;

  if (session.status === 'restoring') return <Loading />;
  if (guest && quote.isError && guestsRefused(quote.error)) {
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

  const saved = guest ? [] : (addresses.data?.items ?? []);
  // The default address until the customer chooses, or a new one when none is saved.
  const chosen = choice ?? saved.find((a) => a.isDefault)?.id ?? saved[0]?.id ?? NEW_ADDRESS;
  const shipToSaved = saved.some((a) => a.id === chosen);
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

  const place = async (
    destination: Pick<PlaceOrderRequest, 'shippingAddress' | 'shippingAddressId' | 'email'>,
  ) => {
    const order = await placeOrder
      .mutateAsync({
        items: toOrderItems(cart),
        ...(promoCode ? { promoCode } : {}),
        ...destination,
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
  };

  const placeWithForm = form.handleSubmit(async ({ email, ...address }) => {
    if (guest) return place({ shippingAddress: address, email });
    if (!saveNew) return place({ shippingAddress: address });
    // Saved first (the same rules as an order's address), then the order ships to it.
    const entry = await saveAddress.mutateAsync(address).catch(() => undefined);
    if (entry) await place({ shippingAddressId: entry.id });
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    if (!shipToSaved) return void placeWithForm(event);
    event.preventDefault();
    void place({ shippingAddressId: chosen });
  };

  return (
    <Page title="Checkout">
      <div className="grid gap-6 lg:grid-cols-[1fr_22rem]">
        <Card title="Shipping address">
          <form
            id="checkout"
            onSubmit={submit}
            onFocus={() => void loadSchemas()}
            noValidate
            className="grid gap-4 sm:grid-cols-2"
          >
            {guest && (
              <>
                <p className="text-sm text-slate-600 sm:col-span-2">
                  Checking out as a guest.{' '}
                  <Link
                    to="/login"
                    search={{ redirect: '/checkout' }}
                    className="font-medium text-indigo-700 underline"
                  >
                    Log in
                  </Link>{' '}
                  to use your saved addresses.
                </p>
                <Field
                  label="Email"
                  hint="Your order confirmation goes here, with a link to your order."
                  error={errors.email?.message}
                  className="sm:col-span-2"
                >
                  {(props) => (
                    <Input
                      {...props}
                      type="email"
                      autoComplete="email"
                      {...form.register('email')}
                    />
                  )}
                </Field>
              </>
            )}
            {saved.length > 0 && (
              <fieldset className="space-y-2 sm:col-span-2">
                <legend className="mb-1 text-sm font-medium text-slate-700">Ship to</legend>
                {saved.map((address) => (
                  <label key={address.id} className="flex items-start gap-2 text-sm">
                    <input
                      type="radio"
                      name="ship-to"
                      className="mt-1"
                      checked={chosen === address.id}
                      onChange={() => setChoice(address.id)}
                    />
                    <span>
                      {oneLine(address)}
                      {address.isDefault && <span className="text-slate-500"> (default)</span>}
                    </span>
                  </label>
                ))}
                <label className="flex items-center gap-2 text-sm">
                  <input
                    type="radio"
                    name="ship-to"
                    checked={chosen === NEW_ADDRESS}
                    onChange={() => setChoice(NEW_ADDRESS)}
                  />
                  A new address
                </label>
              </fieldset>
            )}
            {!shipToSaved && <AddressFields form={form} />}
            {!shipToSaved && !guest && (
              <label className="flex items-center gap-2 text-sm sm:col-span-2">
                <input
                  type="checkbox"
                  checked={saveNew}
                  onChange={(e) => setSaveNew(e.target.checked)}
                />
                Save this address to my address book
              </label>
            )}
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
            {saveAddress.isError && (
              <ProblemAlert error={saveAddress.error} title="The address could not be saved" />
            )}
            {placeOrder.isError && outOfStockLines(error).length === 0 && (
              <ProblemAlert error={error} title="The order could not be placed" />
            )}
            <Button
              type="submit"
              form="checkout"
              className="w-full"
              busy={placeOrder.isPending || saveAddress.isPending}
              disabled={
                !quote.data ||
                stockIssues.length > 0 ||
                needOptions ||
                placeOrder.isPending ||
                saveAddress.isPending
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

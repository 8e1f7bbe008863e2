import { E2E_ADMIN } from './global-setup.js';
import { expect, test } from './fixtures.js';
import { catalog, fillAddress } from './helpers.js';
import {
  PHONE,
  DESKTOP,
  shots,
  registerByApi,
  logInOnPage,
  cartThenLogIn,
  cents,
  card,
  summaryAmount,
} from './person-helpers.js';

/**
 * What a new user hit trying the shop (issue 20's second list): each test walks the path a
 * person took and asserts what they see, by the labels and buttons on the screen.
 */

test('a visitor who opens Your orders is asked to log in and comes back to their orders', async ({
  page,
}) => {
  const customer = await registerByApi(page);
  await page.goto('/account/orders');
  // Never an endless "Loading your orders…": a prompt with a way in.
  await expect(page.getByText('Log in to see your orders')).toBeVisible();
  await expect(page.getByText('Loading your orders…')).toHaveCount(0);
  await page.getByRole('main').getByRole('link', { name: 'Log in' }).click();
  await logInOnPage(page, customer);
  await expect(page).toHaveURL(/\/account\/orders$/);
  await expect(page.getByRole('heading', { name: 'Your orders' })).toBeVisible();
  await expect(page.getByText('No orders yet')).toBeVisible();

  // The other signed-in pages give the same way in, never a spinner.
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('banner').getByRole('link', { name: 'Log in' })).toBeVisible();
  for (const [path, prompt] of [
    ['/account', 'Log in to see your account'],
    ['/orders/ord_00000000000000000000000000', 'Log in to see this order'],
    ['/orders/ord_00000000000000000000000000/confirmation', 'Log in to see this order'],
  ] as const) {
    await page.goto(path);
    await expect(page.getByText(prompt)).toBeVisible();
    await expect(page.getByRole('main').getByRole('link', { name: 'Log in' })).toHaveAttribute(
      'href',
      `/login?redirect=${encodeURIComponent(path)}`,
    );
  }
});

test('a promo code that does not exist is refused in words, never with its error code', async ({
  page,
}) => {
  const product = (await catalog(page)).find((p) => p.stock > 5)!;
  await cartThenLogIn(page, [product], '/cart');
  await page.getByLabel('Promo code').fill('NOPE-NOT-A-CODE');
  await page.getByRole('button', { name: 'Apply code' }).click();
  await expect(
    page.getByText('Code NOPE-NOT-A-CODE does not apply: there is no such promo code.'),
  ).toBeVisible();
  await expect(page.getByText(/PROMO_CODE_|[A-Z]+_[A-Z_]+/)).toHaveCount(0);
});

test('the cart, checkout and order with a promo code add up as shown: lines before the discount, then subtotal, discount, shipping, total', async ({
  page,
  adminApi,
}) => {
  const code = `ADDUP${Date.now().toString(36).toUpperCase()}`;
  await adminApi.post('/api/v1/admin/promo-codes', {
    code,
    type: 'percentage',
    percentOff: 15,
    active: true,
  });
  const products = (await catalog(page)).filter((p) => p.stock > 5).slice(0, 2);
  await cartThenLogIn(page, products, '/cart');
  await page.getByLabel('Quantity').first().fill('3');
  await page.getByLabel('Promo code').fill(code);
  await page.getByRole('button', { name: 'Apply code' }).click();
  await expect(page.getByText(`Code ${code} applied.`)).toBeVisible();
  await expect(page.getByText('Pricing your cart…')).toHaveCount(0);

  const summary = card(page, 'Summary');
  const lines = page.getByRole('list', { name: 'Cart lines' }).getByRole('listitem');
  await expect(lines).toHaveCount(2);
  const lineTotals = (await lines.allInnerTexts()).map(cents);
  const subtotal = await summaryAmount(summary, /^Subtotal$/);
  const discount = await summaryAmount(summary, /^Discount/);
  const shipping = await summaryAmount(summary, /^Shipping$/);
  const total = await summaryAmount(summary, /^Total$/);
  expect(discount).toBeGreaterThan(0);
  expect(lineTotals.reduce((a, b) => a + b, 0)).toBe(subtotal);
  expect(subtotal - discount + shipping).toBe(total);
  await shots(page, 'person-cart-promo');

  // The checkout's summary reads the same way.
  await page.getByRole('button', { name: 'Checkout' }).click();
  await expect(page.getByRole('heading', { name: 'Checkout' })).toBeVisible();
  const yourOrder = card(page, 'Your order');
  const checkoutLines = yourOrder.getByRole('list', { name: 'Items' });
  await expect(checkoutLines.getByRole('listitem')).toHaveCount(2);
  const checkoutLineTotals = (await checkoutLines.getByRole('listitem').allInnerTexts()).map(cents);
  expect(checkoutLineTotals.reduce((a, b) => a + b, 0)).toBe(
    await summaryAmount(yourOrder, /^Subtotal$/),
  );

  // And the order page once placed.
  await fillAddress(page);
  await page.getByRole('button', { name: 'Place order' }).click();
  await expect(page.getByRole('heading', { name: /^Order \d+/ })).toBeVisible();
  const orderLines = page.getByRole('list', { name: 'Items' }).getByRole('listitem');
  await expect(orderLines).toHaveCount(2);
  const orderLineTotals = (await orderLines.allInnerTexts()).map((text) =>
    cents(
      text
        .split('\n')
        .filter((part) => part.includes('$'))
        .pop()!,
    ),
  );
  const totals = card(page, 'Total');
  const orderSubtotal = await summaryAmount(totals, /^Subtotal$/);
  expect(orderLineTotals.reduce((a, b) => a + b, 0)).toBe(orderSubtotal);
  expect(
    orderSubtotal -
      (await summaryAmount(totals, /^Discount/)) +
      (await summaryAmount(totals, /^Shipping$/)),
  ).toBe(await summaryAmount(totals, /^Total$/));
});

test('the country is chosen from a list of names, so Germany ships to Germany', async ({
  page,
}) => {
  const product = (await catalog(page)).find((p) => p.stock > 5)!;
  await cartThenLogIn(page, [product], '/checkout');
  const country = page.getByRole('combobox', { name: 'Country' });
  await expect(country).toBeVisible();
  await expect(country.getByRole('option', { name: 'Georgia', exact: true })).toHaveAttribute(
    'value',
    'GE',
  );
  await page.getByLabel('Address line 1').fill('1 Unter den Linden');
  await page.getByLabel('City').fill('Berlin');
  await page.getByLabel('Postal code').fill('10117');
  await country.selectOption({ label: 'Germany' });
  await expect(country).toHaveValue('DE');
  await shots(page, 'person-checkout-country');
  await page.getByRole('button', { name: 'Place order' }).click();
  await expect(page.getByRole('heading', { name: /^Order \d+/ })).toBeVisible();
  await expect(card(page, 'Ship to')).toContainText('Germany');
});

test('the catalog keeps typed prices through other filter changes, Back to the shop keeps the filters, and a phone sees products first', async ({
  page,
}) => {
  await page.setViewportSize(DESKTOP);
  await page.goto('/');
  await page.getByLabel('Min price').fill('10');
  await page.getByLabel('Max price').fill('500');
  await page.getByLabel('In stock only').check();
  await expect(page).toHaveURL(/inStock=true/);
  await expect(page.getByLabel('Min price')).toHaveValue('10');
  await expect(page.getByLabel('Max price')).toHaveValue('500');
  await page.getByLabel('Sort by').selectOption({ label: 'Price: low to high' });
  await expect(page).toHaveURL(/sort=price/);
  await expect(page.getByLabel('Min price')).toHaveValue('10');
  await expect(page.getByLabel('Max price')).toHaveValue('500');
  await expect(page).toHaveURL(/minPrice=1000/);
  await expect(page).toHaveURL(/maxPrice=50000/);

  // To a product and back: the same filtered catalog.
  const products = page.getByRole('region', { name: 'Products' });
  await products.getByRole('listitem').first().getByRole('link').first().click();
  await page.getByRole('link', { name: /Back to the shop/ }).click();
  await expect(page.getByRole('heading', { name: 'Shop' })).toBeVisible();
  for (const part of [/minPrice=1000/, /maxPrice=50000/, /inStock=true/, /sort=price/]) {
    await expect(page).toHaveURL(part);
  }
  await expect(page.getByLabel('Min price')).toHaveValue('10');
  await expect(page.getByLabel('In stock only')).toBeChecked();

  // A phone: the filters behind a Filters button, the first products in view.
  await page.setViewportSize(PHONE);
  await page.goto('/');
  const filters = page.getByRole('button', { name: /^Filters/ });
  await expect(filters).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByRole('searchbox', { name: 'Search' })).toBeHidden();
  await expect(page.getByRole('button', { name: /^Add to cart/ }).first()).toBeInViewport();
  await shots(page, 'person-catalog-filters-closed');
  await page.setViewportSize(PHONE);
  await filters.click();
  await expect(filters).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByRole('searchbox', { name: 'Search' })).toBeVisible();
  await shots(page, 'person-catalog-filters-open');
});

test('staff who log in from the back office land back in it; a customer lands where they came from', async ({
  page,
}) => {
  await page.goto('/admin');
  await page.getByRole('link', { name: 'Log in' }).click();
  await logInOnPage(page, E2E_ADMIN);
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByRole('navigation', { name: 'Back office' })).toBeVisible();
  await page.getByRole('button', { name: 'Log out' }).click();

  // The shop's own Log in link: staff still land in the back office.
  await page.goto('/');
  await page.getByRole('banner').getByRole('link', { name: 'Log in' }).click();
  await logInOnPage(page, E2E_ADMIN);
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByRole('navigation', { name: 'Back office' })).toBeVisible();
  await page.getByRole('button', { name: 'Log out' }).click();

  // A customer who logs in from the cart comes back to the cart.
  const customer = await registerByApi(page);
  const product = (await catalog(page)).find((p) => p.stock > 5)!;
  await page.goto(`/products/${product.id}`);
  await page.getByRole('button', { name: `Add to cart: ${product.name}` }).click();
  await page.goto('/cart');
  // Guests may check out too (e2e/guest.spec.ts); the cart offers to log in beside that.
  await page.getByRole('main').getByRole('link', { name: 'Log in' }).click();
  await logInOnPage(page, customer);
  await expect(page).toHaveURL(/\/cart$/);
  await expect(page.getByRole('heading', { name: 'Your cart' })).toBeVisible();
});

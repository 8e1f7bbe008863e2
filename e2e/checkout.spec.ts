import type { Locator } from '@playwright/test';
import {
  expect,
  expectAccessible,
  newCustomer,
  register,
  SCREENSHOTS,
  screenshots,
  test,
} from './fixtures.js';
import { catalog, fillAddress, openPaymentPage, payWithCard, searchAndAdd } from './helpers.js';

test('a customer registers, searches, adds two products, applies a promo code, is declined once on the hosted payment page, pays there and sees the order paid', async ({
  page,
  adminApi,
}) => {
  const code = `E2E${Date.now().toString(36).toUpperCase()}`;
  await adminApi.post('/api/v1/admin/promo-codes', {
    code,
    type: 'percentage',
    percentOff: 10,
    active: true,
  });

  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Shop' })).toBeVisible();
  await expectAccessible(page);
  await screenshots(page, 'home');

  const customer = newCustomer();
  await register(page, customer);

  await page.goto('/');
  await searchAndAdd(page, 'headphones', 'Wireless Headphones, Black');
  await searchAndAdd(page, 'notebook', 'Dot Grid Notebook, A5');

  // The product page, with its placeholder image and stock.
  await page.getByRole('link', { name: 'Dot Grid Notebook, A5' }).click();
  await expect(page.getByRole('heading', { name: 'Dot Grid Notebook, A5' })).toBeVisible();
  await expect(
    page.getByRole('button', { name: 'Add to cart: Dot Grid Notebook, A5' }),
  ).toBeVisible();
  await expectAccessible(page);
  await screenshots(page, 'product');

  await page.getByRole('link', { name: /^Cart/ }).click();
  await expect(page.getByRole('heading', { name: 'Your cart' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Cart lines' }).getByRole('listitem')).toHaveCount(2);
  await expect(page.getByText('Total', { exact: true })).toBeVisible();

  // A code that does not exist is refused with the server's reason; then the real one applies.
  await page.getByLabel('Promo code').fill('NOPE-NOT-A-CODE');
  await page.getByRole('button', { name: 'Apply code' }).click();
  await expect(page.getByText(/Code NOPE-NOT-A-CODE does not apply/)).toBeVisible();
  await page.getByLabel('Promo code').fill(code);
  await page.getByRole('button', { name: 'Apply code' }).click();
  await expect(page.getByText(`Code ${code} applied.`)).toBeVisible();
  await expect(page.getByText(`Discount (${code})`)).toBeVisible();
  await expectAccessible(page);
  await screenshots(page, 'cart');

  await page.getByRole('button', { name: 'Checkout' }).click();
  await expect(page.getByRole('heading', { name: 'Checkout' })).toBeVisible();
  await expect(page.getByLabel('Full name')).toHaveValue(customer.name);
  await fillAddress(page);
  await expect(page.getByText(`Discount (${code})`)).toBeVisible();
  await expectAccessible(page);
  await screenshots(page, 'checkout');
  await page.getByRole('button', { name: 'Place order' }).click();

  await expect(page.getByRole('heading', { name: /^Order \d+/ })).toBeVisible();
  await expect(page.getByText('Awaiting payment').first()).toBeVisible();
  const orderUrl = page.url();

  await expect(page.getByRole('button', { name: /^Pay \$/ })).toBeVisible();
  await expectAccessible(page);
  await screenshots(page, 'order-awaiting-payment');
  // Paying: on the gateway's own hosted page, where a decline is shown and may be retried.
  await openPaymentPage(page);
  await expectAccessible(page);
  await screenshots(page, 'hosted-payment');
  await page.setViewportSize({ width: 360, height: 780 });
  await page.screenshot({ path: `${SCREENSHOTS}/hosted-payment-360.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  await payWithCard(page, '4000 0000 0000 0002');
  await expect(page.getByRole('alert').filter({ hasText: 'Payment declined' })).toContainText(
    'Your card was declined.',
  );
  await expect(page.getByRole('alert')).toBeFocused();
  await expectAccessible(page);
  await screenshots(page, 'hosted-payment-declined');
  await page.setViewportSize({ width: 360, height: 780 });
  await page.screenshot({ path: `${SCREENSHOTS}/hosted-payment-declined-360.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });

  await payWithCard(page, '4242 4242 4242 4242');
  await expect(page.getByRole('heading', { name: 'Thank you for your order' })).toBeVisible();
  await expect(page.getByText(/^Order \d+ is paid$/)).toBeVisible();
  await expectAccessible(page);
  await screenshots(page, 'confirmation');

  await page.goto(orderUrl);
  await expect(page.getByRole('heading', { name: /^Order \d+/ })).toContainText('Paid');
  const history = page.getByRole('list', { name: 'Order history' }).getByRole('listitem');
  await expect(history).toHaveCount(2);
  await expect(history.first()).toContainText('Order placed');
  await expect(history.first()).toContainText('by You');
  await expect(history.last()).toContainText('Paid');
  await expectAccessible(page);
  await screenshots(page, 'order-paid');

  await page.getByRole('link', { name: 'Orders', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Your orders' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'Paid' })).toHaveCount(1);
  await screenshots(page, 'orders');
});

test('a processing payment turns paid on screen without a reload', async ({ page }) => {
  await register(page, newCustomer());
  await page.goto('/?q=socks');
  await page.getByRole('button', { name: 'Add to cart: Wool Hiking Socks, 3 Pairs' }).click();
  await page.goto('/checkout');
  await fillAddress(page);
  await page.getByRole('button', { name: 'Place order' }).click();
  await expect(page.getByText('Awaiting payment').first()).toBeVisible();

  await openPaymentPage(page);
  await payWithCard(page, '4000 0000 0000 7775');
  // Back on the order page, which shows the payment being confirmed, then paid, by itself.
  await expect(page).toHaveURL(/\/orders\/[^/]+\?payment=returned$/);
  await page.evaluate(() => ((globalThis as unknown as { e2eMark: number }).e2eMark = 1));
  await expect(
    page.getByRole('status').filter({ hasText: 'being confirmed by the bank' }),
  ).toBeVisible();
  await screenshots(page, 'order-processing');
  await expect(page.getByText(/^Order \d+ is paid$/)).toBeVisible({ timeout: 20_000 });
  expect(await page.evaluate(() => (globalThis as unknown as { e2eMark?: number }).e2eMark)).toBe(
    1,
  );
});

test('a line short of stock says so in the cart and can be fixed there', async ({
  page,
  adminApi,
}) => {
  const product = (await catalog(page)).find((p) => p.name === 'Brass Desk Lamp');
  if (!product) throw new Error('the demo catalog has no Brass Desk Lamp');
  await register(page, newCustomer());
  await page.goto(`/products/${product.id}`);
  await page.getByLabel('Quantity').fill('2');
  await page.getByRole('button', { name: 'Add to cart: Brass Desk Lamp' }).click();
  await expect(page.getByText('2 in cart')).toBeVisible();

  // Someone else buys all but one meanwhile.
  const current = await adminApi.get<{ stock: number }>(`/api/v1/admin/products/${product.id}`);
  await adminApi.post(`/api/v1/admin/products/${product.id}/stock-adjustments`, {
    delta: 1 - current.stock,
    reason: 'e2e: leave one',
  });

  await page.goto('/cart');
  await expect(
    page.getByRole('alert').filter({ hasText: 'Only 1 left (you asked for 2).' }),
  ).toBeVisible();
  await expect(page.getByRole('button', { name: 'Checkout' })).toBeDisabled();
  await screenshots(page, 'cart-short');
  await page.getByRole('button', { name: 'Use 1' }).click();
  await expect(page.getByRole('button', { name: 'Checkout' })).toBeEnabled();
  await expect(page.getByLabel('Quantity')).toHaveValue('1');
});

test('on a 360 px phone the signed-in header is one line, so restoring the session moves nothing', async ({
  page,
}) => {
  await page.setViewportSize({ width: 360, height: 780 });
  await register(page, newCustomer());
  await page.goto('/checkout');
  const header = page.getByRole('banner');
  await expect(header.getByRole('button', { name: 'Log out' })).toBeVisible();
  const middle = async (item: Locator) => {
    const box = await item.boundingBox();
    return box ? box.y + box.height / 2 : Number.NaN;
  };
  const line = await middle(header.getByRole('link', { name: 'Ordo' }));
  for (const item of [
    header.getByRole('link', { name: /^Cart/ }),
    header.getByRole('link', { name: 'Orders', exact: true }),
    header.getByRole('link', { name: 'Account', exact: true }),
    header.getByRole('button', { name: 'Log out' }),
  ]) {
    await expect(item).toBeInViewport({ ratio: 1 });
    expect(Math.abs((await middle(item)) - line)).toBeLessThan(2);
  }
});

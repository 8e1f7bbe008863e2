import { E2E_ADMIN } from './global-setup.js';
import { expect, newCustomer, register, screenshots, test } from './fixtures.js';
import { catalog, fillAddress } from './helpers.js';

test('a customer who opens /admin is refused and sees no admin data', async ({ page }) => {
  await page.goto('/admin');
  await expect(page.getByText('Log in to use the back office')).toBeVisible();

  const customer = newCustomer();
  await register(page, customer);
  await page.goto('/admin');
  await expect(page.getByText('You do not have access to the back office')).toBeVisible();
  await expect(page.getByText(customer.email)).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Back office' })).toHaveCount(0);
  await screenshots(page, 'admin-refused');
});

test('deep links survive a reload', async ({ page }) => {
  const product = (await catalog(page)).find((p) => p.stock > 5)!;
  await page.goto(`/products/${product.id}`);
  await page.reload();
  await expect(page.getByRole('heading', { name: product.name })).toBeVisible();
  await screenshots(page, 'product-after-reload');

  await page.goto('/?q=lamp&sort=price&inStock=true');
  await page.reload();
  await expect(page.getByRole('searchbox', { name: 'Search' })).toHaveValue('lamp');
  await expect(page.getByLabel('In stock only')).toBeChecked();

  await register(page, newCustomer());
  await page.goto(`/products/${product.id}`);
  await page.getByRole('button', { name: `Add to cart: ${product.name}` }).click();
  await page.goto('/checkout');
  await fillAddress(page);
  await page.getByRole('button', { name: 'Place order' }).click();
  await expect(page.getByRole('heading', { name: /^Order \d+/ })).toBeVisible();
  const orderId = new URL(page.url()).pathname.split('/').pop()!;

  // The session comes back from the refresh cookie after a reload.
  await page.goto(`/account/orders/${orderId}`);
  await page.reload();
  await expect(page.getByRole('heading', { name: /^Order \d+/ })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible();

  // Log out, then in as the admin: /admin/... reloads into the back office.
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('link', { name: 'Log in' })).toBeVisible();
  await page.goto('/admin');
  await page.getByRole('link', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
  await page.getByLabel('Email').fill(E2E_ADMIN.email);
  await page.getByLabel('Password').fill(E2E_ADMIN.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await page.reload();
  await expect(page.getByRole('navigation', { name: 'Back office' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await screenshots(page, 'admin-after-reload');
});

test('an expired access token is refreshed once and the request retried', async ({ page }) => {
  await register(page, newCustomer());
  // The server answers the first /me as if the access token had expired.
  let refused = 0;
  let refreshes = 0;
  page.on('request', (request) => {
    if (request.url().endsWith('/api/v1/auth/refresh')) refreshes += 1;
  });
  await page.route('**/api/v1/me', async (route) => {
    if (refused > 0) return route.continue();
    refused += 1;
    await route.fulfill({
      status: 401,
      contentType: 'application/problem+json',
      body: JSON.stringify({
        type: 'about:blank',
        title: 'Unauthorized',
        status: 401,
        code: 'TOKEN_EXPIRED',
        detail: 'The access token has expired',
      }),
    });
  });
  await page.getByRole('link', { name: 'Account' }).click();
  await expect(page.getByText(/^Email:/)).toBeVisible();
  expect(refused).toBe(1);
  expect(refreshes).toBe(1);
  await expect(page.getByRole('banner').getByRole('button', { name: 'Log out' })).toBeVisible();
  await screenshots(page, 'account');
});

test('a cancelled pending order shows cancelled with who cancelled it', async ({ page }) => {
  const product = (await catalog(page)).find((p) => p.stock > 0)!;
  await register(page, newCustomer());
  await page.goto(`/products/${product.id}`);
  await page.getByRole('button', { name: `Add to cart: ${product.name}` }).click();
  await page.goto('/checkout');
  await fillAddress(page);
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.getByRole('button', { name: 'Cancel order' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel order' }).click();
  await expect(page.getByRole('heading', { name: /^Order \d+/ })).toContainText('Cancelled');
  await expect(page.getByText(/by You/)).toHaveCount(2);
  await screenshots(page, 'order-cancelled');
});

test('the shop can be used from the keyboard alone', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('button', { name: /^Add to cart/ }).first()).toBeVisible();
  // The first Tab reaches the skip link, which jumps to the page's content.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  const firstEnabledAdd = page
    .getByRole('button', { name: /^Add to cart/ })
    .and(page.locator(':enabled'))
    .first();
  const name = await firstEnabledAdd.getAttribute('aria-label');
  for (let i = 0; i < 40; i += 1) {
    await page.keyboard.press('Tab');
    if (await firstEnabledAdd.evaluate((el) => el === el.ownerDocument.activeElement)) break;
  }
  await expect(firstEnabledAdd).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByText('1 in cart')).toBeVisible();
  const cartLink = page.getByRole('link', { name: /^Cart/ });
  await cartLink.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Your cart' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Cart lines' })).toContainText(
    (name ?? '').replace('Add to cart: ', ''),
  );
});

import type { APIRequestContext, Browser, BrowserContext, Page } from '@playwright/test';
import { E2E_ADMIN } from './global-setup.js';
import { expect, newCustomer, type Customer } from './fixtures.js';

/**
 * Logs in from the shop's Log in link. A customer stays in the shop (an in-place navigation);
 * staff and admins land in the back office by a full page load (web/src/shop/account/
 * auth-forms.tsx), which is waited for: a test that navigated while that load was still under
 * way raced it, and its page.goto could wait for a load that never came.
 */
export async function logInAs(
  page: Page,
  who: { email: string; password: string },
  landsIn: 'shop' | 'back office' = 'shop',
): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  if (landsIn === 'back office') {
    await page.waitForURL(/\/admin$/, { waitUntil: 'load' });
    await expect(page.getByRole('navigation', { name: 'Back office' })).toBeVisible();
  }
  await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible();
}

export async function logInAsAdmin(page: Page): Promise<void> {
  await logInAs(page, E2E_ADMIN, 'back office');
}

/** A second browser context (its own cookies), failing the test on console errors too. */
export async function newPersonContext(
  browser: Browser,
  baseURL: string | undefined,
  errors: string[],
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (
      message.type() === 'error' &&
      !/Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())
    ) {
      errors.push(message.text());
    }
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page };
}

export interface PlacedOrder {
  id: string;
  number: string;
  status: string;
}

/**
 * A customer made through the public API (register, log in) who places an order for the first
 * product with enough stock and, unless told otherwise, pays it with the succeeding test card.
 */
export async function customerWithOrder(
  request: APIRequestContext,
  { pay = true, customer = newCustomer() }: { pay?: boolean; customer?: Customer } = {},
): Promise<{ customer: Customer; token: string; order: PlacedOrder }> {
  const registered = await request.post('/api/v1/auth/register', { data: customer });
  expect(registered.status(), await registered.text()).toBe(201);
  const login = await request.post('/api/v1/auth/login', {
    data: { email: customer.email, password: customer.password },
  });
  expect(login.ok()).toBe(true);
  const { accessToken: token } = (await login.json()) as { accessToken: string };
  const headers = { authorization: `Bearer ${token}` };

  const products = (await (
    await request.get('/api/v1/products?pageSize=100&inStock=true')
  ).json()) as {
    items: { id: string; stock: number }[];
  };
  const product = products.items.find((p) => p.stock > 20) ?? products.items[0];
  if (!product) throw new Error('no product in stock');
  const placed = await request.post('/api/v1/orders', {
    headers,
    data: {
      items: [{ productId: product.id, quantity: 1 }],
      shippingAddress: {
        name: customer.name,
        line1: '1 Test Street',
        city: 'Springfield',
        postalCode: '12345',
        country: 'US',
      },
    },
  });
  expect(placed.status(), await placed.text()).toBe(201);
  const order = (await placed.json()) as PlacedOrder;
  if (pay) {
    const paid = await request.post(`/api/v1/orders/${order.id}/payments`, {
      headers,
      data: { paymentMethod: 'pm_card_visa' },
    });
    expect(paid.ok(), await paid.text()).toBe(true);
    await expect
      .poll(async () => {
        const current = await request.get(`/api/v1/orders/${order.id}`, { headers });
        return ((await current.json()) as PlacedOrder).status;
      })
      .toBe('paid');
  }
  return { customer, token, order };
}

/** A PATCH as the e2e admin (the shared AdminApi fixture has only GET and POST). */
export async function adminPatch(
  request: APIRequestContext,
  path: string,
  body: unknown,
): Promise<void> {
  const login = await request.post('/api/v1/auth/login', { data: E2E_ADMIN });
  expect(login.ok()).toBe(true);
  const { accessToken } = (await login.json()) as { accessToken: string };
  const response = await request.patch(path, {
    data: body,
    headers: { authorization: `Bearer ${accessToken}` },
  });
  expect(response.ok(), await response.text()).toBe(true);
}

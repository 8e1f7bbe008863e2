import { expect, expectAccessible, newCustomer, register, screenshots, test } from './fixtures.js';
import { logInAsAdmin, newPersonContext } from './admin-helpers.js';
import { searchAndAdd } from './helpers.js';

interface Priced {
  tax: number;
  total: number;
  shippingMethods: { id: string; name: string; price: number }[];
  shippingMethodId: string | null;
}
interface PlacedOrder {
  id: string;
  number: string;
  tax: number;
}

// The rate and the method serve Iceland only, and both are deleted at the end: the other
// specs' orders (to the US, at the flat rate) are never priced by them.
test('an admin creates a tax rate and a shipping method; an order to their country is charged both, and its page shows them', async ({
  page,
  request,
  browser,
  baseURL,
  adminApi,
  consoleErrors,
}) => {
  const tag = Date.now().toString(36);
  const rateName = `Icelandic VAT ${tag}`;
  const methodName = `Reykjavik Express ${tag}`;

  await logInAsAdmin(page);
  const nav = page.getByRole('navigation', { name: 'Back office' });

  // --- a tax rate ---
  await nav.getByRole('link', { name: 'Tax rates' }).click();
  await expect(page.getByRole('heading', { name: 'Tax rates', level: 1 })).toBeVisible();
  await page.getByLabel('Name').fill(rateName);
  await page.getByLabel('Country').selectOption({ label: 'Iceland' });
  await page.getByLabel('Rate (%)').fill('24.5');
  await page.getByRole('button', { name: 'Create tax rate' }).click();
  await expect(page.getByText('Tax rate created.')).toBeVisible();
  const rateRow = page.getByRole('row').filter({ hasText: rateName });
  await expect(rateRow).toContainText('24.5%');
  // A typing mistake is said at the field, and nothing is sent.
  await page.getByLabel('Name').fill('Broken');
  await page.getByLabel('Country').selectOption({ label: 'Iceland' });
  await page.getByLabel('Rate (%)').fill('24.5555');
  await page.getByRole('button', { name: 'Create tax rate' }).click();
  await expect(page.getByText('Enter a percentage such as 8.875')).toBeVisible();
  // Edit: 24 %.
  await rateRow.getByRole('button', { name: `Edit ${rateName}` }).click();
  await expect(page.getByRole('heading', { name: `Edit ${rateName}` })).toBeVisible();
  await page.getByLabel('Rate (%)').fill('24');
  await page.getByRole('button', { name: 'Save tax rate' }).click();
  await expect(rateRow).toContainText('24%');
  await expectAccessible(page);
  await screenshots(page, 'admin-tax-rates');

  // --- a shipping method ---
  await nav.getByRole('link', { name: 'Shipping methods' }).click();
  await expect(page.getByRole('heading', { name: 'Shipping methods', level: 1 })).toBeVisible();
  await page.getByLabel('Name').fill(methodName);
  await page.getByLabel('Countries (optional)').fill('is');
  await page.getByLabel('Price (USD)').fill('12.50');
  await page.getByLabel('Free over (USD, optional)').fill('1000');
  await page.getByRole('button', { name: 'Create shipping method' }).click();
  await expect(page.getByText('Shipping method created.')).toBeVisible();
  const methodRow = page.getByRole('row').filter({ hasText: methodName });
  await expect(methodRow).toContainText('IS');
  await expect(methodRow).toContainText('$12.50');
  await expect(methodRow).toContainText('Active');
  await expectAccessible(page);
  await screenshots(page, 'admin-shipping-methods');

  // --- an order to Iceland, through the API as a storefront would place it ---
  const customer = newCustomer();
  expect((await request.post('/api/v1/auth/register', { data: customer })).status()).toBe(201);
  const login = await request.post('/api/v1/auth/login', {
    data: { email: customer.email, password: customer.password },
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const headers = { authorization: `Bearer ${accessToken}` };
  const { items: products } = (await (
    await request.get('/api/v1/products?pageSize=100&inStock=true')
  ).json()) as { items: { id: string; stock: number; variants: unknown[] }[] };
  const product = products.find((p) => p.stock > 20 && p.variants.length === 1)!;
  const quote = await request.post('/api/v1/orders/quote', {
    headers,
    data: { items: [{ productId: product.id, quantity: 1 }], destination: { country: 'IS' } },
  });
  const quoted = (await quote.json()) as Priced;
  expect(quoted.shippingMethods).toEqual([
    expect.objectContaining({ name: methodName, price: 1250 }),
  ]);
  const placed = await request.post('/api/v1/orders', {
    headers,
    data: {
      items: [{ productId: product.id, quantity: 1 }],
      shippingMethodId: quoted.shippingMethodId,
      shippingAddress: {
        name: customer.name,
        line1: 'Laugavegur 1',
        city: 'Reykjavik',
        postalCode: '101',
        country: 'IS',
      },
    },
  });
  expect(placed.status(), await placed.text()).toBe(201);
  const order = (await placed.json()) as PlacedOrder;
  expect(order).toMatchObject({ tax: quoted.tax, total: quoted.total, shipping: 1250 });

  await page.goto(`/admin/orders/${order.id}`);
  await expect(
    page.getByRole('heading', { name: new RegExp(`^Order ${order.number}`) }),
  ).toBeVisible();
  await expect(page.getByText(`Shipping (${methodName})`)).toBeVisible();
  await expect(page.getByText(`Tax (${rateName} 24%)`)).toBeVisible();
  await expect(page.getByText(methodName, { exact: true })).toBeVisible();
  await expectAccessible(page);
  await screenshots(page, 'admin-order-with-tax');

  // --- the storefront: the checkout offers both methods for Iceland, with tax, from the quote ---
  const postName = `Reykjavik Post ${tag}`;
  await adminApi.post('/api/v1/admin/shipping-methods', {
    name: postName,
    countries: ['IS'],
    price: 500,
  });
  const shopper = await newPersonContext(browser, baseURL, consoleErrors);
  const shop = shopper.page;
  await register(shop, newCustomer());
  await shop.goto('/');
  await searchAndAdd(shop, 'notebook', 'Dot Grid Notebook, A5');
  await shop.getByRole('link', { name: /^Cart/ }).click();
  await shop.getByRole('button', { name: 'Checkout' }).click();
  await expect(
    shop.getByText('Choose the country to see the shipping methods and tax.'),
  ).toBeVisible();
  await shop.getByLabel('Address line 1').fill('Laugavegur 1');
  await shop.getByLabel('City').fill('Reykjavik');
  await shop.getByLabel('Postal code').fill('101');
  await shop.getByLabel('Country').selectOption('IS');
  const methods = shop.getByRole('group', { name: 'Shipping method' });
  // Cheapest first, and priced by default.
  await expect(methods.getByRole('radio', { name: postName })).toBeChecked();
  await expect(methods.getByRole('radio')).toHaveCount(2);
  await expect(shop.getByText(`Shipping (${postName})`)).toBeVisible();
  await methods.getByRole('radio', { name: methodName }).check();
  await expect(shop.getByText(`Shipping (${methodName})`)).toBeVisible();
  await expect(shop.getByText('Tax', { exact: true })).toBeVisible();
  await expectAccessible(shop);
  await screenshots(shop, 'checkout-shipping-and-tax');
  await shop.getByRole('button', { name: 'Place order' }).click();
  await expect(shop.getByRole('heading', { name: /^Order \d+/ })).toBeVisible();
  await expect(shop.getByText(`Shipping method: ${methodName}`)).toBeVisible();
  await expect(shop.getByText(`Tax (${rateName} 24%)`)).toBeVisible();
  await expectAccessible(shop);
  await screenshots(shop, 'order-with-tax');
  await shopper.context.close();

  // --- deactivate, then delete the methods and the rate: the shop is as before ---
  await nav.getByRole('link', { name: 'Shipping methods' }).click();
  await methodRow.getByRole('button', { name: `Deactivate ${methodName}` }).click();
  await expect(methodRow).toContainText('Inactive');
  await methodRow.getByRole('button', { name: `Delete ${methodName}` }).click();
  await expect(methodRow).toHaveCount(0);
  await page.getByRole('button', { name: `Delete ${postName}` }).click();
  await expect(page.getByRole('row').filter({ hasText: postName })).toHaveCount(0);
  await nav.getByRole('link', { name: 'Tax rates' }).click();
  await rateRow.getByRole('button', { name: `Delete ${rateName}` }).click();
  await expect(rateRow).toHaveCount(0);
  // The order keeps what it was charged, and by what.
  const kept = (await (
    await request.get(`/api/v1/orders/${order.id}`, { headers })
  ).json()) as PlacedOrder;
  expect(kept).toMatchObject({
    tax: order.tax,
    taxRate: 24,
    shippingMethod: { name: methodName },
  });
  expect(consoleErrors).toEqual([]);
});

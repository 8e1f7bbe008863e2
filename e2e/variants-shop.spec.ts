import { readFileSync } from 'node:fs';
import type { APIRequestContext, Locator, Page } from '@playwright/test';
import {
  expect,
  expectAccessible,
  newCustomer,
  register,
  screenshots,
  test,
  type AdminApi,
} from './fixtures.js';
import { adminPatch } from './admin-helpers.js';
import { E2E_ADMIN } from './global-setup.js';
import { fillAddress } from './helpers.js';

interface Variant {
  id: string;
  title: string;
  imageId?: string;
}
interface Product {
  id: string;
  name: string;
  images: { id: string; url: string; variants: { url: string }[] }[];
  variants: Variant[];
}

/** The demo T-shirt's drawings, uploaded as an admin would. */
const drawing = (colour: 'red' | 'blue') =>
  readFileSync(`src/modules/catalog/demo-images/tee-organic-${colour}.webp`);

async function upload(
  request: APIRequestContext,
  productId: string,
  colour: 'red' | 'blue',
): Promise<Product> {
  const login = await request.post('/api/v1/auth/login', { data: E2E_ADMIN });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const response = await request.post(`/api/v1/admin/products/${productId}/images`, {
    headers: { authorization: `Bearer ${accessToken}` },
    multipart: {
      file: { name: `${colour}.webp`, mimeType: 'image/webp', buffer: drawing(colour) },
    },
  });
  expect(response.ok(), await response.text()).toBe(true);
  return (await response.json()) as Product;
}

/**
 * A T-shirt of this test's own: Size S/M/L × Colour Red/Blue. L in red is sold out, L in blue
 * is not sold; the red variants show the red photo, the blue ones the blue.
 */
async function createTee(adminApi: AdminApi, request: APIRequestContext, tag: string) {
  const created = await adminApi.post<Product>('/api/v1/admin/products', {
    name: `Field Tee ${tag}`,
    description: 'A test T-shirt in three sizes and two colours.',
    options: [
      { name: 'Size', values: ['S', 'M', 'L'] },
      { name: 'Colour', values: ['Red', 'Blue'] },
    ],
    variants: [
      { sku: `FT-${tag}-S-RED`, options: { Size: 'S', Colour: 'Red' }, price: 2000, stock: 5 },
      { sku: `FT-${tag}-M-RED`, options: { Size: 'M', Colour: 'Red' }, price: 2000, stock: 3 },
      { sku: `FT-${tag}-L-RED`, options: { Size: 'L', Colour: 'Red' }, price: 2200, stock: 0 },
      { sku: `FT-${tag}-S-BLUE`, options: { Size: 'S', Colour: 'Blue' }, price: 2100, stock: 4 },
      { sku: `FT-${tag}-M-BLUE`, options: { Size: 'M', Colour: 'Blue' }, price: 2100, stock: 2 },
    ],
  });
  await upload(request, created.id, 'red');
  const product = await upload(request, created.id, 'blue');
  const [red, blue] = product.images;
  for (const variant of product.variants) {
    await adminPatch(request, `/api/v1/admin/variants/${variant.id}`, {
      imageId: variant.title.endsWith('Red') ? red!.id : blue!.id,
    });
  }
  return { ...product, red: red!, blue: blue! };
}

const group = (page: Page, name: string): Locator => page.getByRole('radiogroup', { name });
const choose = async (page: Page, option: string, value: string) => {
  const radio = group(page, option).getByRole('radio', { name: value, exact: true });
  await radio.check();
  await expect(radio).toBeChecked();
};

test('a customer chooses a size and a colour, sees what each combination costs and has, and orders two variants of one product', async ({
  page,
  adminApi,
  request,
}) => {
  const tag = Date.now().toString(36);
  const tee = await createTee(adminApi, request, tag);
  const name = `Field Tee ${tag}`;
  const customer = newCustomer();
  await register(page, customer);

  // --- the catalog: filter by an option value; the tile sends to the product page ---
  await page.goto(`/?q=${tag}`);
  const products = page.getByRole('region', { name: 'Products' });
  await expect(products.getByRole('link', { name, exact: true })).toBeVisible();
  await expect(products.getByRole('link', { name: `Choose options: ${name}` })).toBeVisible();
  const filters = page.getByRole('search', { name: 'Filter products' });
  await filters
    .getByRole('group', { name: 'Size' })
    .getByRole('checkbox', { name: 'M', exact: true })
    .check();
  await expect(page).toHaveURL(/option=/);
  await expect(products.getByRole('link', { name, exact: true })).toBeVisible();
  // M in blue is sold: still listed (several options are matched on one variant).
  await filters
    .getByRole('group', { name: 'Colour' })
    .getByRole('checkbox', { name: 'Blue', exact: true })
    .check();
  await expect(products.getByRole('link', { name, exact: true })).toBeVisible();
  await expectAccessible(page);
  // Filtered by Blue, the tile shows the blue photo.
  await expect(products.locator('img').first()).toHaveAttribute(
    'src',
    new RegExp(tee.blue.url.replace(/-\d+\.webp$/, '')),
  );
  await screenshots(page, 'variants-catalog-filtered');
  // The filter's M opens the product in M.
  await products.getByRole('link', { name, exact: true }).click();
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
  await expect(page).toHaveURL(/Size=M/);
  await expect(group(page, 'Size').getByRole('radio', { name: 'M', exact: true })).toBeChecked();

  // --- the product page: each choice shows its price, stock and photo ---
  // The main photo (the thumbnails' text is empty: their buttons are named).
  const photo = page.getByRole('img', { name: new RegExp(`^${name}`) });
  await choose(page, 'Colour', 'Red');
  await expect(page).toHaveURL(/Size=M/);
  await expect(page).toHaveURL(/Colour=Red/);
  await expect(page.getByText('$20.00').first()).toBeVisible();
  await expect(page.getByText('Only 3 left')).toBeVisible();
  await expect(page.getByText(`SKU FT-${tag}-M-RED`)).toBeVisible();
  await expect(photo).toHaveAccessibleName(`${name}, M / Red`);
  await expect(photo).toHaveAttribute('src', tee.red.variants[0]!.url);

  // L in red is sold out: struck and said in words, also as each radio's description.
  const large = group(page, 'Size').getByRole('radio', { name: 'L', exact: true });
  await expect(large).toHaveAccessibleDescription('Sold out');
  await choose(page, 'Size', 'L');
  await expect(page.getByText('Out of stock', { exact: true }).first()).toBeVisible();
  await expect(page.getByText('L / Red is sold out for now.')).toBeVisible();
  await expect(
    page.getByRole('button', { name: `Out of stock: ${name} (L / Red)` }),
  ).toBeDisabled();
  // Blue in L is not sold at all.
  const blue = group(page, 'Colour').getByRole('radio', { name: 'Blue', exact: true });
  await expect(blue).toHaveAccessibleDescription('Not sold');
  await choose(page, 'Colour', 'Blue');
  await expect(page.getByText('L / Blue is not sold. Choose another combination.')).toBeVisible();
  await expect(page.getByText('From $20.00')).toBeVisible();
  // The photo is the colour's, though this size is not made in it.
  await expect(photo).toHaveAttribute('src', tee.blue.variants[0]!.url);
  await expect(page.getByRole('button', { name: `Unavailable: ${name}` })).toBeDisabled();
  await expect(
    group(page, 'Size').getByRole('radio', { name: 'M', exact: true }),
  ).toHaveAccessibleDescription('');
  await expectAccessible(page);
  await screenshots(page, 'variants-product-unavailable');

  // The choice is in the URL: a reload (or a shared link) opens on it.
  await page.reload();
  await expect(group(page, 'Size').getByRole('radio', { name: 'L', exact: true })).toBeChecked();
  await expect(blue).toBeChecked();

  // M in blue: its own price, stock and photo; add one.
  await choose(page, 'Size', 'M');
  await expect(page.getByText('$21.00').first()).toBeVisible();
  await expect(page.getByText('Only 2 left')).toBeVisible();
  await expect(photo).toHaveAttribute('src', tee.blue.variants[0]!.url);
  await page.getByRole('button', { name: `Add to cart: ${name} (M / Blue)` }).click();
  await expect(page.getByText('1 in cart').first()).toBeVisible();
  await expectAccessible(page);
  await screenshots(page, 'variants-product');
  // M in red, two of them: a second line.
  await choose(page, 'Colour', 'Red');
  await page.getByLabel('Quantity').fill('2');
  await page.getByRole('button', { name: `Add to cart: ${name} (M / Red)` }).click();
  await expect(page.getByText('2 in cart').first()).toBeVisible();
  // Back leaves the product page (choices replace its history entry): the catalog, filtered.
  await page.goBack();
  await expect(page).toHaveURL(/option=/);
  await expect(page.getByRole('heading', { name: 'Shop' })).toBeVisible();

  // --- the cart: one line per variant, each with its title ---
  await page.getByRole('link', { name: /^Cart/ }).click();
  await expect(page.getByRole('heading', { name: 'Your cart' })).toBeVisible();
  const lines = page.getByRole('list', { name: 'Cart lines' }).getByRole('listitem');
  await expect(lines).toHaveCount(2);
  await expect(lines.nth(0)).toContainText(name);
  await expect(lines.nth(0)).toContainText('M / Blue');
  await expect(lines.nth(0).getByLabel('Quantity')).toHaveValue('1');
  await expect(lines.nth(1)).toContainText('M / Red');
  await expect(lines.nth(1).getByLabel('Quantity')).toHaveValue('2');
  // The server prices each variant: 21.00 + 2 × 20.00.
  await expect(lines.nth(0)).toContainText('$21.00');
  await expect(lines.nth(1)).toContainText('$40.00');
  await expect(page.getByText('Pricing your cart…')).toHaveCount(0);
  await expectAccessible(page);
  await screenshots(page, 'variants-cart');
  // A line links back to its variant on the product page.
  await expect(lines.nth(1).getByRole('link', { name, exact: true })).toHaveAttribute(
    'href',
    /Colour=Red/,
  );

  // --- checkout and the order ---
  await page.getByRole('button', { name: 'Checkout' }).click();
  await expect(page.getByRole('heading', { name: 'Checkout' })).toBeVisible();
  const items = page.getByRole('list', { name: 'Items' }).getByRole('listitem');
  await expect(items).toHaveCount(2);
  await expect(items.nth(0)).toContainText(`1 × ${name}M / Blue`);
  await expect(items.nth(1)).toContainText(`2 × ${name}M / Red`);
  await fillAddress(page);
  await page.getByRole('button', { name: 'Place order' }).click();
  await expect(page.getByRole('heading', { name: /^Order \d+/ })).toBeVisible();
  const orderLines = page.getByRole('list', { name: 'Items' }).getByRole('listitem');
  await expect(orderLines).toHaveCount(2);
  await expect(orderLines.nth(0)).toContainText('M / Blue');
  await expect(orderLines.nth(1)).toContainText('M / Red');
  await screenshots(page, 'variants-order');
  const orderId = /\/orders\/([^/?]+)/.exec(page.url())![1]!;

  // The order names each variant; its stock went down, the other variants' did not.
  const order = await adminApi.get<{
    lines: { variantId: string; variantTitle: string; quantity: number }[];
  }>(`/api/v1/admin/orders/${orderId}`);
  const byTitle = Object.fromEntries(tee.variants.map((v) => [v.title, v.id]));
  expect(order.lines.map((l) => [l.variantId, l.variantTitle, l.quantity])).toEqual([
    [byTitle['M / Blue'], 'M / Blue', 1],
    [byTitle['M / Red'], 'M / Red', 2],
  ]);
  const after = await adminApi.get<{ variants: { title: string; stock: number }[] }>(
    `/api/v1/admin/products/${tee.id}`,
  );
  expect(Object.fromEntries(after.variants.map((v) => [v.title, v.stock]))).toEqual({
    'S / Red': 5,
    'M / Red': 1,
    'L / Red': 0,
    'S / Blue': 4,
    'M / Blue': 1,
  });

  // The orders list names the variants too.
  await page.getByRole('link', { name: 'Orders', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Your orders' })).toBeVisible();
  const row = page.getByRole('row').filter({ hasText: `${name} (M / Blue)` });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(`2 × ${name} (M / Red)`);
});

test('a cart stored before variants still orders a product without options, and asks for options for a product that has them now', async ({
  page,
  adminApi,
}) => {
  const tag = Date.now().toString(36);
  const plain = await adminApi.post<Product>('/api/v1/admin/products', {
    sku: `PLAIN-${tag}`,
    name: `Plain Mug ${tag}`,
    price: 1200,
    stock: 10,
  });
  const optioned = await adminApi.post<Product>('/api/v1/admin/products', {
    name: `Sized Apron ${tag}`,
    options: [{ name: 'Size', values: ['Regular', 'Long'] }],
    variants: [
      { sku: `APRON-${tag}-R`, options: { Size: 'Regular' }, price: 3000, stock: 5 },
      { sku: `APRON-${tag}-L`, options: { Size: 'Long' }, price: 3200, stock: 5 },
    ],
  });
  await register(page, newCustomer());
  // The cart as the shop stored it before variants: lines by product.
  const line = (p: Product, quantity: number) => ({
    productId: p.id,
    quantity,
    name: p.name,
    price: 1200,
    currency: 'USD',
    imageUrl: null,
    stock: 10,
  });
  await page.evaluate(
    (cart) => localStorage.setItem('ordo.cart.v1', JSON.stringify(cart)),
    [line(plain, 2), line(optioned, 1)],
  );
  await page.goto('/cart');
  const lines = page.getByRole('list', { name: 'Cart lines' }).getByRole('listitem');
  await expect(lines).toHaveCount(2);
  // The apron now comes in sizes: its line asks for them and holds checkout back.
  await expect(lines.nth(1)).toContainText('This product now comes in options.');
  await expect(page.getByText('Choose options to continue')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Checkout' })).toBeDisabled();
  // The mug is priced as before and takes its variant from the quote.
  await expect(lines.nth(0)).toContainText('$24.00');
  await expectAccessible(page);
  await lines
    .nth(1)
    .getByRole('button', { name: /^Remove/ })
    .click();
  await expect(lines).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Checkout' })).toBeEnabled();
  await expect
    .poll(async () =>
      page.evaluate(
        () =>
          (JSON.parse(localStorage.getItem('ordo.cart.v1') ?? '[]') as { variantId?: string }[])[0]
            ?.variantId,
      ),
    )
    .toBe(plain.variants[0]!.id);
  await page.getByRole('button', { name: 'Checkout' }).click();
  await fillAddress(page);
  await page.getByRole('button', { name: 'Place order' }).click();
  await expect(page.getByRole('heading', { name: /^Order \d+/ })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Items' })).toContainText(plain.name);
});

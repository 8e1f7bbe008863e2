import type { Page } from '@playwright/test';
import { expect, expectAccessible, screenshots, test } from './fixtures.js';
import { logInAsAdmin } from './admin-helpers.js';
import { card } from './person-helpers.js';

interface ShopVariant {
  sku: string;
  title: string;
  options: Record<string, string>;
  price: number;
  stock: number;
  active: boolean;
}
interface ShopProduct {
  price: number;
  stock: number;
  options: { name: string; values: string[] }[];
  variants: ShopVariant[];
}

/** A row of a variants table, found by its SKU input's name ("SKU for M"). */
function variantRow(page: Page, table: string, title: string) {
  return page
    .getByRole('table', { name: table })
    .getByRole('row')
    .filter({ has: page.getByRole('textbox', { name: `SKU for ${title}`, exact: true }) });
}

test('an admin creates a product with a Size option, adds a size with its own price and stock, and adjusts one variant’s stock with a reason', async ({
  page,
  request,
}) => {
  const tag = Date.now().toString(36).toUpperCase();
  const sku = `TEE-${tag}`;
  const name = `Variant Tee ${tag}`;
  await logInAsAdmin(page);

  // --- create: a Size option (S, M), a variant per size proposed in one table ---
  await page.goto('/admin/products/new');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('SKU', { exact: true }).fill(sku);
  await page.getByLabel('Price (USD)').fill('18.00');
  await page.getByLabel('Stock', { exact: true }).fill('5');
  await page.getByRole('button', { name: 'Add an option' }).click();
  await page.getByLabel('Option 1 name').fill('Size');
  await page.getByLabel('Option 1 values').fill('S, M');
  const proposed = page.getByRole('table', { name: 'The variants to create' });
  await expect(proposed.getByRole('row')).toHaveCount(3);
  await expect(proposed.getByLabel('SKU for S', { exact: true })).toHaveValue(`${sku}-S`);
  await expect(proposed.getByLabel('Price for S', { exact: true })).toHaveValue('18.00');
  await expect(proposed.getByLabel('Opening stock for S', { exact: true })).toHaveValue('5');
  // A variant's own price; the product's price still moves the rows nobody changed.
  await proposed.getByLabel('Price for M', { exact: true }).fill('22.00');
  await page.getByLabel('Price (USD)').fill('18.50');
  await expect(proposed.getByLabel('Price for S', { exact: true })).toHaveValue('18.50');
  await expect(proposed.getByLabel('Price for M', { exact: true })).toHaveValue('22.00');
  await expectAccessible(page);
  await screenshots(page, 'admin-new-product-variants');
  await page.getByRole('button', { name: 'Create product' }).click();

  // --- the product page: its variants, each with its stock ---
  await expect(page.getByRole('heading', { name, level: 1 })).toContainText('Active');
  const productId = /\/admin\/products\/([^/?#]+)/.exec(page.url())![1]!;
  const tableName = `Variants of ${name}`;
  const variants = card(page, 'Variants');
  const row = (title: string) => variantRow(page, tableName, title);
  // The stock cell reads "5 Adjust stock of M" (on a phone "Stock 5 …").
  const expectStock = (title: string, units: number) =>
    expect(row(title).getByRole('cell').nth(3)).toHaveText(
      new RegExp(`^(Stock )?${units}\\s*Adjust stock of ${title}$`),
    );
  await expect(variants.getByRole('table', { name: tableName }).getByRole('row')).toHaveCount(3);
  await expect(row('S').getByRole('textbox', { name: 'Price for S' })).toHaveValue('18.50');
  await expect(row('M').getByRole('textbox', { name: 'Price for M' })).toHaveValue('22.00');
  await expectStock('S', 5);
  await expectStock('M', 5);
  await expect(card(page, 'Stock')).toContainText('10 across 2 variants');

  // --- add a value: Size L, its price and opening stock set in the proposed row ---
  await variants.getByLabel('Option', { exact: true }).selectOption('Size');
  await variants.getByLabel('New value', { exact: true }).fill('L');
  const adding = page.getByRole('table', { name: 'The variants to add with Size L' });
  await expect(adding.getByRole('row')).toHaveCount(2);
  await expect(adding.getByLabel('SKU for L', { exact: true })).toHaveValue(`${sku}-L`);
  await adding.getByLabel('Price for L', { exact: true }).fill('24.00');
  await adding.getByLabel('Opening stock for L', { exact: true }).fill('7');
  await variants.getByRole('button', { name: 'Add variants' }).click();
  await expect(variants.getByText('Added a variant: L.')).toBeVisible();
  await expect(adding).toHaveCount(0);
  await expectStock('L', 7);
  await expect(row('L').getByRole('textbox', { name: 'Price for L' })).toHaveValue('24.00');

  // --- a variant's row edited in place: S leaves the shop (inactive, never deleted) ---
  await row('S').getByRole('checkbox', { name: 'Active for S' }).uncheck();
  await row('S').getByRole('button', { name: 'Save S' }).click();
  await expect(row('S')).toContainText('Inactive');

  // The storefront's API has the new size with its price and stock, and S inactive.
  await expect
    .poll(async () => {
      const shop = (await (
        await request.get(`/api/v1/products/${productId}`)
      ).json()) as ShopProduct;
      return {
        options: shop.options,
        price: shop.price,
        stock: shop.stock,
        variants: shop.variants.map(({ title, sku, price, stock, active }) => ({
          title,
          sku,
          price,
          stock,
          active,
        })),
      };
    })
    .toEqual({
      options: [{ name: 'Size', values: ['S', 'M', 'L'] }],
      // The lowest active variant's price: S is out.
      price: 2200,
      stock: 17,
      variants: [
        { title: 'S', sku: `${sku}-S`, price: 1850, stock: 5, active: false },
        { title: 'M', sku: `${sku}-M`, price: 2200, stock: 5, active: true },
        { title: 'L', sku: `${sku}-L`, price: 2400, stock: 7, active: true },
      ],
    });

  // --- one variant's stock: adjusted with a reason, the movement in its history ---
  await row('M').getByRole('link', { name: 'Adjust stock of M' }).click();
  await expect(page).toHaveURL(/variant=/);
  const stock = card(page, 'Stock of M');
  await expect(stock.getByRole('heading', { name: 'Stock of M' })).toBeFocused();
  await stock.getByLabel('Change').fill('-2');
  await stock.getByLabel('Reason').fill('e2e: two stained in the warehouse');
  await stock.getByRole('button', { name: 'Adjust stock' }).click();
  await expect(stock.getByText('Stock is now 3.')).toBeVisible();
  const history = stock.getByRole('table', { name: 'Stock movements, newest first' });
  await expect(history.getByRole('row')).toHaveCount(3);
  await expect(history.getByRole('row').nth(1)).toContainText('e2e: two stained in the warehouse');
  await expect(history.getByRole('row').nth(1)).toContainText('−2');
  await expect(history.getByRole('row').nth(2)).toContainText('opening stock');
  await expectStock('M', 3);
  await expectAccessible(page);
  await screenshots(page, 'admin-product-variants');

  // The URL keeps the open variant through a reload; the product's ledger names each variant.
  await page.reload();
  await expect(card(page, 'Stock of M').getByText('On hand:')).toContainText('3');
  await page.getByRole('link', { name: 'Show every variant’s movements' }).click();
  const ledger = card(page, 'Stock movements').getByRole('table', {
    name: 'Stock movements, newest first',
  });
  await expect(ledger.getByRole('row')).toHaveCount(5);
  await expect(ledger.getByRole('row').nth(1).getByRole('cell').nth(1)).toHaveText('M');
  await expect(ledger.getByRole('row').nth(1)).toContainText('e2e: two stained in the warehouse');
  await expectAccessible(page);
});

import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { logInAsAdmin } from './admin-helpers.js';
import { expect, expectAccessible, screenshots, test, type AdminApi } from './fixtures.js';

interface Listed {
  items: { sku: string; price: number; stock: number }[];
}

/** The product with exactly this SKU, through the admin API, or none. */
async function productBySku(adminApi: AdminApi, sku: string) {
  const list = await adminApi.get<Listed>(`/api/v1/admin/products?q=${encodeURIComponent(sku)}`);
  return list.items.find((p) => p.sku === sku);
}

async function chooseFile(page: Page, name: string, text: string): Promise<void> {
  await page.getByLabel('CSV file', { exact: true }).setInputFiles({
    name,
    mimeType: 'text/csv',
    buffer: Buffer.from(text),
  });
}

test('an admin exports the catalog, sees a bad row refused with nothing written, then checks and imports a good file', async ({
  page,
  adminApi,
}) => {
  const tag = Date.now().toString(36).toUpperCase();
  const existing = `IMP-OLD-${tag}`;
  const added = `IMP-NEW-${tag}`;
  await adminApi.post('/api/v1/admin/products', {
    sku: existing,
    name: `Import target ${tag}`,
    price: 500,
    stock: 2,
  });

  // --- export from the products list ---
  await logInAsAdmin(page);
  await page
    .getByRole('navigation', { name: 'Back office' })
    .getByRole('link', { name: 'Products' })
    .click();
  await expect(page.getByRole('heading', { name: 'Products', level: 1 })).toBeVisible();
  await screenshots(page, 'admin-products-with-csv');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^products-\d{4}-\d{2}-\d{2}\.csv$/);
  const exported = await readFile(await download.path(), 'utf8');
  const header = exported.slice(0, exported.indexOf('\r\n'));
  expect(header).toBe(
    'product_sku,name,description,active,categories,option1_name,option1_value,option2_name,option2_value,option3_name,option3_value,sku,price,stock,variant_active',
  );
  expect(exported).toContain(`${existing},Import target ${tag},`);

  // --- the import page ---
  await page.getByRole('link', { name: 'Import products' }).click();
  await expect(page.getByRole('heading', { name: 'Import products', level: 1 })).toBeVisible();
  await expectAccessible(page);
  await screenshots(page, 'admin-import');

  const row = (sku: string, name: string, price: string, stock: string) =>
    `${sku},${name},,true,,,,,,,,${sku},${price},${stock},true\r\n`;
  const newRow = row(added, `Imported lamp ${tag}`, '19.50', '3');

  // A file with one bad row: the check lists it, and nothing is written.
  await chooseFile(
    page,
    'bad.csv',
    `${header}\r\n${newRow}${row(existing, `Import target ${tag}`, '12.505', '')}`,
  );
  await page.getByRole('button', { name: 'Check file' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'The file has problems' })).toContainText(
    'The file has 1 problem. Nothing was imported',
  );
  const problems = page.getByRole('table', { name: /Rows to fix/ });
  await expect(problems.getByRole('row').nth(1)).toContainText('3');
  await expect(problems.getByRole('row').nth(1)).toContainText(
    'price: "12.505" has more than 2 decimals',
  );
  await expect(page.getByRole('button', { name: /^Import \d+ product/ })).toHaveCount(0);
  await expectAccessible(page);
  await screenshots(page, 'admin-import-problems');
  expect(await productBySku(adminApi, added)).toBeUndefined();
  expect(await productBySku(adminApi, existing)).toMatchObject({ price: 500 });

  // A good file: the check passes and writes nothing; the import writes it.
  await chooseFile(
    page,
    'good.csv',
    `${header}\r\n${newRow}${row(existing, `Import target ${tag}`, '8.00', '')}`,
  );
  await expect(page.getByRole('table', { name: /Rows to fix/ })).toHaveCount(0);
  await page.getByRole('button', { name: 'Check file' }).click();
  await expect(
    page.getByText('The file is ready to import: 1 new product, 1 updated'),
  ).toBeVisible();
  const importButton = page.getByRole('button', { name: 'Import 2 products' });
  await expect(importButton).toBeEnabled();
  expect(await productBySku(adminApi, added)).toBeUndefined();
  await expectAccessible(page);
  await screenshots(page, 'admin-import-checked');

  await importButton.click();
  await expect(page.getByRole('status').filter({ hasText: 'Products imported' })).toContainText(
    '1 new product, 1 updated',
  );
  expect(await productBySku(adminApi, added)).toMatchObject({ price: 1950, stock: 3 });
  expect(await productBySku(adminApi, existing)).toMatchObject({ price: 800, stock: 2 });
  await screenshots(page, 'admin-import-done');

  await page.getByRole('link', { name: 'Back to products' }).click();
  await expect(page.getByRole('heading', { name: 'Products', level: 1 })).toBeVisible();
});

import { expect, screenshots, test } from './fixtures.js';

test('the storefront home shows the catalog', async ({ page, consoleErrors }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Shop' })).toBeVisible();
  await expect(page.getByRole('button', { name: /^Add to cart/ }).first()).toBeVisible();
  await screenshots(page, 'home');
  expect(consoleErrors).toEqual([]);
});

test('Swagger UI at /docs renders under the CSP', async ({ page, consoleErrors }) => {
  await page.goto('/docs');
  await expect(page.getByText('Ordo API').first()).toBeVisible();
  await expect(page.locator('.opblock').first()).toBeVisible();
  await screenshots(page, 'docs');
  expect(consoleErrors).toEqual([]);
});

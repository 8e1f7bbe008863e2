import type { Page } from '@playwright/test';
import { expect } from './fixtures.js';

export interface ProductSummary {
  id: string;
  name: string;
  price: number;
  stock: number;
}

/** The demo catalog as the API lists it (the tests pick products by name from it). */
export async function catalog(page: Page): Promise<ProductSummary[]> {
  const response = await page.request.get('/api/v1/products?pageSize=100');
  expect(response.ok()).toBe(true);
  return ((await response.json()) as { items: ProductSummary[] }).items;
}

export async function searchAndAdd(page: Page, query: string, productName: string): Promise<void> {
  await page.getByRole('searchbox', { name: 'Search' }).fill(query);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`[?&]q=${encodeURIComponent(query)}`));
  await page.getByRole('button', { name: `Add to cart: ${productName}` }).click();
  await expect(page.getByText('1 in cart').first()).toBeVisible();
}

export async function fillAddress(page: Page): Promise<void> {
  await page.getByLabel('Address line 1').fill('1 Test Street');
  await page.getByLabel('City').fill('Springfield');
  await page.getByLabel('Postal code').fill('12345');
  await page.getByLabel('Country').selectOption('US');
}

export async function choosePayment(page: Page, label: RegExp | string): Promise<void> {
  await page.getByRole('radio', { name: label }).check();
}

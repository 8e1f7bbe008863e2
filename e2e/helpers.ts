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
  // A US address names its state, from the list the country's choice brings.
  await page.getByLabel('State', { exact: true }).selectOption('US-IL');
}

/** From the order page, the Pay button: the browser lands on the provider's hosted page. */
export async function openPaymentPage(page: Page): Promise<void> {
  const shop = new URL(page.url()).origin;
  await page.getByRole('button', { name: /^Pay / }).click();
  // The gateway's own origin, never the shop's.
  await page.waitForURL((url) => url.origin !== shop);
  await expect(page.getByRole('heading', { name: /^Pay \$/ })).toBeVisible();
  await expect(page.getByLabel('Card number')).toBeVisible();
}

/** Types a card into the hosted payment page and presses its Pay button. */
export async function payWithCard(page: Page, cardNumber: string): Promise<void> {
  await page.getByLabel('Card number').fill(cardNumber);
  await page.getByLabel('Expiry').fill('12 / 34');
  await page.getByLabel('CVC').fill('123');
  await page.getByLabel('Name on card').fill('Pat Payer');
  await page.getByRole('button', { name: 'Pay', exact: true }).click();
}

import type { Locator, Page } from '@playwright/test';
import { expect, newCustomer, SCREENSHOTS, type Customer } from './fixtures.js';

/** Helpers of person-hit.spec.ts: what a person does and reads, at phone and desktop sizes. */
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1366, height: 900 };

/** The page at phone and desktop widths (this file's own sizes), into test-results/screenshots/. */
export async function shots(page: Page, name: string): Promise<void> {
  const original = page.viewportSize();
  for (const [label, size] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    await page.setViewportSize(size);
    await page.screenshot({ path: `${SCREENSHOTS}/${name}-${label}.png`, fullPage: true });
  }
  if (original) await page.setViewportSize(original);
}

export async function registerByApi(page: Page): Promise<Customer> {
  const customer = newCustomer();
  const response = await page.request.post('/api/v1/auth/register', { data: customer });
  expect(response.ok()).toBe(true);
  return customer;
}

export async function logInOnPage(
  page: Page,
  who: { email: string; password: string },
): Promise<void> {
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/**
 * Puts products in the cart as a visitor (the cart is the browser's), then logs in from `path`'s
 * own Log in link, which comes back to it: no full page load after login, whose refresh could
 * race the previous page's.
 */
export async function cartThenLogIn(
  page: Page,
  products: { id: string; name: string }[],
  path: '/cart' | '/checkout',
): Promise<void> {
  const customer = await registerByApi(page);
  for (const product of products) {
    await page.goto(`/products/${product.id}`);
    await page.getByRole('button', { name: `Add to cart: ${product.name}` }).click();
    await expect(page.getByText('1 in cart').first()).toBeVisible();
  }
  await page.goto(path);
  await page
    .getByRole('main')
    .getByRole('link', { name: /^Log in/ })
    .click();
  await logInOnPage(page, customer);
  await expect(page).toHaveURL(new RegExp(`${path}$`));
}

/** An amount as shown ($1,234.56) in minor units. */
export function cents(text: string): number {
  const match = /(-|−)?\$([\d,]+)\.(\d{2})/.exec(text);
  if (!match) throw new Error(`no amount in ${JSON.stringify(text)}`);
  const value = Number(match[2]!.replaceAll(',', '')) * 100 + Number(match[3]);
  return match[1] ? -value : value;
}

/** A card of the page, by its heading. */
export function card(page: Page, title: string): Locator {
  return page.locator('section', { has: page.getByRole('heading', { name: title, exact: true }) });
}

/** The amount beside a term of a summary (<dt>Subtotal</dt><dd>$…</dd>); Free is 0. */
export async function summaryAmount(scope: Locator, term: RegExp): Promise<number> {
  const text = await scope
    .locator('dt', { hasText: term })
    .locator('xpath=following-sibling::dd')
    .innerText();
  return text.trim() === 'Free' ? 0 : Math.abs(cents(text));
}

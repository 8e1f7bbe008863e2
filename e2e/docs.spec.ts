import { expect, screenshots, test } from './fixtures.js';

test('Swagger UI at /docs works under the Content-Security-Policy', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.goto('/docs');
  await expect(page.getByText('Ordo API').first()).toBeVisible();
  await expect(page.locator('.opblock').first()).toBeVisible();
  await screenshots(page, 'docs');
  expect(violations).toEqual([]);
});

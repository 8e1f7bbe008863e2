import { expect, test } from './fixtures.js';
import { catalog } from './helpers.js';
import { registerByApi, logInOnPage, cartThenLogIn } from './person-helpers.js';

/**
 * What a new user hit trying the shop (issue 20's second list): each test walks the path a
 * person took and asserts what they see, by the labels and buttons on the screen.
 */

test('a visitor who opens Your orders is asked to log in and comes back to their orders', async ({
  page,
}) => {
  const customer = await registerByApi(page);
  await page.goto('/account/orders');
  // Never an endless "Loading your orders…": a prompt with a way in.
  await expect(page.getByText('Log in to see your orders')).toBeVisible();
  await expect(page.getByText('Loading your orders…')).toHaveCount(0);
  await page.getByRole('main').getByRole('link', { name: 'Log in' }).click();
  await logInOnPage(page, customer);
  await expect(page).toHaveURL(/\/account\/orders$/);
  await expect(page.getByRole('heading', { name: 'Your orders' })).toBeVisible();
  await expect(page.getByText('No orders yet')).toBeVisible();

  // The other signed-in pages give the same way in, never a spinner.
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('banner').getByRole('link', { name: 'Log in' })).toBeVisible();
  for (const [path, prompt] of [
    ['/account', 'Log in to see your account'],
    ['/checkout', 'Log in to check out'],
    ['/orders/ord_00000000000000000000000000', 'Log in to see this order'],
    ['/orders/ord_00000000000000000000000000/confirmation', 'Log in to see this order'],
  ] as const) {
    await page.goto(path);
    await expect(page.getByText(prompt)).toBeVisible();
    await expect(page.getByRole('main').getByRole('link', { name: 'Log in' })).toHaveAttribute(
      'href',
      `/login?redirect=${encodeURIComponent(path)}`,
    );
  }
});

test('a promo code that does not exist is refused in words, never with its error code', async ({
  page,
}) => {
  const product = (await catalog(page)).find((p) => p.stock > 5)!;
  await cartThenLogIn(page, [product], '/cart');
  await page.getByLabel('Promo code').fill('NOPE-NOT-A-CODE');
  await page.getByRole('button', { name: 'Apply code' }).click();
  await expect(
    page.getByText('Code NOPE-NOT-A-CODE does not apply: there is no such promo code.'),
  ).toBeVisible();
  await expect(page.getByText(/PROMO_CODE_|[A-Z]+_[A-Z_]+/)).toHaveCount(0);
});

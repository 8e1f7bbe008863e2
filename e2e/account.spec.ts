import { expect, newCustomer, register, test } from './fixtures.js';

interface Email {
  kind: string;
  text: string;
}

/** The link in the newest email of a kind to an address, once the worker has sent it. */
async function emailedLink(
  adminApi: { get<T>(path: string): Promise<T> },
  to: string,
  kind: string,
): Promise<URL> {
  let link: string | undefined;
  await expect
    .poll(
      async () => {
        const { items } = await adminApi.get<{ items: Email[] }>(
          `/api/v1/admin/emails?to=${encodeURIComponent(to)}&kind=${kind}`,
        );
        link = items[0]?.text.match(/https?:\/\/\S+token=\S+/)?.[0];
        return link;
      },
      { timeout: 20_000 },
    )
    .toBeTruthy();
  return new URL(link!);
}

test('the verification email’s link verifies the address', async ({ page, adminApi }) => {
  const customer = newCustomer();
  await register(page, customer);
  const link = await emailedLink(adminApi, customer.email, 'verification');
  expect(link.pathname).toBe('/verify-email');
  await page.goto(link.pathname + link.search);
  await expect(page.getByText('Email verified')).toBeVisible();
  await page.goto('/account');
  await expect(page.getByText('Verified', { exact: true })).toBeVisible();
});

test('a password is reset through the emailed link, and changed from the account', async ({
  page,
  adminApi,
}) => {
  const customer = newCustomer();
  await register(page, customer);
  await page.getByRole('button', { name: 'Log out' }).click();

  await page.goto('/login');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByLabel('Email').fill(customer.email);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(page.getByText('Check your email')).toBeVisible();

  const link = await emailedLink(adminApi, customer.email, 'password-reset');
  expect(link.pathname).toBe('/reset-password');
  await page.goto(link.pathname + link.search);
  await page.getByLabel('New password', { exact: true }).fill('a-brand-new-password');
  await page.getByLabel('Repeat the new password').fill('a-brand-new-password');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByText('Password changed')).toBeVisible();

  await page.getByRole('link', { name: 'Log in' }).last().click();
  await page.getByLabel('Email').fill(customer.email);
  await page.getByLabel('Password').fill('a-brand-new-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible();

  await page.goto('/account');
  await page.getByLabel('Current password').fill('a-brand-new-password');
  await page.getByLabel('New password', { exact: true }).fill('yet-another-password');
  await page.getByLabel('Repeat the new password').fill('yet-another-password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Your password was changed.')).toBeVisible();
});

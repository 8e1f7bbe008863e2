import { expect, newCustomer, register, screenshots, test } from './fixtures.js';
import { emailedLink } from './inbox.js';

test('the verification email’s link verifies the address', async ({ page }) => {
  const customer = newCustomer();
  await register(page, customer);
  const link = await emailedLink(customer.email, /confirm|verify/i);
  expect(link.pathname).toBe('/verify-email');
  await page.goto(link.pathname + link.search);
  await expect(page.getByText('Email verified')).toBeVisible();
  await screenshots(page, 'verify-email');
  await page.goto('/account');
  await expect(page.getByText('Verified', { exact: true })).toBeVisible();
});

test('a password is reset through the emailed link, and changed from the account', async ({
  page,
}) => {
  const customer = newCustomer();
  await register(page, customer);
  await page.getByRole('button', { name: 'Log out' }).click();

  await page.goto('/login');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page.getByRole('heading', { name: 'Reset your password' })).toBeVisible();
  await page.getByLabel('Email').fill(customer.email);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(page.getByText('Check your email')).toBeVisible();

  const link = await emailedLink(customer.email, /password/i);
  expect(link.pathname).toBe('/reset-password');
  await page.goto(link.pathname + link.search);
  await page.getByLabel('New password', { exact: true }).fill('a-brand-new-password');
  await page.getByLabel('Repeat the new password').fill('a-brand-new-password');
  await screenshots(page, 'reset-password');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByText('Password changed')).toBeVisible();

  await page.getByRole('main').getByRole('link', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
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
  await screenshots(page, 'change-password');
});

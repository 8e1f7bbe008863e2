import { expect, expectAccessible, newCustomer, register, screenshots, test } from './fixtures.js';
import { fillAddress, openPaymentPage, payWithCard } from './helpers.js';
import { emailedLink } from './inbox.js';

test('a guest buys without an account, pays on the hosted page, and opens the order from the emailed link in another browser', async ({
  page,
  browser,
  baseURL,
}) => {
  const email = `guest-${Date.now().toString(36)}@e2e.ordo.test`;
  await page.goto('/?q=socks');
  await page.getByRole('button', { name: 'Add to cart: Wool Hiking Socks, 3 Pairs' }).click();
  await expect(page.getByText('1 in cart').first()).toBeVisible();

  // The cart prices it for a visitor and offers the checkout, with logging in beside it.
  await page.getByRole('link', { name: /^Cart/ }).click();
  await expect(page.getByText('Total', { exact: true })).toBeVisible();
  await expect(page.getByText('No account needed: check out as a guest.')).toBeVisible();
  await page.getByRole('button', { name: 'Checkout' }).click();

  await expect(page.getByRole('heading', { name: 'Checkout' })).toBeVisible();
  await expect(page.getByText('Checking out as a guest.')).toBeVisible();
  // The email is asked for, and the state of a US address.
  await page.getByRole('button', { name: 'Place order' }).click();
  await expect(page.getByLabel('Email')).toHaveAccessibleDescription(/Enter an email address/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Full name').fill('Gus Guest');
  await page.getByLabel('Address line 1').fill('5 Passing Lane');
  await page.getByLabel('City').fill('Portland');
  await page.getByLabel('Postal code').fill('97201');
  await page.getByLabel('Country').selectOption('US');
  await page.getByRole('button', { name: 'Place order' }).click();
  await expect(page.getByLabel('State', { exact: true })).toHaveAccessibleDescription(
    'Choose the state',
  );
  await page.getByLabel('State', { exact: true }).selectOption('US-OR');
  await page.getByLabel('Phone (optional)').fill('+1 503 555 0100');
  await expectAccessible(page);
  await screenshots(page, 'checkout-guest');
  await page.getByRole('button', { name: 'Place order' }).click();

  await expect(page.getByRole('heading', { name: /^Order \d+/ })).toBeVisible();
  await expect(page.getByText('Portland, Oregon')).toBeVisible();
  await expectAccessible(page);
  await screenshots(page, 'order-guest-awaiting-payment');
  const orderPath = new URL(page.url()).pathname;

  await openPaymentPage(page);
  await payWithCard(page, '4242 4242 4242 4242');
  await expect(page.getByRole('heading', { name: 'Thank you for your order' })).toBeVisible();
  await expect(page.getByText(/^Order \d+ is paid$/)).toBeVisible();

  // The emailed link carries the order's token in its fragment: another browser opens the
  // order with it, and the address bar no longer shows it.
  const link = await emailedLink(email, /received/i);
  expect(link.pathname).toBe(orderPath);
  expect(link.hash).toMatch(/^#token=ogt_[\w-]+$/);
  const elsewhere = await browser.newContext({ baseURL });
  try {
    const other = await elsewhere.newPage();
    await other.goto(link.pathname + link.hash);
    await expect(other.getByRole('heading', { name: /^Order \d+/ })).toContainText('Paid');
    await expect(other.getByText('Gus Guest')).toBeVisible();
    expect(new URL(other.url()).hash).toBe('');
    // The timeline names the guest's own step as theirs.
    await expect(
      other.getByRole('list', { name: 'Order history' }).getByRole('listitem').first(),
    ).toContainText('by You');
    await expectAccessible(other);
    await screenshots(other, 'order-guest-from-email');
    // The same tab keeps the token for a reload.
    await other.reload();
    await expect(other.getByRole('heading', { name: /^Order \d+/ })).toContainText('Paid');
  } finally {
    await elsewhere.close();
  }

  // Without the token, the page asks to log in and shows nothing of the order.
  const stranger = await browser.newContext({ baseURL });
  try {
    const page3 = await stranger.newPage();
    await page3.goto(link.pathname);
    await expect(page3.getByText('Log in to see this order')).toBeVisible();
    await expect(page3.getByText('Gus Guest')).toHaveCount(0);
  } finally {
    await stranger.close();
  }
});

test('a customer keeps an address book in their account and checks out with a saved address', async ({
  page,
}) => {
  const customer = newCustomer();
  await register(page, customer);

  await page.goto('/account');
  await expect(page.getByText('No saved addresses yet.')).toBeVisible();
  await page.getByRole('button', { name: 'Add an address' }).click();
  const form = page.getByRole('form', { name: 'New address' });
  await form.getByLabel('Full name').fill(customer.name);
  await form.getByLabel('Address line 1').fill('12 Maple Avenue');
  await form.getByLabel('City').fill('Toronto');
  await form.getByLabel('Postal code').fill('M5V 2T6');
  await form.getByLabel('Country').selectOption('CA');
  await form.getByLabel('Province or territory').selectOption('CA-ON');
  await form.getByRole('button', { name: 'Save address' }).click();
  const saved = page.getByRole('list', { name: 'Saved addresses' }).getByRole('listitem');
  await expect(saved).toHaveCount(1);
  await expect(saved.first()).toContainText('Default');
  await expect(saved.first()).toContainText('Toronto, Ontario');

  // A second one, made the default.
  await page.getByRole('button', { name: 'Add an address' }).click();
  await form.getByLabel('Full name').fill(customer.name);
  await form.getByLabel('Address line 1').fill('1 Test Street');
  await form.getByLabel('City').fill('Springfield');
  await form.getByLabel('Postal code').fill('12345');
  await form.getByLabel('Country').selectOption('US');
  await form.getByLabel('State', { exact: true }).selectOption('US-IL');
  await form.getByLabel('Make this my default address').check();
  await form.getByRole('button', { name: 'Save address' }).click();
  await expect(saved).toHaveCount(2);
  await expect(saved.first()).toContainText('1 Test Street');
  await expect(saved.first()).toContainText('Default');
  await expectAccessible(page);
  await screenshots(page, 'account-addresses');

  // The checkout ships to the default unless another is chosen: choose the first one saved.
  await page.goto('/?q=socks');
  await page.getByRole('button', { name: 'Add to cart: Wool Hiking Socks, 3 Pairs' }).click();
  await page.goto('/checkout');
  await expect(page.getByRole('radio', { name: /1 Test Street/ })).toBeChecked();
  await expect(page.getByLabel('Address line 1')).toHaveCount(0);
  await page.getByRole('radio', { name: /12 Maple Avenue/ }).check();
  await expectAccessible(page);
  await screenshots(page, 'checkout-saved-address');
  await page.getByRole('button', { name: 'Place order' }).click();
  await expect(page.getByRole('heading', { name: /^Order \d+/ })).toBeVisible();
  await expect(page.getByText('Toronto, Ontario')).toBeVisible();

  // A new address from the checkout, saved to the book on the way.
  await page.goto('/?q=socks');
  await page.getByRole('button', { name: 'Add to cart: Wool Hiking Socks, 3 Pairs' }).click();
  await page.goto('/checkout');
  await page.getByRole('radio', { name: 'A new address' }).check();
  await page.getByLabel('Full name').fill(customer.name);
  await fillAddress(page);
  await page.getByLabel('Address line 1').fill('77 New Road');
  await page.getByLabel('Save this address to my address book').check();
  await page.getByRole('button', { name: 'Place order' }).click();
  await expect(page.getByRole('heading', { name: /^Order \d+/ })).toBeVisible();
  await expect(page.getByText('77 New Road')).toBeVisible();
  await page.goto('/account');
  await expect(saved).toHaveCount(3);
});

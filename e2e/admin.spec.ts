import type { Locator, Page } from '@playwright/test';
import sharp from 'sharp';
import {
  expect,
  expectAccessible,
  newCustomer,
  SCREENSHOTS,
  screenshots,
  test,
} from './fixtures.js';
import {
  adminPatch,
  customerWithOrder,
  logInAs,
  logInAsAdmin,
  newPersonContext,
} from './admin-helpers.js';

test('an admin ships a paid order with a tracking number; the customer sees it shipped, and the confirmation email is in the mail view', async ({
  page,
  consoleErrors,
  request,
  browser,
  baseURL,
}) => {
  const { customer, order } = await customerWithOrder(request);

  await logInAsAdmin(page);
  await page.goto('/admin');
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await expect(page.getByText('Orders and revenue per day, last 30 days (UTC)')).toBeVisible();
  await expect(page.locator('.recharts-surface').first()).toBeVisible();
  await expectAccessible(page);
  await screenshots(page, 'admin-dashboard');

  // The orders list, filtered by the customer's email (the filter lives in the URL).
  await page
    .getByRole('navigation', { name: 'Back office' })
    .getByRole('link', { name: 'Orders' })
    .click();
  await page.getByLabel('Customer email').fill(customer.email);
  await page.getByLabel('Status').selectOption('paid');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/status=paid/);
  await expect(page).toHaveURL(
    new RegExp(`email=${encodeURIComponent(customer.email).replace(/\./g, '\\.')}`),
  );
  const row = page.getByRole('row').filter({ hasText: `Order ${order.number}` });
  await expect(row).toHaveCount(1);
  await expect(page.getByRole('row')).toHaveCount(2);
  await expectAccessible(page);
  await screenshots(page, 'admin-orders');

  await row.getByRole('link', { name: `Order ${order.number}` }).click();
  await expect(
    page.getByRole('heading', { name: new RegExp(`^Order ${order.number}`) }),
  ).toContainText('Paid');
  const history = page.getByRole('list', { name: 'Order history' }).getByRole('listitem');
  await expect(history).toHaveCount(2);
  await expect(history.first()).toContainText(/by Customer \S+/);
  await expect(page.getByRole('table', { name: 'Payments' })).toContainText('Succeeded');
  await expectAccessible(page);
  await screenshots(page, 'admin-order-paid');

  await page.getByRole('button', { name: 'Ship', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Ship order ${order.number}` });
  await dialog.getByLabel('Carrier').fill('DHL');
  await dialog.getByLabel('Tracking number').fill('TRACK-E2E-12345');
  await expectAccessible(page);
  await dialog.getByRole('button', { name: 'Ship', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(`Order ${order.number} shipped`, { exact: true })).toBeVisible();
  await expect(
    page.getByRole('heading', { name: new RegExp(`^Order ${order.number}`) }),
  ).toContainText('Shipped');
  await expect(history).toHaveCount(3);
  await expect(history.last()).toContainText('Paid → Shipped');
  await expect(history.last()).toContainText(/by Admin \S+/);
  await expect(page.getByText('TRACK-E2E-12345')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Deliver' })).toBeVisible();
  await expectAccessible(page);
  await screenshots(page, 'admin-order-shipped');

  // The list is not stale after the action: the order left the "paid" filter.
  await page.goBack();
  await expect(page.getByText('No orders match')).toBeVisible();

  // The confirmation email, readable in the back office's mail view.
  await page.goto(`/admin/emails?to=${encodeURIComponent(customer.email)}`);
  const confirmation = page.getByRole('link', {
    name: new RegExp(`Order ${order.number} received`),
  });
  await expect(confirmation).toBeVisible({ timeout: 20_000 });
  await confirmation.click();
  // The HTML part renders in a sandboxed iframe without scripts (so a test cannot look inside
  // it either: the screenshot shows it); the text part is on the page itself.
  const mail = page.getByRole('article', { name: /Email: Order \d+ received/ });
  await expect(mail.locator('iframe')).toHaveAttribute(
    'sandbox',
    'allow-popups allow-popups-to-escape-sandbox',
  );
  await expect(mail.locator('iframe')).toHaveAttribute('data-loaded', 'true');
  await screenshots(page, 'admin-emails');
  // A full-page capture leaves an out-of-process iframe below the fold unpainted: the mail
  // itself, scrolled into view on a phone.
  await page.setViewportSize({ width: 390, height: 844 });
  await mail.locator('iframe').scrollIntoViewIfNeeded();
  await mail.locator('iframe').screenshot({ path: `${SCREENSHOTS}/admin-email-body-phone.png` });
  await page.setViewportSize({ width: 1280, height: 800 });
  await mail.getByRole('button', { name: 'Show as text' }).click();
  await expect(mail).toContainText(customer.email);
  await expect(mail.locator('pre')).toContainText(order.number);
  await expectAccessible(page);
  await screenshots(page, 'admin-emails-text');

  // The customer sees it shipped, with the tracking number.
  const errors: string[] = [];
  const person = await newPersonContext(browser, baseURL, errors);
  await logInAs(person.page, customer);
  await person.page.goto(`/account/orders/${order.id}`);
  await expect(person.page.getByRole('heading', { name: /^Order \d+/ })).toContainText('Shipped');
  await expect(person.page.getByText('TRACK-E2E-12345')).toBeVisible();
  await person.context.close();
  expect(errors, 'console errors in the customer tab').toEqual([]);
  // Playwright's screenshots wait for fonts in every frame, which means running a script in
  // the mail's frame: the sandbox (rightly) blocks it and Chromium logs that. The mail itself
  // has no script; only these harness-made messages are dropped, once the mail's frame is gone.
  const harness =
    /^Blocked script execution in 'about:srcdoc' because the document's frame is sandboxed/;
  consoleErrors.splice(0, consoleErrors.length, ...consoleErrors.filter((e) => !harness.test(e)));
});

test('an uploaded image appears on the storefront product page; a non-image named .png is refused', async ({
  page,
  adminApi,
}) => {
  const sku = `E2E-IMG-${Date.now().toString(36)}`;
  const product = await adminApi.post<{ id: string }>('/api/v1/admin/products', {
    sku,
    name: `Image Test ${sku}`,
    description: 'A product for the image upload test.',
    price: 1234,
    stock: 5,
    active: true,
  });

  await logInAsAdmin(page);
  await page.goto(`/admin/products/${product.id}`);
  await expect(page.getByRole('heading', { name: `Image Test ${sku}` })).toBeVisible();
  await expect(page.getByText('No images yet')).toBeVisible();

  // Bytes that are not an image, under an image's name and type: refused, nothing stored.
  await page.getByLabel('Image file').setInputFiles({
    name: 'not-really.png',
    mimeType: 'image/png',
    buffer: Buffer.from('this is plain text, not a PNG'),
  });
  await page.getByRole('button', { name: 'Upload image' }).click();
  await expect(
    page.getByRole('alert').filter({ hasText: 'The image was not uploaded' }),
  ).toContainText('not an image Ordo accepts');
  await expect(page.getByText('No images yet')).toBeVisible();
  await screenshots(page, 'admin-product-refused-upload');

  const png = await sharp({
    create: { width: 400, height: 300, channels: 3, background: { r: 220, g: 80, b: 40 } },
  })
    .png()
    .toBuffer();
  await page
    .getByLabel('Image file')
    .setInputFiles({ name: 'red.png', mimeType: 'image/png', buffer: png });
  await page.getByRole('button', { name: 'Upload image' }).click();
  await expect(page.getByText('Image uploaded.')).toBeVisible();
  const images = page.getByRole('list', { name: 'Images in display order' }).getByRole('listitem');
  await expect(images).toHaveCount(1);
  await expect(images.first()).toContainText('Main image · 400×300');

  // The stock adjustment, with its reason, lands in the ledger.
  await page.getByLabel('Change').fill('-2');
  await page.getByLabel('Reason').fill('e2e: two broken in the warehouse');
  await page.getByRole('button', { name: 'Adjust stock' }).click();
  await expect(page.getByText('Stock is now 3.')).toBeVisible();
  await expect(page.getByRole('table', { name: 'Stock movements, newest first' })).toContainText(
    'e2e: two broken in the warehouse',
  );
  await expectAccessible(page);
  await screenshots(page, 'admin-product');

  const stored = await adminApi.get<{ images: { url: string; variants: { url: string }[] }[] }>(
    `/api/v1/admin/products/${product.id}`,
  );
  expect(stored.images).toHaveLength(1);
  const urls = new Set(stored.images[0]!.variants.map((v) => v.url).concat(stored.images[0]!.url));

  await page.goto(`/products/${product.id}`);
  await expect(page.getByRole('heading', { name: `Image Test ${sku}` })).toBeVisible();
  const shown = page.locator('main img').first();
  await expect(shown).toBeVisible();
  const src = await shown.evaluate(
    (img: HTMLImageElement) => new URL(img.currentSrc || img.src).pathname,
  );
  expect(urls.has(src), `${src} is one of ${[...urls].join(', ')}`).toBe(true);
  await expect
    .poll(() => shown.evaluate((img: HTMLImageElement) => img.naturalWidth))
    .toBeGreaterThan(0);
});

test('bulk cancel reports each order; a partial refund shows on the payment; the CSV export downloads the filtered list', async ({
  page,
  request,
}) => {
  const { customer, order: pending } = await customerWithOrder(request, { pay: false });
  const second = await customerWithOrder(request, { pay: false });
  const paid = await customerWithOrder(request);

  await logInAsAdmin(page);
  await page.goto('/admin/orders?status=pending_payment');
  await page.getByLabel(`Select order ${pending.number}`).check();
  await page.getByLabel(`Select order ${second.order.number}`).check();
  const bulk = page.getByRole('region', { name: 'Bulk actions' });
  await expect(bulk).toContainText('2 selected');
  await screenshots(page, 'admin-orders-selected');
  await bulk.getByRole('button', { name: 'Cancel selected' }).click();
  const dialog = page.getByRole('dialog', { name: 'Cancel the selected orders' });
  await dialog.getByLabel('Reason (optional)').fill('e2e bulk cancel');
  await dialog.getByRole('button', { name: 'Cancel 2' }).click();
  const results = page.getByRole('list', { name: 'Result per order' });
  await expect(results).toContainText(`Order ${pending.number}: now cancelled`);
  await expect(results).toContainText(`Order ${second.order.number}: now cancelled`);
  await expect(page.getByText('2 of 2 orders cancelled')).toBeVisible();
  await expect(page.getByLabel(`Select order ${pending.number}`)).toHaveCount(0);

  // Bulk ship of a paid and an unpaid order: one ships, the other is refused with the reason.
  const toShip = await customerWithOrder(request);
  const unpaid = await customerWithOrder(request, { pay: false });
  await page.goto('/admin/orders');
  await page.getByLabel(`Select order ${toShip.order.number}`).check();
  await page.getByLabel(`Select order ${unpaid.order.number}`).check();
  await bulk.getByRole('button', { name: 'Ship selected' }).click();
  const shipDialog = page.getByRole('dialog', { name: 'Ship the selected orders' });
  await expect(shipDialog).toContainText('1 of them cannot be shipped (not paid)');
  await shipDialog.getByRole('button', { name: 'Ship 2' }).click();
  await expect(page.getByText('1 of 2 orders shipped, 1 refused')).toBeVisible();
  await expect(results).toContainText(`Order ${toShip.order.number}: now shipped`);
  await expect(results).toContainText(new RegExp(`Order ${unpaid.order.number}: refused: \\S`));
  await expect(
    page.getByRole('row').filter({ hasText: `Order ${toShip.order.number}` }),
  ).toContainText('Shipped');
  await screenshots(page, 'admin-orders-bulk-result');

  // CSV of a filtered list: fetched with the session, downloaded as a file.
  await page.goto(`/admin/orders?email=${encodeURIComponent(customer.email)}`);
  await expect(page.getByRole('row')).toHaveCount(2);
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^orders-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = await (await download.createReadStream()).toArray();
  const text = Buffer.concat(csv as Buffer[]).toString('utf8');
  const lines = text.trim().split(/\r\n/);
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain(pending.number);
  expect(lines[1]).toContain(customer.email);

  // A partial refund in the shop's currency, converted exactly to minor units.
  await page.goto(`/admin/orders/${paid.order.id}`);
  await page.getByRole('button', { name: 'Refund' }).click();
  const refund = page.getByRole('dialog', { name: `Refund order ${paid.order.number}` });
  await refund.getByLabel('Part of it').check();
  await refund.getByLabel(/Amount to refund/).fill('1.005');
  await refund.getByRole('button', { name: 'Refund' }).click();
  await expect(refund.getByText('USD amounts have at most 2 decimals')).toBeVisible();
  await refund.getByLabel(/Amount to refund/).fill('1.25');
  await refund.getByLabel('Reason').fill('e2e: scratched box');
  await refund.getByRole('button', { name: 'Refund' }).click();
  await expect(refund).toBeHidden();
  await expect(page.getByText(/^Refunded \$1\.25 on order/)).toBeVisible();
  await expect(page.getByRole('heading', { name: /^Order/ })).toContainText('Partially refunded');
  await expect(page.getByRole('table', { name: 'Payments' })).toContainText('$1.25');
  await expectAccessible(page);
  await screenshots(page, 'admin-order-refunded');
});

test('roles: a customer is refused, staff see only their areas, admins everything', async ({
  page,
  request,
}) => {
  const customer = newCustomer();
  const registered = await request.post('/api/v1/auth/register', { data: customer });
  expect(registered.status()).toBe(201);
  const user = (await registered.json()) as { id: string };

  await logInAs(page, customer);
  await page.goto('/admin/orders');
  await expect(page.getByText('You do not have access to the back office')).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Back office' })).toHaveCount(0);
  await expect(page.getByRole('table')).toHaveCount(0);

  // Made staff by an admin: the next session carries the new role.
  await adminPatch(request, `/api/v1/admin/users/${user.id}`, { role: 'staff' });
  await page.getByRole('button', { name: 'Log out' }).click();
  await logInAs(page, customer, 'back office');
  await page.goto('/admin');
  const nav = page.getByRole('navigation', { name: 'Back office' });
  await expect(nav.getByRole('link')).toHaveText([
    'Dashboard',
    'Orders',
    'Emails',
    'View the shop',
  ]);
  await page.goto('/admin/products');
  await expect(page.getByRole('heading', { name: 'Products is for admins' })).toBeVisible();
  await screenshots(page, 'admin-staff-refused-products');

  await page.getByRole('button', { name: 'Log out' }).click();
  await logInAsAdmin(page);
  await page.goto('/admin/customers');
  await expect(page.getByRole('heading', { name: 'Customers' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Back office' }).getByRole('link')).toHaveCount(
    9,
  );
  // The role goes back through the UI, and the list shows it without a reload.
  await page.getByLabel('Search by email or name').fill(customer.email);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByLabel(`Role of ${customer.email}`, { exact: true }).selectOption('customer');
  await page.getByRole('button', { name: `Save role of ${customer.email}` }).click();
  await expect(page.getByText(`${customer.email} is now customer.`)).toBeVisible();
  await page.getByLabel('Role', { exact: true }).selectOption('staff');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByText('No accounts match')).toBeVisible();
  await screenshots(page, 'admin-customers');
});

test('admin deep links reload, and the other admin pages render', async ({ page, request }) => {
  const { order } = await customerWithOrder(request);
  await logInAsAdmin(page);

  await page.goto('/admin/orders?status=paid&page=1');
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Orders' })).toBeVisible();
  await expect(page.getByLabel('Status')).toHaveValue('paid');

  await page.goto(`/admin/orders/${order.id}`);
  await page.reload();
  await expect(
    page.getByRole('heading', { name: new RegExp(`^Order ${order.number}`) }),
  ).toBeVisible();

  await page.goto('/admin/products?q=lamp');
  await page.reload();
  await expect(page.getByLabel('Search by name or SKU')).toHaveValue('lamp');
  await expect(page.getByRole('row').filter({ hasText: 'Brass Desk Lamp' })).toHaveCount(1);
  await screenshots(page, 'admin-products');

  // A new product, then archived: it leaves the active list and the shop.
  await page.getByRole('link', { name: 'New product' }).click();
  const sku = `E2E-NEW-${Date.now().toString(36)}`;
  await page.getByLabel('Name').fill(`New ${sku}`);
  await page.getByLabel('SKU').fill(sku);
  await page.getByLabel('Price (USD)').fill('12.345');
  await page.getByRole('button', { name: 'Create product' }).click();
  await expect(page.getByText('USD amounts have at most 2 decimals')).toBeVisible();
  await page.getByLabel('Price (USD)').fill('12.30');
  await page.getByLabel('Stock', { exact: true }).fill('7');
  await page.getByRole('button', { name: 'Create product' }).click();
  await expect(page.getByRole('heading', { name: `New ${sku}` })).toContainText('Active');
  await expect(page.getByLabel('Price (USD)')).toHaveValue('12.30');
  // An edit says it was saved, and the form then holds the saved product.
  await page.getByLabel('Description').fill('Edited by the browser test');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('Saved.')).toBeVisible();
  await expect(page.getByLabel('Description')).toHaveValue('Edited by the browser test');
  await page.getByRole('button', { name: 'Archive product' }).click();
  await expect(page.getByRole('heading', { name: `New ${sku}` })).toContainText('Archived');
  await page.goto(`/admin/products?q=${sku}`);
  await expect(page.getByText('No products match')).toBeVisible();
  await page.getByLabel('Include archived').check();
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByRole('row').filter({ hasText: sku })).toContainText('Archived');

  await page.goto('/admin/promo-codes');
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Promo codes' })).toBeVisible();
  await page.getByRole('link', { name: 'New promo code' }).click();
  const code = `E2EADM${Date.now().toString(36).toUpperCase()}`;
  await page.getByLabel('Code').fill(code);
  await page.getByLabel('Percent off').fill('12.5');
  await page.getByLabel(/Largest discount/).fill('20');
  await page.getByRole('button', { name: 'Create promo code' }).click();
  await expect(page.getByRole('heading', { name: code })).toBeVisible();
  await expect(page.getByText('12.5% off (at most $20.00)')).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Percent off')).toHaveValue('12.5');
  await page.getByRole('button', { name: 'Deactivate' }).click();
  await expect(page.getByRole('heading', { name: code })).toContainText('Inactive');
  await screenshots(page, 'admin-promo-code');
  await page.goto('/admin/promo-codes');
  await expect(page.getByRole('row').filter({ hasText: code })).toContainText('Inactive');
  await screenshots(page, 'admin-promo-codes');

  await page.goto('/admin/jobs');
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Failed jobs' })).toBeVisible();
  await expect(page.getByText('No failed jobs').or(page.getByRole('table'))).toBeVisible();
  await screenshots(page, 'admin-jobs');
});

test('an order is found and shipped from the keyboard alone', async ({ page, request }) => {
  const { order } = await customerWithOrder(request);
  await logInAsAdmin(page);
  await page.goto('/admin');
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();

  // Tab order: the skip link first, then the navigation.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  const ordersLink = page
    .getByRole('navigation', { name: 'Back office' })
    .getByRole('link', { name: 'Orders' });
  await tabTo(page, ordersLink);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Orders', exact: true, level: 1 })).toBeVisible();

  const orderLink = page.getByRole('link', { name: `Order ${order.number}`, exact: true });
  await tabTo(page, orderLink);
  await page.keyboard.press('Enter');
  await expect(
    page.getByRole('heading', { name: new RegExp(`^Order ${order.number}`) }),
  ).toBeVisible();

  await tabTo(page, page.getByRole('button', { name: 'Ship', exact: true }));
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: `Ship order ${order.number}` });
  await expect(dialog.getByLabel('Carrier')).toBeFocused();
  await page.keyboard.type('UPS');
  await page.keyboard.press('Tab');
  await expect(dialog.getByLabel('Tracking number')).toBeFocused();
  await page.keyboard.type('1Z-KEYBOARD');
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(
    page.getByRole('heading', { name: new RegExp(`^Order ${order.number}`) }),
  ).toContainText('Shipped');
  await expect(page.getByText('1Z-KEYBOARD')).toBeVisible();
});

test('ship asks for tracking or an explicit choice without; tracking added afterwards shows on the order, for staff and the customer; the list finds an order by its number', async ({
  page,
  request,
  browser,
  baseURL,
}) => {
  const { customer, order } = await customerWithOrder(request);
  await logInAsAdmin(page);

  // The search box finds the order by its number (typed with a #), and only it.
  await page.goto('/admin/orders');
  await page.getByLabel('Order number').fill(`#${order.number}`);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(new RegExp(`number=${order.number}`));
  await expect(page.getByRole('row')).toHaveCount(2);
  await page.getByRole('link', { name: `Order ${order.number}`, exact: true }).click();

  // Ship: both fields are asked for; shipping without tracking is a choice of its own.
  await page.getByRole('button', { name: 'Ship', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Ship order ${order.number}` });
  await dialog.getByRole('button', { name: 'Ship', exact: true }).click();
  await expect(dialog.getByText('Enter the carrier')).toBeVisible();
  await expect(dialog.getByText('Enter the tracking number')).toBeVisible();
  await dialog.getByLabel('Ship without tracking').check();
  await expect(dialog.getByLabel('Carrier')).toBeDisabled();
  await expectAccessible(page);
  await dialog.getByRole('button', { name: 'Ship without tracking' }).click();
  await expect(dialog).toBeHidden();
  const heading = page.getByRole('heading', { name: new RegExp(`^Order ${order.number}`) });
  await expect(heading).toContainText('Shipped');

  // Tracking added afterwards.
  await page.getByRole('button', { name: 'Add tracking' }).click();
  const tracking = page.getByRole('dialog', { name: `Add tracking for order ${order.number}` });
  await tracking.getByLabel('Carrier').fill('DHL');
  await tracking.getByLabel('Tracking number').fill('LATE-TRACK-777');
  await tracking.getByRole('button', { name: 'Save tracking' }).click();
  await expect(tracking).toBeHidden();
  await expect(page.getByText(`Tracking of order ${order.number} saved`)).toBeVisible();
  await expect(page.getByText('LATE-TRACK-777', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Correct tracking' })).toBeVisible();
  // History names people, never raw account ids.
  const history = page.getByRole('list', { name: 'Order history' });
  await expect(history.getByRole('listitem')).toHaveCount(4);
  await expect(history).not.toContainText('usr_');
  await expect(history.getByRole('listitem').last()).toContainText('tracking: DHL LATE-TRACK-777');
  await screenshots(page, 'admin-order-tracking-added');

  // The customer sees it on their order page.
  const errors: string[] = [];
  const person = await newPersonContext(browser, baseURL, errors);
  await logInAs(person.page, customer);
  await person.page.goto(`/account/orders/${order.id}`);
  await expect(person.page.getByText('LATE-TRACK-777', { exact: true })).toBeVisible();
  await expect(person.page.getByText('Carrier: DHL')).toBeVisible();
  await expect(person.page.getByText('Tracking updated: DHL LATE-TRACK-777')).toBeVisible();
  await person.context.close();
  expect(errors, 'console errors in the customer tab').toEqual([]);
});

async function tabTo(page: Page, target: Locator): Promise<void> {
  for (let i = 0; i < 60; i += 1) {
    if (await target.evaluate((el) => el === el.ownerDocument.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  await expect(target).toBeFocused();
}

test('the refund dialog restocks the units staff choose: none for part of the amount, all for everything left before shipping', async ({
  page,
  request,
  adminApi,
}) => {
  const { order } = await customerWithOrder(request);
  const { lines } = await adminApi.get<{ lines: { productId: string; name: string }[] }>(
    `/api/v1/orders/${order.id}`,
  );
  const line = lines[0]!;
  const restocksOfOrder = async () =>
    (
      await adminApi.get<{ items: { kind: string; delta: number; orderId: string | null }[] }>(
        `/api/v1/admin/products/${line.productId}/stock-movements?pageSize=100`,
      )
    ).items.filter((m) => m.kind === 'restock' && m.orderId === order.id);

  await logInAsAdmin(page);
  await page.goto(`/admin/orders/${order.id}`);
  await page.getByRole('button', { name: 'Refund' }).click();
  const refund = page.getByRole('dialog', { name: `Refund order ${order.number}` });
  const units = refund.getByLabel(`${line.name}: units back to stock`);
  // Everything left on an order not shipped: its units go back, as a cancel would.
  await expect(units).toHaveValue('1');
  // Part of it (a goodwill refund): the goods still ship, so nothing goes back unless chosen.
  await refund.getByLabel('Part of it').check();
  await expect(units).toHaveValue('0');
  await refund.getByLabel(/Amount to refund/).fill('1.00');
  await refund.getByRole('button', { name: 'Refund' }).click();
  await expect(refund).toBeHidden();
  await expect(page.getByText(/^Refunded \$1\.00 on order/)).toBeVisible();
  expect(await restocksOfOrder()).toEqual([]);

  // A second partial refund whose staff member chooses to put the unit back.
  await page.getByRole('button', { name: 'Refund' }).click();
  await refund.getByLabel('Part of it').check();
  await refund.getByLabel(/Amount to refund/).fill('1.00');
  await units.fill('1');
  await screenshots(page, 'admin-order-refund-restock');
  await refund.getByRole('button', { name: 'Refund' }).click();
  await expect(refund).toBeHidden();
  expect(await restocksOfOrder()).toEqual([expect.objectContaining({ delta: 1 })]);
});

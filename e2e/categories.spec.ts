import type { Page } from '@playwright/test';
import { expect, expectAccessible, SCREENSHOTS, screenshots, test } from './fixtures.js';
import { adminPatch, logInAsAdmin, newPersonContext } from './admin-helpers.js';
import { catalog } from './helpers.js';
import { card } from './person-helpers.js';

/** The project's phone and desktop shots, and one at 360 px, the narrowest phone we design for. */
async function shotsWithNarrowPhone(page: Page, name: string): Promise<void> {
  await screenshots(page, name);
  const original = page.viewportSize();
  await page.setViewportSize({ width: 360, height: 780 });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}-phone-360.png`, fullPage: true });
  if (original) await page.setViewportSize(original);
}

test('an admin builds a category tree and files products in it; a shopper browses by category, keeping the other filters', async ({
  page,
  request,
  browser,
  baseURL,
  consoleErrors,
}) => {
  const tag = Date.now().toString(36);
  const kitchen = `Kitchen ${tag}`;
  const cookware = `Cookware ${tag}`;
  const knives = `Knives ${tag}`;
  const garden = `Garden ${tag}`;
  const products = await catalog(page);
  const pan = products.find((p) => p.name === 'Cast Iron Skillet, 26 cm')!;
  const kettle = products.find((p) => p.name === 'Gooseneck Pour-Over Kettle, 1 L')!;
  const lamp = products.find((p) => p.name === 'Brass Desk Lamp')!;
  expect([pan, kettle, lamp].every(Boolean)).toBe(true);

  // --- the back office: the tree ---
  await logInAsAdmin(page);
  await page
    .getByRole('navigation', { name: 'Back office' })
    .getByRole('link', { name: 'Categories' })
    .click();
  await expect(page.getByRole('heading', { name: 'Categories', level: 1 })).toBeVisible();

  const form = page.getByRole('form', { name: 'New category' });
  const create = async (name: string, parent?: string) => {
    await form.getByLabel('Name').fill(name);
    if (parent) await form.getByLabel('Parent category').selectOption({ label: parent });
    await form.getByRole('button', { name: 'Create category' }).click();
    await expect(form.getByText(`Created ${name}`)).toBeVisible();
  };
  await create(kitchen);
  await create(cookware, kitchen);
  await create(garden);
  // The parent select indents subcategories; pick Cookware by its shown (indented) label.
  await form.getByLabel('Name').fill(knives);
  const cookwareOption = form
    .getByLabel('Parent category')
    .locator('option', { hasText: cookware });
  await form.getByLabel('Parent category').selectOption({
    label: (await cookwareOption.textContent())!,
  });
  await form.getByRole('button', { name: 'Create category' }).click();
  await expect(form.getByText(`Created ${knives}`)).toBeVisible();

  // Knives is under Cookware: move it to Kitchen through Edit, and rename it.
  const tree = card(page, 'Category tree');
  const row = (name: string) => tree.getByRole('listitem').filter({ hasText: name }).last();
  await row(knives)
    .getByRole('button', { name: `Edit ${knives}` })
    .click();
  const edit = page.getByRole('dialog', { name: `Edit ${knives}` });
  await expect(edit.getByLabel('Slug')).toHaveValue(`knives-${tag}`);
  // The category cannot move under itself: it is not offered.
  await expect(
    edit.getByLabel('Parent category').locator('option', { hasText: knives }),
  ).toHaveCount(0);
  await edit.getByLabel('Name').fill(`Cutlery ${tag}`);
  await edit.getByLabel('Parent category').selectOption({ label: kitchen });
  await edit.getByRole('button', { name: 'Save category' }).click();
  await expect(edit).toBeHidden();
  const cutlery = `Cutlery ${tag}`;
  // Renamed, slug kept, and now a child of Kitchen beside Cookware.
  await expect(row(cutlery)).toContainText(`knives-${tag}`);
  const kitchenItem = tree.getByRole('listitem').filter({ hasText: kitchen }).first();
  await expect(kitchenItem.getByRole('listitem')).toHaveText([
    new RegExp(`^${cookware}`),
    new RegExp(`^${cutlery}`),
  ]);

  // An empty category is deleted; a non-empty one says why it cannot be.
  await row(garden)
    .getByRole('button', { name: `Delete ${garden}` })
    .click();
  await page
    .getByRole('dialog', { name: `Delete ${garden}?` })
    .getByRole('button', { name: 'Delete category' })
    .click();
  await expect(tree.getByText(garden)).toHaveCount(0);
  await row(kitchen)
    .getByRole('button', { name: `Delete ${kitchen}` })
    .first()
    .click();
  const refused = page.getByRole('dialog', { name: `Delete ${kitchen}?` });
  await expect(refused.getByText('It still has 2 subcategories')).toBeVisible();
  await expect(refused.getByRole('button', { name: 'Delete category' })).toHaveCount(0);
  await refused.getByRole('button', { name: 'Close' }).click();
  await expectAccessible(page);
  await shotsWithNarrowPhone(page, 'admin-categories');

  // --- the back office: a product's categories, chosen on its page ---
  await page.goto(`/admin/products/${pan.id}`);
  const chooser = card(page, 'Categories');
  await chooser.getByRole('checkbox', { name: cookware }).check();
  await chooser.getByRole('button', { name: 'Save categories' }).click();
  await expect(chooser.getByText('Categories saved.')).toBeVisible();
  await page.reload();
  await expect(card(page, 'Categories').getByRole('checkbox', { name: cookware })).toBeChecked();
  await expectAccessible(page);
  await shotsWithNarrowPhone(page, 'admin-product-categories');
  // The kettle in Kitchen and in Cookware (listed once), the lamp in none of them.
  interface Node {
    id: string;
    name: string;
    children: Node[];
  }
  const flat = (nodes: Node[]): Node[] => nodes.flatMap((n) => [n, ...flat(n.children)]);
  const all = flat((await (await request.get('/api/v1/categories')).json()) as Node[]);
  const ids = Object.fromEntries(all.map((n) => [n.name, n.id]));
  await adminPatch(request, `/api/v1/admin/products/${kettle.id}`, {
    categoryIds: [ids[kitchen], ids[cookware]],
  });

  // --- the shop: a shopper browses by category ---
  const { context, page: shop } = await newPersonContext(browser, baseURL, consoleErrors);
  await shop.goto('/?maxPrice=100000&sort=price');
  const nav = shop.getByRole('navigation', { name: 'Categories' });
  await expect(nav.getByRole('link', { name: 'All products' })).toHaveAttribute(
    'aria-current',
    'page',
  );
  await nav.getByRole('link', { name: kitchen }).click();
  await expect(shop).toHaveURL(new RegExp(`category=kitchen-${tag}`));
  await expect(shop).toHaveURL(/maxPrice=100000/);
  await expect(shop).toHaveURL(/sort=price/);
  const listed = shop.getByRole('region', { name: 'Products' });
  await expect(listed.getByText(`2 products in ${kitchen}`)).toBeVisible();
  const names = listed.getByRole('listitem').getByRole('link');
  // Sorted by price, low to high, each product once.
  const byPrice = [pan, kettle].sort((a, b) => a.price - b.price).map((p) => p.name);
  await expect(names).toHaveText(byPrice);
  await expect(listed.getByRole('link', { name: lamp.name })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: kitchen })).toHaveAttribute('aria-current', 'page');
  await expect(nav.getByRole('link', { name: 'All products' })).not.toHaveAttribute(
    'aria-current',
    'page',
  );
  await expectAccessible(shop);
  await shotsWithNarrowPhone(shop, 'shop-category');

  // Its subcategories show under it; Cutlery holds nothing.
  await nav.getByRole('link', { name: cutlery }).click();
  await expect(shop.getByText('No products match')).toBeVisible();
  await nav.getByRole('link', { name: cookware }).click();
  await expect(listed.getByText(`2 products in ${cookware}`)).toBeVisible();

  // The product page lists its categories as links back into the catalog.
  await listed.getByRole('link', { name: pan.name }).click();
  const categories = shop.getByRole('list', { name: 'Categories:' });
  await expect(categories.getByRole('link')).toHaveText([cookware]);
  await expectAccessible(shop);
  await shotsWithNarrowPhone(shop, 'shop-product-categories');
  await categories.getByRole('link', { name: cookware }).click();
  await expect(shop).toHaveURL(new RegExp(`category=cookware-${tag}`));
  await expect(listed.getByText(`2 products in ${cookware}`)).toBeVisible();

  // All products again.
  await nav.getByRole('link', { name: 'All products' }).click();
  await expect(shop).not.toHaveURL(/category=/);
  await context.close();
});

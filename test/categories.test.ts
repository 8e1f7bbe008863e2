import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { createContext } from '../src/context.js';
import { openDatabase } from '../src/db/client.js';
import { createAdmin, createProduct, createUser, type TestUser } from './helpers/factories.js';
import {
  buildTestApp,
  HttpClient,
  type HttpResponse,
  type RequestOptions,
  type TestApp,
} from './helpers/test-app.js';

let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  t = await buildTestApp();
  admin = await createAdmin(t);
});
afterAll(() => t.close());

/** Tests share one database: each names its categories and products with a word of its own. */
const word = () => `w${randomBytes(6).toString('hex')}`;
const asAdmin = (): RequestOptions => ({ token: admin.token });

interface Node {
  id: string;
  slug: string;
  name: string;
  parentId: string | null;
  children: Node[];
}

function expectProblem(res: HttpResponse, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body).toMatchObject({ status, code });
}

async function createCategory(body: { name: string; slug?: string; parentId?: string | null }) {
  const res = await t.http.post('/api/v1/admin/categories', body, asAdmin());
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; slug: string; name: string; parentId: string | null };
}

const patchCategory = (id: string, body: Record<string, unknown>) =>
  t.http.patch(`/api/v1/admin/categories/${id}`, body, asAdmin());

async function tree(http: HttpClient = t.http): Promise<Node[]> {
  const res = await http.get('/api/v1/categories');
  expect(res.status).toBe(200);
  return res.body as Node[];
}

function find(nodes: Node[], id: string): Node | undefined {
  for (const node of nodes) {
    if (node.id === id) return node;
    const below = find(node.children, id);
    if (below) return below;
  }
  return undefined;
}

/** Every category in the tree, flattened. */
const all = (nodes: Node[]): Node[] => nodes.flatMap((n) => [n, ...all(n.children)]);

const shape = (node: Node): unknown => [node.name, node.children.map(shape)];

const listIds = async (query: string, http: HttpClient = t.http) => {
  const res = await http.get(`/api/v1/products?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { ids: res.body.items.map((p: { id: string }) => p.id), total: res.body.total as number };
};

async function setCategories(productId: string, categoryIds: string[]) {
  const res = await t.http.patch(`/api/v1/admin/products/${productId}`, { categoryIds }, asAdmin());
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

describe('the category tree', () => {
  it('answers every category with its children in creation order, to any depth', async () => {
    const w = word();
    const root = await createCategory({ name: `${w} Kitchen` });
    const cookware = await createCategory({ name: `${w} Cookware`, parentId: root.id });
    const knives = await createCategory({ name: `${w} Knives`, parentId: root.id });
    const pans = await createCategory({ name: `${w} Pans`, parentId: cookware.id });
    const skillets = await createCategory({ name: `${w} Skillets`, parentId: pans.id });

    const nodes = await tree();
    const node = find(nodes, root.id)!;
    expect(nodes).toContainEqual(node); // top level
    expect(shape(node)).toEqual([
      `${w} Kitchen`,
      [
        [`${w} Cookware`, [[`${w} Pans`, [[`${w} Skillets`, []]]]]],
        [`${w} Knives`, []],
      ],
    ]);
    // Exactly the contract's fields, with each child naming its parent.
    expect(Object.keys(node).sort()).toEqual(['children', 'id', 'name', 'parentId', 'slug']);
    expect(node.parentId).toBeNull();
    expect(find(nodes, knives.id)!.parentId).toBe(root.id);
    expect(find(nodes, skillets.id)).toMatchObject({ parentId: pans.id, slug: `${w}-skillets` });
  });

  it('is public, and answers 304 to its current ETag and a new body after a rename', async () => {
    const w = word();
    const category = await createCategory({ name: `${w} Lamps` });
    const first = await t.http.get('/api/v1/categories');
    const etag = first.headers.get('etag')!;
    expect(etag).toBeTruthy();
    expect(first.headers.get('cache-control')).toBe('no-cache');
    const again = await t.http.get('/api/v1/categories', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);

    expect((await patchCategory(category.id, { name: `${w} Lights` })).status).toBe(200);
    const renamed = await t.http.get('/api/v1/categories', { headers: { 'if-none-match': etag } });
    expect(renamed.status).toBe(200);
    expect(renamed.headers.get('etag')).not.toBe(etag);
    expect(find(renamed.body, category.id)).toMatchObject({
      name: `${w} Lights`,
      slug: `${w}-lamps`,
    });
  });

  it('shows the admin tree with product counts to admins only', async () => {
    const w = word();
    const category = await createCategory({ name: `${w} Vases` });
    await createProduct(t, { name: `${w} vase` }).then((p) => setCategories(p.id, [category.id]));
    const res = await t.http.get('/api/v1/admin/categories', asAdmin());
    expect(res.status).toBe(200);
    const node = all(res.body).find((n) => n.id === category.id) as unknown as Record<
      string,
      unknown
    >;
    expect(node).toMatchObject({ productCount: 1, position: expect.any(Number) });

    expectProblem(await t.http.get('/api/v1/admin/categories'), 401, 'UNAUTHENTICATED');
    const customer = await createUser(t);
    expectProblem(
      await t.http.post('/api/v1/admin/categories', { name: 'x' }, { token: customer.token }),
      403,
      'FORBIDDEN',
    );
  });
});

describe('slugs', () => {
  it('makes a slug from the name on create, and numbers one already taken', async () => {
    const w = word();
    const first = await createCategory({ name: `Café & ${w} Cups` });
    expect(first.slug).toBe(`cafe-${w}-cups`);
    const second = await createCategory({ name: `Cafe ${w} cups` });
    expect(second.slug).toBe(`cafe-${w}-cups-2`);
    const third = await createCategory({ name: `Cafe ${w} cups`, parentId: second.id });
    expect(third.slug).toBe(`cafe-${w}-cups-3`);
  });

  it('keeps the slug through a rename and a move, and changes it only when asked', async () => {
    const w = word();
    const category = await createCategory({ name: `${w} Mugs` });
    const other = await createCategory({ name: `${w} Tableware` });
    const renamed = await patchCategory(category.id, { name: `${w} Cups and mugs` });
    expect(renamed.body).toMatchObject({ name: `${w} Cups and mugs`, slug: `${w}-mugs` });
    const moved = await patchCategory(category.id, { parentId: other.id });
    expect(moved.body).toMatchObject({ parentId: other.id, slug: `${w}-mugs` });
    const reslugged = await patchCategory(category.id, { slug: `${w}-cups` });
    expect(reslugged.status).toBe(200);
    expect(reslugged.body.slug).toBe(`${w}-cups`);
    expect(find(await tree(), category.id)!.slug).toBe(`${w}-cups`);
  });

  it('refuses a slug another category has with SLUG_TAKEN, on create and on patch, and changes nothing', async () => {
    const w = word();
    const taken = await createCategory({ name: `${w} Tea`, slug: `${w}-tea` });
    const other = await createCategory({ name: `${w} Coffee` });
    const before = all(await tree()).length;

    expectProblem(
      await t.http.post(
        '/api/v1/admin/categories',
        { name: 'Tea again', slug: taken.slug },
        asAdmin(),
      ),
      409,
      'SLUG_TAKEN',
    );
    expect(all(await tree())).toHaveLength(before);

    expectProblem(
      await patchCategory(other.id, { slug: taken.slug, name: 'Renamed' }),
      409,
      'SLUG_TAKEN',
    );
    expect(find(await tree(), other.id)).toMatchObject({
      slug: `${w}-coffee`,
      name: `${w} Coffee`,
    });
  });

  it('refuses a slug that is not lowercase dash-joined words with VALIDATION_FAILED', async () => {
    const w = word();
    const before = all(await tree()).length;
    for (const slug of ['Tea', 'tea cups', '-tea', 'tea--cups', 'tée', '']) {
      expectProblem(
        await t.http.post('/api/v1/admin/categories', { name: w, slug }, asAdmin()),
        400,
        'VALIDATION_FAILED',
      );
    }
    expect(all(await tree())).toHaveLength(before);
  });
});

describe('moving categories', () => {
  it('moves a category with its subtree under another parent, after its children, and to the top level', async () => {
    const w = word();
    const a = await createCategory({ name: `${w} A` });
    const b = await createCategory({ name: `${w} B` });
    const b1 = await createCategory({ name: `${w} B1`, parentId: b.id });
    const a1 = await createCategory({ name: `${w} A1`, parentId: a.id });
    await createCategory({ name: `${w} A1x`, parentId: a1.id });

    expect((await patchCategory(a1.id, { parentId: b.id })).status).toBe(200);
    expect(shape(find(await tree(), b.id)!)).toEqual([
      `${w} B`,
      [
        [`${w} B1`, []],
        [`${w} A1`, [[`${w} A1x`, []]]],
      ],
    ]);
    expect(find(await tree(), a.id)!.children).toEqual([]);
    expect(b1.parentId).toBe(b.id);

    const top = await patchCategory(a1.id, { parentId: null });
    expect(top.body.parentId).toBeNull();
    expect((await tree()).map((n) => n.id)).toContain(a1.id);
  });

  it('refuses a move under the category itself or its descendants with CATEGORY_CYCLE and changes nothing', async () => {
    const w = word();
    const root = await createCategory({ name: `${w} Root` });
    const child = await createCategory({ name: `${w} Child`, parentId: root.id });
    const grandchild = await createCategory({ name: `${w} Grandchild`, parentId: child.id });
    const before = shape(find(await tree(), root.id)!);

    for (const parentId of [root.id, child.id, grandchild.id]) {
      expectProblem(
        await patchCategory(root.id, { parentId, name: 'Moved' }),
        409,
        'CATEGORY_CYCLE',
      );
    }
    expectProblem(
      await patchCategory(child.id, { parentId: grandchild.id }),
      409,
      'CATEGORY_CYCLE',
    );
    const after = await tree();
    expect(shape(find(after, root.id)!)).toEqual(before);
    expect(after.map((n) => n.id)).toContain(root.id);
  });

  it('lets only one of two crossing moves (A under B, B under A) through when they race', async () => {
    for (let round = 0; round < 5; round++) {
      const w = word();
      const a = await createCategory({ name: `${w} A` });
      const b = await createCategory({ name: `${w} B` });
      const [ab, ba] = await Promise.all([
        patchCategory(a.id, { parentId: b.id }),
        patchCategory(b.id, { parentId: a.id }),
      ]);
      expect([ab.status, ba.status].sort()).toEqual([200, 409]);
      const loser = ab.status === 409 ? ab : ba;
      expect(loser.body.code).toBe('CATEGORY_CYCLE');
      // Exactly one is at the top level, the other under it.
      const top = (await tree()).filter((n) => n.id === a.id || n.id === b.id);
      expect(top).toHaveLength(1);
      expect(top[0]!.children.map((n) => n.id)).toEqual([top[0]!.id === a.id ? b.id : a.id]);
    }
  });

  it('refuses an unknown parent with CATEGORY_UNKNOWN on create and on move, and changes nothing', async () => {
    const w = word();
    const category = await createCategory({ name: `${w} Rugs` });
    const before = all(await tree()).length;
    expectProblem(
      await t.http.post(
        '/api/v1/admin/categories',
        { name: `${w} Orphan`, parentId: 'cat_nope' },
        asAdmin(),
      ),
      422,
      'CATEGORY_UNKNOWN',
    );
    expectProblem(
      await patchCategory(category.id, { parentId: 'cat_nope' }),
      422,
      'CATEGORY_UNKNOWN',
    );
    const after = await tree();
    expect(all(after)).toHaveLength(before);
    expect(find(after, category.id)!.parentId).toBeNull();
  });

  it('answers 404 for an unknown category and 400 for a bad body', async () => {
    expectProblem(await patchCategory('cat_nope', { name: 'x' }), 404, 'NOT_FOUND');
    expectProblem(
      await t.http.delete('/api/v1/admin/categories/cat_nope', asAdmin()),
      404,
      'NOT_FOUND',
    );
    const category = await createCategory({ name: word() });
    expectProblem(await patchCategory(category.id, {}), 400, 'VALIDATION_FAILED');
    expectProblem(await patchCategory(category.id, { name: '  ' }), 400, 'VALIDATION_FAILED');
    expectProblem(await patchCategory(category.id, { colour: 'red' }), 400, 'VALIDATION_FAILED');
    expectProblem(
      await t.http.post('/api/v1/admin/categories', { slug: 'no-name' }, asAdmin()),
      400,
      'VALIDATION_FAILED',
    );
  });
});

describe('deleting categories', () => {
  it('deletes an empty category', async () => {
    const category = await createCategory({ name: word() });
    const res = await t.http.delete(`/api/v1/admin/categories/${category.id}`, asAdmin());
    expect(res.status).toBe(204);
    expect(find(await tree(), category.id)).toBeUndefined();
  });

  it('refuses a category with subcategories or products with CATEGORY_NOT_EMPTY, and deletes it once emptied', async () => {
    const w = word();
    const parent = await createCategory({ name: `${w} Parent` });
    const child = await createCategory({ name: `${w} Child`, parentId: parent.id });
    const product = await createProduct(t, { name: `${w} thing` });
    await setCategories(product.id, [child.id]);

    expectProblem(
      await t.http.delete(`/api/v1/admin/categories/${parent.id}`, asAdmin()),
      409,
      'CATEGORY_NOT_EMPTY',
    );
    expectProblem(
      await t.http.delete(`/api/v1/admin/categories/${child.id}`, asAdmin()),
      409,
      'CATEGORY_NOT_EMPTY',
    );
    expect(find(await tree(), child.id)).toBeDefined();
    expect((await t.http.get(`/api/v1/products/${product.id}`)).body.categories).toHaveLength(1);

    await setCategories(product.id, []);
    expect((await t.http.delete(`/api/v1/admin/categories/${child.id}`, asAdmin())).status).toBe(
      204,
    );
    expect((await t.http.delete(`/api/v1/admin/categories/${parent.id}`, asAdmin())).status).toBe(
      204,
    );
    expect(find(await tree(), parent.id)).toBeUndefined();
  });

  it('deletes a category whose only products are archived, taking them out of it', async () => {
    const w = word();
    const category = await createCategory({ name: `${w} Old` });
    const product = await createProduct(t, { name: `${w} old thing` });
    await setCategories(product.id, [category.id]);
    expect((await t.http.delete(`/api/v1/admin/products/${product.id}`, asAdmin())).status).toBe(
      204,
    );

    expect((await t.http.delete(`/api/v1/admin/categories/${category.id}`, asAdmin())).status).toBe(
      204,
    );
    const archived = await t.http.get(`/api/v1/admin/products/${product.id}`, asAdmin());
    expect(archived.body.categories).toEqual([]);
  });
});

describe("a product's categories", () => {
  it('sets categoryIds on create and lists them as {id, slug, name} in every product answer', async () => {
    const w = word();
    const tea = await createCategory({ name: `${w} Tea` });
    const gifts = await createCategory({ name: `${w} Gifts` });
    const created = await t.http.post(
      '/api/v1/admin/products',
      {
        sku: `${w}-TEA`,
        name: `${w} green tea`,
        price: 900,
        stock: 3,
        categoryIds: [tea.id, gifts.id, tea.id],
      },
      asAdmin(),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const expected = [
      { id: gifts.id, slug: gifts.slug, name: gifts.name },
      { id: tea.id, slug: tea.slug, name: tea.name },
    ];
    expect(created.body.categories).toEqual(expected);
    const id = created.body.id as string;
    expect((await t.http.get(`/api/v1/products/${id}`)).body.categories).toEqual(expected);
    expect((await t.http.get(`/api/v1/admin/products/${id}`, asAdmin())).body.categories).toEqual(
      expected,
    );
    const listed = await t.http.get(`/api/v1/products?q=${w}`);
    expect(listed.body.items[0].categories).toEqual(expected);
    // A product in no category says so.
    const bare = await createProduct(t, { name: `${w} plain` });
    expect(bare.categories).toEqual([]);
  });

  it('replaces the categories on patch, and an empty list takes the product out of all', async () => {
    const w = word();
    const a = await createCategory({ name: `${w} A` });
    const b = await createCategory({ name: `${w} B` });
    const product = await createProduct(t, { name: `${w} thing` });
    expect((await setCategories(product.id, [a.id])).categories.map((c: Node) => c.id)).toEqual([
      a.id,
    ]);
    expect((await setCategories(product.id, [b.id])).categories.map((c: Node) => c.id)).toEqual([
      b.id,
    ]);
    expect(
      (await t.http.get(`/api/v1/products/${product.id}`)).body.categories.map((c: Node) => c.id),
    ).toEqual([b.id]);
    expect((await setCategories(product.id, [])).categories).toEqual([]);
  });

  it('refuses an unknown category id with CATEGORY_UNKNOWN, on create and patch, and changes nothing', async () => {
    const w = word();
    const known = await createCategory({ name: `${w} Known` });
    const res = await t.http.post(
      '/api/v1/admin/products',
      { sku: `${w}-X`, name: `${w} x`, price: 100, stock: 5, categoryIds: [known.id, 'cat_nope'] },
      asAdmin(),
    );
    expectProblem(res, 422, 'CATEGORY_UNKNOWN');
    expect(res.body.details).toEqual([{ categoryId: 'cat_nope' }]);
    expect((await t.http.get(`/api/v1/admin/products?q=${w}`, asAdmin())).body.total).toBe(0);

    const product = await createProduct(t, { name: `${w} y`, price: 100 });
    await setCategories(product.id, [known.id]);
    expectProblem(
      await t.http.patch(
        `/api/v1/admin/products/${product.id}`,
        { price: 200, categoryIds: ['cat_nope'] },
        asAdmin(),
      ),
      422,
      'CATEGORY_UNKNOWN',
    );
    const after = await t.http.get(`/api/v1/admin/products/${product.id}`, asAdmin());
    expect(after.body.price).toBe(100);
    expect(after.body.categories.map((c: Node) => c.id)).toEqual([known.id]);
  });

  it("shows a category's new name in its products' answers on the next read", async () => {
    const w = word();
    const category = await createCategory({ name: `${w} Before` });
    const product = await createProduct(t, { name: `${w} item` });
    await setCategories(product.id, [category.id]);
    const detail = `/api/v1/products/${product.id}`;
    const list = `/api/v1/products?category=${category.slug}`;
    for (const path of [detail, list, detail, list])
      expect((await t.http.get(path)).status).toBe(200);

    expect((await patchCategory(category.id, { name: `${w} After` })).status).toBe(200);
    expect((await t.http.get(detail)).body.categories[0].name).toBe(`${w} After`);
    expect((await t.http.get(list)).body.items[0].categories[0].name).toBe(`${w} After`);
  });
});

describe('the catalog filtered by category', () => {
  // home > (kitchen > cookware), garden; products placed so that one is in a category and in
  // its child, one only deep down, one elsewhere, one nowhere.
  let w: string;
  let home: { id: string; slug: string };
  let kitchen: { id: string; slug: string };
  let cookware: { id: string; slug: string };
  let garden: { id: string; slug: string };
  let both: string; // in home and in kitchen
  let deep: string; // in cookware
  let outside: string; // in garden
  let cheapDeep: string; // in cookware, cheap
  beforeAll(async () => {
    w = word();
    home = await createCategory({ name: `${w} Home` });
    kitchen = await createCategory({ name: `${w} Kitchen`, parentId: home.id });
    cookware = await createCategory({ name: `${w} Cookware`, parentId: kitchen.id });
    garden = await createCategory({ name: `${w} Garden` });
    const make = async (name: string, price: number, categoryIds: string[]) => {
      const product = await createProduct(t, { name: `${w} ${name}`, price });
      if (categoryIds.length) await setCategories(product.id, categoryIds);
      t.clock.advance(1000);
      return product.id;
    };
    both = await make('kettle', 3000, [home.id, kitchen.id]);
    deep = await make('skillet', 5000, [cookware.id]);
    outside = await make('hose', 2000, [garden.id]);
    cheapDeep = await make('spatula', 500, [cookware.id]);
    await make('plain', 100, []);
    // Neither an inactive nor an archived product in the tree is listed or counted.
    const inactive = await make('inactive whisk', 700, [cookware.id, home.id]);
    expect(
      (await t.http.patch(`/api/v1/admin/products/${inactive}`, { active: false }, asAdmin()))
        .status,
    ).toBe(200);
    const archived = await make('archived pot', 800, [kitchen.id]);
    expect((await t.http.delete(`/api/v1/admin/products/${archived}`, asAdmin())).status).toBe(204);
  });

  it('lists the products of a category and all its descendants, each once', async () => {
    const res = await listIds(`category=${home.slug}&q=${w}&sort=price`);
    expect(res).toEqual({ ids: [cheapDeep, both, deep], total: 3 });
    expect(await listIds(`category=${kitchen.slug}&sort=price`)).toEqual({
      ids: [cheapDeep, both, deep],
      total: 3,
    });
    expect(await listIds(`category=${cookware.slug}&sort=price`)).toEqual({
      ids: [cheapDeep, deep],
      total: 2,
    });
    expect(await listIds(`category=${garden.slug}`)).toEqual({ ids: [outside], total: 1 });
  });

  it('combines with the text and price filters, sorting and pagination', async () => {
    expect(await listIds(`category=${home.slug}&q=${w} skil`)).toEqual({ ids: [deep], total: 1 });
    expect(await listIds(`category=${home.slug}&minPrice=1000&maxPrice=4000`)).toEqual({
      ids: [both],
      total: 1,
    });
    expect(await listIds(`category=${home.slug}&sort=-price`)).toEqual({
      ids: [deep, both, cheapDeep],
      total: 3,
    });
    expect(await listIds(`category=${home.slug}&sort=-createdAt`)).toEqual({
      ids: [cheapDeep, deep, both],
      total: 3,
    });
    const pages = [];
    for (const page of [1, 2, 3, 4])
      pages.push(await listIds(`category=${home.slug}&sort=price&pageSize=1&page=${page}`));
    expect(pages.map((p) => p.ids)).toEqual([[cheapDeep], [both], [deep], []]);
    expect(pages.map((p) => p.total)).toEqual([3, 3, 3, 3]);
    expect(await listIds(`category=${home.slug}&inStock=true&sort=price`)).toEqual({
      ids: [cheapDeep, both, deep],
      total: 3,
    });
  });

  it('answers an empty page for a slug no category has', async () => {
    expect(await listIds(`category=${w}-nothing`)).toEqual({ ids: [], total: 0 });
  });

  it('filters the admin list the same way, inactive products included', async () => {
    const res = await t.http.get(
      `/api/v1/admin/products?category=${kitchen.slug}&sort=price`,
      asAdmin(),
    );
    expect(res.body.items.map((p: Node) => p.name)).toEqual([
      `${w} spatula`,
      `${w} inactive whisk`,
      `${w} kettle`,
      `${w} skillet`,
    ]);
    expect(res.body.total).toBe(4);
  });

  it('follows a move of a subtree on the next read', async () => {
    const w2 = word();
    const shelf = await createCategory({ name: `${w2} Shelf` });
    const other = await createCategory({ name: `${w2} Other` });
    const product = await createProduct(t, { name: `${w2} book` });
    await setCategories(product.id, [shelf.id]);
    for (let i = 0; i < 2; i++)
      expect(await listIds(`category=${other.slug}`)).toEqual({ ids: [], total: 0 });
    expect((await patchCategory(shelf.id, { parentId: other.id })).status).toBe(200);
    expect(await listIds(`category=${other.slug}`)).toEqual({ ids: [product.id], total: 1 });
  });

  it('lists a product newly put in a category on the next read', async () => {
    for (let i = 0; i < 2; i++) expect((await listIds(`category=${garden.slug}`)).total).toBe(1);
    const product = await createProduct(t, { name: `${w} rake` });
    await setCategories(product.id, [garden.id]);
    expect((await listIds(`category=${garden.slug}`)).ids).toContain(product.id);
  });
});

// Two processes on one database need PostgreSQL and Redis: a second context and app on the same
// database stand in for the second process (as in catalog-cache.test.ts).
describe.runIf(process.env.DATABASE_URL && process.env.REDIS_URL)(
  'the category cache across two instances (PostgreSQL + Redis)',
  () => {
    let second: { http: HttpClient; close(): Promise<void> };
    beforeAll(async () => {
      const database = await openDatabase({ databaseUrl: t.config.databaseUrl, poolSize: 5 });
      const ctx = await createContext(t.config, {
        database,
        migrate: false,
        logger: pino({ level: 'silent' }),
      });
      const app = await buildApp(ctx);
      await app.listen({ port: 0, host: '127.0.0.1' });
      const port = (app.server.address() as AddressInfo).port;
      second = {
        http: new HttpClient(`http://127.0.0.1:${port}`),
        async close() {
          await app.close();
          await ctx.close();
          await database.close();
        },
      };
    });
    afterAll(() => second.close());

    it('serves a rename, a move and a product put in a category through one instance from the other', async () => {
      const w = word();
      const parent = await createCategory({ name: `${w} Parent` });
      const child = await createCategory({ name: `${w} Child` });
      const product = await createProduct(t, { name: `${w} item` });
      // Fill the second instance's cache.
      for (let i = 0; i < 2; i++) {
        expect(find(await tree(second.http), child.id)!.parentId).toBeNull();
        expect(await listIds(`category=${parent.slug}`, second.http)).toEqual({
          ids: [],
          total: 0,
        });
      }

      expect(
        (await patchCategory(child.id, { name: `${w} Renamed`, parentId: parent.id })).status,
      ).toBe(200);
      expect(find(await tree(second.http), child.id)).toMatchObject({
        name: `${w} Renamed`,
        parentId: parent.id,
      });

      await setCategories(product.id, [child.id]);
      expect(await listIds(`category=${parent.slug}`, second.http)).toEqual({
        ids: [product.id],
        total: 1,
      });
      const shown = await second.http.get(`/api/v1/products/${product.id}`);
      expect(shown.body.categories).toEqual([
        { id: child.id, slug: child.slug, name: `${w} Renamed` },
      ]);
    });
  },
);

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeOptions } from '../src/modules/catalog/variant-options.js';
import { createAdmin, createProduct, type TestUser } from './helpers/factories.js';
import { buildTestApp, type HttpResponse, type TestApp } from './helpers/test-app.js';

/**
 * The catalog's option filter (`GET /api/v1/products?option=Name:Value`) and its facets
 * (`GET /api/v1/product-options`).
 */
let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  t = await buildTestApp();
  admin = await createAdmin(t);
});
afterAll(() => t.close());

/** Tests share one database: each names its products and categories with a word of its own. */
const word = () => `w${randomBytes(6).toString('hex')}`;
const asAdmin = () => ({ token: admin.token });

function expectProblem(res: HttpResponse, status: number, code: string, path?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body).toMatchObject({ status, code });
  if (path) {
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
  }
}

interface Fixture {
  w: string;
  category: { id: string; slug: string };
  /** Size S/M × Colour Red/Blue: S/Red (3 in stock), M/Blue (none), M/Red (inactive). */
  tee: { id: string; variants: { id: string; title: string }[] };
  /** Size M only (2 in stock). */
  shorts: { id: string };
  /** No options. */
  mug: { id: string };
}

/** Three products of one word, in one category of its own. */
async function fixture(): Promise<Fixture> {
  const w = word();
  const category = await t.http.post('/api/v1/admin/categories', { name: w }, asAdmin());
  expect(category.status).toBe(201);
  const create = async (body: Record<string, unknown>) => {
    const res = await t.http.post(
      '/api/v1/admin/products',
      { ...body, categoryIds: [category.body.id] },
      asAdmin(),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };
  const tee = await create({
    name: `${w} Tee`,
    options: [
      { name: 'Size', values: ['S', 'M'] },
      { name: 'Colour', values: ['Red', 'Blue'] },
    ],
    variants: [
      { sku: `${w}-S-RED`, options: { Size: 'S', Colour: 'Red' }, price: 2000, stock: 3 },
      { sku: `${w}-M-BLUE`, options: { Size: 'M', Colour: 'Blue' }, price: 2200 },
      {
        sku: `${w}-M-RED`,
        options: { Size: 'M', Colour: 'Red' },
        price: 2000,
        stock: 4,
        active: false,
      },
    ],
  });
  const shorts = await create({
    name: `${w} Shorts`,
    options: [{ name: 'Size', values: ['M'] }],
    variants: [{ sku: `${w}-SHORTS-M`, options: { Size: 'M' }, price: 3000, stock: 2 }],
  });
  const mug = await create({ sku: `${w}-MUG`, name: `${w} Mug`, price: 900, stock: 5 });
  return { w, category: category.body, tee, shorts, mug };
}

/** The ids a public list answers, for the fixture's word and the given filters. */
async function listed(f: Fixture, query: string): Promise<string[]> {
  const res = await t.http.get(`/api/v1/products?q=${f.w}&sort=name&${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items.map((p: { id: string }) => p.id);
}

const variantOf = (f: Fixture, title: string) => f.tee.variants.find((v) => v.title === title)!;

describe('the option filter: GET /api/v1/products?option=Name:Value', () => {
  it('lists products with an active variant that has the value', async () => {
    const f = await fixture();
    // Names sort as "<w> Mug", "<w> Shorts", "<w> Tee".
    expect(await listed(f, '')).toEqual([f.mug.id, f.shorts.id, f.tee.id]);
    expect(await listed(f, 'option=Size:S')).toEqual([f.tee.id]);
    // M/Blue is active (out of stock, but sold); the shorts come in M.
    expect(await listed(f, 'option=Size:M')).toEqual([f.shorts.id, f.tee.id]);
    expect(await listed(f, 'option=Colour:Blue')).toEqual([f.tee.id]);
    // Matched exactly: another case, another name or an unknown value finds nothing.
    expect(await listed(f, 'option=Size:m')).toEqual([]);
    expect(await listed(f, 'option=size:M')).toEqual([]);
    expect(await listed(f, 'option=Size:XL')).toEqual([]);
    expect(await listed(f, 'option=Material:Wool')).toEqual([]);
    // Around the colon, spaces are trimmed.
    expect(await listed(f, `option=${encodeURIComponent(' Colour : Blue ')}`)).toEqual([f.tee.id]);
  });

  it('takes several options on the same variant, and any of several values of one option', async () => {
    const f = await fixture();
    expect(await listed(f, 'option=Size:M&option=Colour:Blue')).toEqual([f.tee.id]);
    // M in red is not sold (inactive), and S is not blue: no one variant has both.
    expect(await listed(f, 'option=Size:M&option=Colour:Red')).toEqual([]);
    expect(await listed(f, 'option=Size:S&option=Colour:Blue')).toEqual([]);
    // The shorts have no colour at all.
    expect(await listed(f, 'option=Size:M&option=Colour:Blue&option=Colour:Red')).toEqual([
      f.tee.id,
    ]);
    expect(await listed(f, 'option=Size:S&option=Size:M&option=Colour:Red')).toEqual([f.tee.id]);
    expect(await listed(f, 'option=Size:S&option=Size:M')).toEqual([f.shorts.id, f.tee.id]);
  });

  it('with inStock=true, the matching variant has stock', async () => {
    const f = await fixture();
    expect(await listed(f, 'option=Size:M&inStock=true')).toEqual([f.shorts.id]);
    expect(await listed(f, 'option=Size:S&inStock=true')).toEqual([f.tee.id]);
    expect(await listed(f, 'option=Colour:Blue&inStock=true')).toEqual([]);
    // inStock=false keeps its meaning: products with no stock at all.
    expect(await listed(f, 'option=Size:M&inStock=false')).toEqual([]);
    // Stock arrives for M/Blue: listed at once (stock is never cached).
    const adjusted = await t.http.post(
      `/api/v1/admin/variants/${variantOf(f, 'M / Blue').id}/stock-adjustments`,
      { delta: 2, reason: 'delivery' },
      asAdmin(),
    );
    expect(adjusted.status).toBe(201);
    expect(await listed(f, 'option=Colour:Blue&inStock=true')).toEqual([f.tee.id]);
  });

  it('is part of the cache key, and a variant change is seen at once', async () => {
    const f = await fixture();
    const url = (query: string) => `/api/v1/products?q=${f.w}&sort=name&${query}`;
    const first = await t.http.get(url('option=Size:M&option=Colour:Red'));
    expect(first.body.items).toEqual([]);
    // Other filters, other answers (a key without the options would answer the first page).
    expect(await listed(f, 'option=Colour:Red')).toEqual([f.tee.id]);
    // The same filter written in another order is the same answer, with the same ETag.
    const reordered = await t.http.get(url('option=Colour:Red&option=Size:M'));
    expect(reordered.headers.get('etag')).toBe(first.headers.get('etag'));
    const unchanged = await t.http.get(url('option=Size:M&option=Colour:Red'), {
      headers: { 'if-none-match': first.headers.get('etag')! },
    });
    expect(unchanged.status).toBe(304);
    // M/Red goes on sale: the next read lists the tee.
    const activated = await t.http.patch(
      `/api/v1/admin/variants/${variantOf(f, 'M / Red').id}`,
      { active: true },
      asAdmin(),
    );
    expect(activated.status).toBe(200);
    expect(await listed(f, 'option=Size:M&option=Colour:Red')).toEqual([f.tee.id]);
    const changed = await t.http.get(url('option=Size:M&option=Colour:Red'), {
      headers: { 'if-none-match': first.headers.get('etag')! },
    });
    expect(changed.status).toBe(200);
    // An archived product leaves the filtered list too.
    expect((await t.http.delete(`/api/v1/admin/products/${f.tee.id}`, asAdmin())).status).toBe(204);
    expect(await listed(f, 'option=Size:M')).toEqual([f.shorts.id]);
  });

  it('combines with the category and the admin list', async () => {
    const f = await fixture();
    const inCategory = await t.http.get(
      `/api/v1/products?category=${f.category.slug}&option=Size:M&sort=name`,
    );
    expect(inCategory.body.items.map((p: { id: string }) => p.id)).toEqual([f.shorts.id, f.tee.id]);
    expect(inCategory.body.total).toBe(2);
    // The back office filters by options too, inactive variants not matching there either.
    const admins = await t.http.get(
      `/api/v1/admin/products?q=${f.w}&option=Size:M&option=Colour:Red`,
      asAdmin(),
    );
    expect(admins.status).toBe(200);
    expect(admins.body.items).toEqual([]);
    const adminM = await t.http.get(
      `/api/v1/admin/products?q=${f.w}&option=Size:M&sort=name`,
      asAdmin(),
    );
    expect(adminM.body.items.map((p: { id: string }) => p.id)).toEqual([f.shorts.id, f.tee.id]);
  });

  const malformed = 'must be an option name and one of its values, such as Size:M';
  it.each([
    ['no colon', 'option=Size', 'querystring.option.0', malformed],
    ['no name', 'option=:M', 'querystring.option.0', malformed],
    ['no value', 'option=Size:', 'querystring.option.0', malformed],
    [
      'only spaces around the colon',
      `option=${encodeURIComponent(' : ')}`,
      'querystring.option.0',
      malformed,
    ],
    [
      'a name over 100 characters',
      `option=${'N'.repeat(101)}:M`,
      'querystring.option.0',
      malformed,
    ],
    [
      'a value over 100 characters',
      `option=Size:${'v'.repeat(101)}`,
      'querystring.option.0',
      malformed,
    ],
    ['a bad one among good ones', 'option=Size:M&option=Colour', 'querystring.option.1', malformed],
    ['a text over 201 characters', `option=Size:${'v'.repeat(300)}`, 'querystring.option', '201'],
    [
      'more than 20 filters',
      Array.from({ length: 21 }, (_, i) => `option=Size:${i}`).join('&'),
      'querystring.option',
      'at most 20 filters',
    ],
  ])(
    'refuses %s with 400 VALIDATION_FAILED naming the option',
    async (_what, query, path, message) => {
      for (const list of ['/api/v1/products', '/api/v1/admin/products']) {
        const res = await t.http.get(`${list}?${query}`, asAdmin());
        expectProblem(res, 400, 'VALIDATION_FAILED', path);
        expect(res.body.errors.find((e: { path: string }) => e.path === path).message).toContain(
          message,
        );
      }
    },
  );

  it('takes a value with a colon in it (split at the first colon)', async () => {
    const w = word();
    const res = await t.http.post(
      '/api/v1/admin/products',
      {
        name: `${w} Screen`,
        options: [{ name: 'Ratio', values: ['16:9', '4:3'] }],
        variants: [{ sku: `${w}-169`, options: { Ratio: '16:9' }, price: 10000, stock: 1 }],
      },
      asAdmin(),
    );
    expect(res.status).toBe(201);
    const found = await t.http.get(`/api/v1/products?q=${w}&option=Ratio:16:9`);
    expect(found.body.items.map((p: { id: string }) => p.id)).toEqual([res.body.id]);
    const none = await t.http.get(`/api/v1/products?q=${w}&option=Ratio:4:3`);
    expect(none.body.items).toEqual([]);
  });
});

describe('the facets: GET /api/v1/product-options', () => {
  const facets = async (query = '') => {
    const res = await t.http.get(`/api/v1/product-options${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res;
  };

  it("lists the options of a category's products with the values their active variants have", async () => {
    const f = await fixture();
    const first = await facets(`?category=${f.category.slug}`);
    // M/Red is inactive, but M/Blue and the shorts' M are sold; products without options add none.
    expect(first.body).toEqual([
      { name: 'Size', values: ['S', 'M'] },
      { name: 'Colour', values: ['Red', 'Blue'] },
    ]);
    expect(first.headers.get('cache-control')).toBe('no-cache');
    const again = await t.http.get(`/api/v1/product-options?category=${f.category.slug}`, {
      headers: { 'if-none-match': first.headers.get('etag')! },
    });
    expect(again.status).toBe(304);

    // S/Red leaves the shop: S and Red go from the facets at once.
    const deactivated = await t.http.patch(
      `/api/v1/admin/variants/${variantOf(f, 'S / Red').id}`,
      { active: false },
      asAdmin(),
    );
    expect(deactivated.status).toBe(200);
    expect((await facets(`?category=${f.category.slug}`)).body).toEqual([
      { name: 'Size', values: ['M'] },
      { name: 'Colour', values: ['Blue'] },
    ]);
    // Stock does not move them: a sold-out variant is still sold.
    expect((await facets(`?category=${f.category.slug}`)).body[1].values).toEqual(['Blue']);

    // Archived products and inactive products leave them.
    expect((await t.http.delete(`/api/v1/admin/products/${f.tee.id}`, asAdmin())).status).toBe(204);
    expect((await facets(`?category=${f.category.slug}`)).body).toEqual([
      { name: 'Size', values: ['M'] },
    ]);
    const paused = await t.http.patch(
      `/api/v1/admin/products/${f.shorts.id}`,
      { active: false },
      asAdmin(),
    );
    expect(paused.status).toBe(200);
    expect((await facets(`?category=${f.category.slug}`)).body).toEqual([]);
  });

  it("covers every public product without a category, and a category's subcategories", async () => {
    const f = await fixture();
    const all = (await facets()).body as { name: string; values: string[] }[];
    expect(all.find((o) => o.name === 'Size')?.values).toEqual(expect.arrayContaining(['S', 'M']));
    const child = await t.http.post(
      '/api/v1/admin/categories',
      { name: `${f.w} child`, parentId: f.category.id },
      asAdmin(),
    );
    const w = word();
    const hat = await t.http.post(
      '/api/v1/admin/products',
      {
        name: `${w} Hat`,
        options: [{ name: 'Size', values: ['XS', 'L'] }],
        variants: [
          { sku: `${w}-XS`, options: { Size: 'XS' }, price: 1000 },
          { sku: `${w}-L`, options: { Size: 'L' }, price: 1000 },
        ],
        categoryIds: [child.body.id],
      },
      asAdmin(),
    );
    expect(hat.status).toBe(201);
    // The hat, newer, knows none of the sizes before it: its own go after them, in its order.
    expect((await facets(`?category=${f.category.slug}`)).body[0]).toEqual({
      name: 'Size',
      values: ['S', 'M', 'XS', 'L'],
    });
    expect((await facets(`?category=${child.body.slug}`)).body).toEqual([
      { name: 'Size', values: ['XS', 'L'] },
    ]);
    expect((await facets('?category=no-such-category')).body).toEqual([]);
  });

  it('refuses a malformed category with 400 VALIDATION_FAILED, and unknown parameters', async () => {
    expectProblem(
      await t.http.get(`/api/v1/product-options?category=${'x'.repeat(101)}`),
      400,
      'VALIDATION_FAILED',
    );
    expectProblem(
      await t.http.get('/api/v1/product-options?option=Size:M'),
      400,
      'VALIDATION_FAILED',
    );
  });
});

describe('mergeOptions (the facets from the products’ options)', () => {
  const sold = (pairs: string) =>
    pairs.split(' ').map((pair) => {
      const [name, value] = pair.split('=') as [string, string];
      return { name, value };
    });

  it('merges value orders: a new value goes after the one before it, a new list at the end', () => {
    expect(
      mergeOptions(
        [
          [{ name: 'Size', values: ['M', 'L', 'XL'] }],
          [{ name: 'Size', values: ['S', 'M', 'L'] }],
          [{ name: 'Size', values: ['01', '02'] }],
        ],
        sold('Size=S Size=M Size=L Size=XL Size=01 Size=02'),
      ),
    ).toEqual([{ name: 'Size', values: ['S', 'M', 'L', 'XL', '01', '02'] }]);
  });

  it('keeps names in the order first seen, only values sold, and drops a name with none', () => {
    expect(
      mergeOptions(
        [
          [
            { name: 'Size', values: ['S', 'M'] },
            { name: 'Colour', values: ['Red', 'Blue'] },
          ],
          [
            { name: 'Material', values: ['Wool'] },
            { name: 'Colour', values: ['Green', 'Blue'] },
          ],
        ],
        sold('Colour=Blue Colour=Green Size=M Material=Cotton'),
      ),
    ).toEqual([
      { name: 'Size', values: ['M'] },
      { name: 'Colour', values: ['Green', 'Blue'] },
    ]);
    expect(mergeOptions([], [])).toEqual([]);
  });
});

// A product without options is unaffected by facets but still listed without a filter.
describe('products without options', () => {
  it('are never found by an option filter', async () => {
    const product = await createProduct(t, { name: `${word()} Plain` });
    const res = await t.http.get(`/api/v1/products?q=${product.name}&option=Size:M`);
    expect(res.body.items).toEqual([]);
  });
});

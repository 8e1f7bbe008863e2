import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { PRODUCT_CSV_COLUMNS } from '../src/modules/catalog/product-csv.js';
import { csvRow, parseCsv } from '../src/shared/csv.js';
import { createAdmin, createProduct, createUser, type TestUser } from './helpers/factories.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';

/**
 * The catalog's CSV export and import over HTTP, on a real database: a round trip changes
 * nothing, one bad row writes nothing and names the row, a dry run writes nothing, and every
 * stock change goes through the ledger.
 */

let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  t = await buildTestApp();
  admin = await createAdmin(t);
});
afterAll(() => t.close());

let words = 0;
/** Tests share one database: each names its products with a word of its own. */
const word = (stem: string) => `${stem.toUpperCase()}${(++words).toString(36).toUpperCase()}`;

type Row = Record<(typeof PRODUCT_CSV_COLUMNS)[number], string>;

async function exportText(token = admin.token) {
  const response = await fetch(`${t.baseUrl}/api/v1/admin/products/export.csv`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { response, text: await response.text() };
}

/** The export as objects by column, after checking the header. */
async function exportRows(): Promise<Row[]> {
  const { response, text } = await exportText();
  expect(response.status, text).toBe(200);
  const { records, error } = parseCsv(text);
  expect(error).toBeUndefined();
  const [header, ...rows] = records;
  expect(header!.fields).toEqual([...PRODUCT_CSV_COLUMNS]);
  return rows.map(
    (r) => Object.fromEntries(PRODUCT_CSV_COLUMNS.map((c, i) => [c, r.fields[i]!])) as Row,
  );
}

/** A file of rows, each a partial row by column (missing columns empty), under the full header. */
function csvOf(rows: Partial<Row>[], columns: readonly string[] = PRODUCT_CSV_COLUMNS): string {
  return (
    csvRow(columns) +
    rows.map((row) => csvRow(columns.map((c) => row[c as keyof Row] ?? ''))).join('')
  );
}

async function importFile(
  body: string | Uint8Array,
  options: { dryRun?: boolean; token?: string; field?: string; name?: string } = {},
) {
  const form = new FormData();
  form.append(
    options.field ?? 'file',
    new Blob([body as BlobPart], { type: 'text/csv' }),
    options.name ?? 'products.csv',
  );
  const response = await fetch(
    `${t.baseUrl}/api/v1/admin/products/import${options.dryRun ? '?dryRun=true' : ''}`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${options.token ?? admin.token}` },
      body: form,
    },
  );
  const text = await response.text();
  return {
    status: response.status,
    body: (/json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : text) as {
      created: number;
      updated: number;
      unchanged: number;
      errors: { row: number; message: string }[];
      errorCount: number;
      code?: string;
    },
  };
}

/** Everything an import may write, as rows of text: equal snapshots mean nothing was written. */
async function snapshot(): Promise<string[]> {
  const tables = await Promise.all([
    queryRows<object>(t.ctx.db, sql`select * from products order by id`),
    queryRows<object>(t.ctx.db, sql`select * from product_variants order by id`),
    queryRows<object>(
      t.ctx.db,
      sql`select * from product_categories order by product_id, category_id`,
    ),
    queryRows<object>(t.ctx.db, sql`select * from stock_movements order by seq`),
  ]);
  return tables.flat().map((row) => JSON.stringify(row));
}

/** Variants whose stock is not the sum of their ledger's movements (none, always). */
async function ledgerMismatches() {
  return queryRows<{ id: string }>(
    t.ctx.db,
    sql`select v.id from product_variants v
          left join stock_movements m on m.variant_id = v.id
         group by v.id, v.stock
        having v.stock <> coalesce(sum(m.delta), 0)`,
  );
}

async function createCategory(name: string, slug: string): Promise<string> {
  const res = await t.http.post('/api/v1/admin/categories', { name, slug }, { token: admin.token });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

async function productBySku(sku: string) {
  const list = await t.http.get(`/api/v1/admin/products?q=${encodeURIComponent(sku)}`, {
    token: admin.token,
  });
  const found = (list.body.items as { id: string; sku: string }[]).find((p) => p.sku === sku);
  if (!found) return undefined;
  return (await t.http.get(`/api/v1/admin/products/${found.id}`, { token: admin.token })).body;
}

async function createShirt(stem: string, categoryIds: string[] = []) {
  const res = await t.http.post(
    '/api/v1/admin/products',
    {
      name: `Shirt, "${stem}"`,
      description: 'Soft.\nTwo lines, with commas.',
      categoryIds,
      options: [
        { name: 'Size', values: ['S', 'M'] },
        { name: 'Colour', values: ['Red', 'Blue'] },
      ],
      variants: [
        { sku: `${stem}-S-RED`, options: { Size: 'S', Colour: 'Red' }, price: 1250, stock: 3 },
        { sku: `${stem}-M-RED`, options: { Size: 'M', Colour: 'Red' }, price: 1350, stock: 0 },
        {
          sku: `${stem}-M-BLUE`,
          options: { Size: 'M', Colour: 'Blue' },
          price: 1350,
          stock: 7,
          active: false,
        },
      ],
    },
    { token: admin.token },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

describe('export', () => {
  it('writes one row per variant with the product fields, options, category slugs and major-unit prices', async () => {
    const stem = word('exp');
    const tops = await createCategory(`Tops ${stem}`, `tops-${stem.toLowerCase()}`);
    const sale = await createCategory(`Sale ${stem}`, `sale-${stem.toLowerCase()}`);
    const shirt = await createShirt(stem, [tops, sale]);
    const mug = await createProduct(t, {
      sku: `${stem}-MUG`,
      name: '=Mug, big',
      price: 999,
      stock: 4,
    });
    const archived = await createProduct(t, { sku: `${stem}-OLD` });
    await t.http.delete(`/api/v1/admin/products/${archived.id}`, { token: admin.token });

    const rows = (await exportRows()).filter((r) => r.product_sku.startsWith(stem));
    expect(rows.map((r) => r.sku)).toEqual([
      `${stem}-S-RED`,
      `${stem}-M-RED`,
      `${stem}-M-BLUE`,
      `${stem}-MUG`,
    ]);
    expect(rows[0]).toEqual({
      product_sku: shirt.sku,
      name: `Shirt, "${stem}"`,
      description: 'Soft.\nTwo lines, with commas.',
      active: 'true',
      categories: [`sale-${stem.toLowerCase()}`, `tops-${stem.toLowerCase()}`].join('; '),
      option1_name: 'Size',
      option1_value: 'S',
      option2_name: 'Colour',
      option2_value: 'Red',
      option3_name: '',
      option3_value: '',
      sku: `${stem}-S-RED`,
      price: '12.50',
      stock: '3',
      variant_active: 'true',
    });
    expect(rows[2]).toMatchObject({
      option1_value: 'M',
      option2_value: 'Blue',
      price: '13.50',
      variant_active: 'false',
    });
    // The spreadsheet guard: a leading = is written with an apostrophe.
    expect(rows[3]).toMatchObject({
      product_sku: mug.sku,
      name: "'=Mug, big",
      option1_name: '',
      sku: mug.sku,
      price: '9.99',
      stock: '4',
    });
  });

  it('is a download for admins only', async () => {
    const { response } = await exportText();
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('content-disposition')).toMatch(
      /attachment; filename="products-\d{4}-\d{2}-\d{2}\.csv"/,
    );
    const customer = await createUser(t);
    const staff = await createUser(t, { role: 'staff' });
    expect((await exportText(customer.token)).response.status).toBe(403);
    expect((await exportText(staff.token)).response.status).toBe(403);
    const anonymous = await fetch(`${t.baseUrl}/api/v1/admin/products/export.csv`);
    expect(anonymous.status).toBe(401);
  });
});

describe('round trip', () => {
  it('importing the export changes nothing, in a dry run and for real', async () => {
    const stem = word('trip');
    const category = await createCategory(`Trip ${stem}`, `trip-${stem.toLowerCase()}`);
    await createShirt(stem, [category]);
    await createProduct(t, {
      sku: `${stem}-Q`,
      name: 'Quotes "inside", commas, and\nline breaks',
      description: '-starts with a dash\r\nand @mentions, =formulas',
      price: 5,
      stock: 0,
    });
    await createProduct(t, { sku: `${stem}-OFF`, name: '+Off sale', active: false, price: 100000 });
    const { text } = await exportText();
    const before = await snapshot();

    const dry = await importFile(text, { dryRun: true });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body).toMatchObject({ created: 0, updated: 0, errors: [], errorCount: 0 });
    expect(dry.body.unchanged).toBeGreaterThanOrEqual(3);

    const real = await importFile(text);
    expect(real.status, JSON.stringify(real.body)).toBe(200);
    expect(real.body).toEqual({ ...dry.body });
    expect(await snapshot()).toEqual(before);
    expect((await exportText()).text).toBe(text);
  });
});

describe('import', () => {
  it('creates products with options, categories, prices and opening stock through the ledger', async () => {
    const stem = word('new');
    const slug = `new-${stem.toLowerCase()}`;
    await createCategory(`New ${stem}`, slug);
    const file = csvOf([
      {
        product_sku: `${stem}-TEE`,
        name: 'Tee, "striped"',
        description: 'Line one\nline two',
        categories: slug.toUpperCase(),
        option1_name: 'Size',
        option1_value: 'S',
        sku: `${stem}-TEE-S`,
        price: '12.5',
        stock: '4',
      },
      // Later rows may leave the product's columns empty.
      {
        product_sku: `${stem}-TEE`,
        option1_value: 'L',
        sku: `${stem}-TEE-L`,
        price: '9',
        variant_active: 'false',
      },
      { product_sku: `${stem}-CAP`, name: 'Cap', sku: `${stem}-CAP`, price: '0.99' },
    ]);
    const res = await importFile(file);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ created: 2, updated: 0, unchanged: 0, errors: [] });

    const tee = await productBySku(`${stem}-TEE`);
    expect(tee).toMatchObject({
      name: 'Tee, "striped"',
      description: 'Line one\nline two',
      active: true,
      price: 1250, // the lowest active variant's
      stock: 4,
      options: [{ name: 'Size', values: ['S', 'L'] }],
      categories: [{ slug }],
    });
    expect(
      tee.variants.map(
        (v: { sku: string; title: string; price: number; stock: number; active: boolean }) => [
          v.sku,
          v.title,
          v.price,
          v.stock,
          v.active,
        ],
      ),
    ).toEqual([
      [`${stem}-TEE-S`, 'S', 1250, 4, true],
      [`${stem}-TEE-L`, 'L', 900, 0, false],
    ]);
    const movements = await t.http.get(`/api/v1/admin/products/${tee.id}/stock-movements`, {
      token: admin.token,
    });
    expect(movements.body.items).toMatchObject([
      { kind: 'adjustment', delta: 4, stockAfter: 4, reason: 'CSV import', actorId: admin.user.id },
    ]);
    expect(await productBySku(`${stem}-CAP`)).toMatchObject({ price: 99, stock: 0, options: [] });
    expect(await ledgerMismatches()).toEqual([]);
  });

  it('updates what the file changes, sets stock through the ledger, and adds a variant with a new value', async () => {
    const stem = word('upd');
    const shirt = await createShirt(stem);
    const rows = (await exportRows()).filter((r) => r.product_sku === shirt.sku);
    rows[0]!.price = '11.00';
    rows[0]!.stock = '10';
    rows[1]!.variant_active = 'false';
    const file = csvOf([
      ...rows.map((r) => ({ ...r, name: 'Shirt renamed' })),
      {
        ...rows[0]!,
        name: '',
        option1_value: 'XL',
        sku: `${stem}-XL-RED`,
        price: '15',
        stock: '2',
        variant_active: 'true',
      },
    ]);
    const res = await importFile(file);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ created: 0, updated: 1, errors: [] });

    const after = await productBySku(shirt.sku);
    expect(after.name).toBe('Shirt renamed');
    expect(after.options).toEqual([
      { name: 'Size', values: ['S', 'M', 'XL'] },
      { name: 'Colour', values: ['Red', 'Blue'] },
    ]);
    const bySku = Object.fromEntries(after.variants.map((v: { sku: string }) => [v.sku, v]));
    expect(bySku[`${stem}-S-RED`]).toMatchObject({ price: 1100, stock: 10, active: true });
    expect(bySku[`${stem}-M-RED`]).toMatchObject({ active: false });
    expect(bySku[`${stem}-XL-RED`]).toMatchObject({ title: 'XL / Red', price: 1500, stock: 2 });
    expect(after.price).toBe(1100);
    const small = bySku[`${stem}-S-RED`] as { id: string };
    const movements = await t.http.get(`/api/v1/admin/variants/${small.id}/stock-movements`, {
      token: admin.token,
    });
    expect(movements.body.items[0]).toMatchObject({
      kind: 'adjustment',
      delta: 7,
      stockAfter: 10,
      reason: 'CSV import',
    });
    expect(await ledgerMismatches()).toEqual([]);
  });

  it('keeps the stock an order moved when the stock cell is empty, and names the public catalog the new price', async () => {
    const stem = word('keep');
    const mug = await createProduct(t, { sku: `${stem}-MUG`, price: 500, stock: 10 });
    // Read once so the public catalog's cache holds the old price.
    expect((await t.http.get(`/api/v1/products/${mug.id}`)).body.price).toBe(500);
    await t.http.post(
      `/api/v1/admin/products/${mug.id}/stock-adjustments`,
      { delta: -3, reason: 'sold at the fair' },
      { token: admin.token },
    );
    const file = csvOf([{ product_sku: mug.sku, sku: mug.sku, price: '6.00', stock: '' }]);
    const res = await importFile(file);
    expect(res.body).toMatchObject({ updated: 1 });
    const shown = (await t.http.get(`/api/v1/products/${mug.id}`)).body;
    expect(shown).toMatchObject({ price: 600, stock: 7 });
  });

  it('accepts a file with only some columns, in any order', async () => {
    const stem = word('cols');
    const mug = await createProduct(t, { sku: `${stem}-MUG`, name: 'Mug', price: 500, stock: 10 });
    const columns = ['price', 'sku', 'product_sku'];
    const file = csvOf([{ product_sku: mug.sku, sku: mug.sku, price: '7.25' }], columns);
    const res = await importFile(file);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await productBySku(mug.sku)).toMatchObject({ name: 'Mug', price: 725, stock: 10 });
  });
});

describe('a file with a bad row', () => {
  it('writes nothing and names the row, in a dry run and for real', async () => {
    const stem = word('bad');
    const mug = await createProduct(t, { sku: `${stem}-MUG`, price: 500, stock: 10 });
    const file = csvOf([
      {
        product_sku: `${stem}-NEW`,
        name: 'New one',
        sku: `${stem}-NEW`,
        price: '1.00',
        stock: '5',
      },
      { product_sku: mug.sku, sku: mug.sku, price: '12.505', stock: '1' },
      { product_sku: `${stem}-NEW2`, name: 'Another', sku: `${stem}-NEW2`, price: '2' },
    ]);
    const before = await snapshot();
    for (const dryRun of [true, false]) {
      const res = await importFile(file, { dryRun });
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(res.body).toMatchObject({
        code: 'IMPORT_INVALID',
        created: 2,
        updated: 0,
        errorCount: 1,
        errors: [
          { row: 3, message: expect.stringMatching(/^price: "12\.505" has more than 2 decimals/) },
        ],
      });
    }
    expect(await snapshot()).toEqual(before);
    expect(await productBySku(`${stem}-NEW`)).toBeUndefined();
  });

  it.each([
    [
      'an unknown category slug',
      { categories: 'no-such-category' },
      /^categories: no category has the slug "no-such-category"/,
    ],
    ['a price with a currency sign', { price: '$5' }, /^price: "\$5" is not an amount/],
    ['a price with a decimal comma', { price: '5,50' }, /^price: "5,50" is not an amount/],
    ['a negative stock', { stock: '-1' }, /^stock: "-1" is not a whole number/],
    ['a stock with decimals', { stock: '1.5' }, /^stock: "1.5" is not a whole number/],
    ['a yes-or-no that is neither', { active: 'maybe' }, /^active: "maybe" is not true or false/],
    [
      'a bad SKU',
      { sku: 'has space', product_sku: 'has space' },
      /^product_sku: "has space": letters, digits/,
    ],
    ['no name for a new product', { name: '' }, /^name: is required for a new product/],
    ['no price for a new variant', { price: '' }, /^price: is required for a new variant/],
    [
      'an option value without an option',
      { option1_value: 'M' },
      /^option1_value: the product has no options/,
    ],
  ])('reports %s on its row', async (_, change, message) => {
    const stem = word('row');
    const file = csvOf([
      { product_sku: `${stem}-OK`, name: 'Fine', sku: `${stem}-OK`, price: '1' },
      { product_sku: `${stem}-X`, name: 'X', sku: `${stem}-X`, price: '1', ...change },
    ]);
    const res = await importFile(file, { dryRun: true });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.errors).toEqual([{ row: 3, message: expect.stringMatching(message) }]);
  });

  it('reports SKUs used twice or by another product, product fields that differ, and a product without options given two rows', async () => {
    const stem = word('dup');
    const other = await createProduct(t, { sku: `${stem}-OTHER` });
    const file = csvOf([
      {
        product_sku: `${stem}-A`,
        name: 'A',
        option1_name: 'Size',
        option1_value: 'S',
        sku: `${stem}-A-S`,
        price: '1',
      },
      { product_sku: `${stem}-A`, name: 'B', option1_value: 'M', sku: `${stem}-A-M`, price: '1' },
      {
        product_sku: `${stem}-C`,
        name: 'C',
        option1_name: 'Size',
        option1_value: 'S',
        sku: `${stem}-C-S`,
        price: '1',
      },
      { product_sku: `${stem}-C`, option1_value: 'S', sku: `${stem}-C-S2`, price: '1' },
      { product_sku: `${stem}-C`, option1_value: 'M', sku: `${stem}-C-S`, price: '1' },
      {
        product_sku: `${stem}-D`,
        name: 'D',
        option1_name: 'Size',
        option1_value: 'S',
        sku: other.sku,
        price: '1',
      },
      { product_sku: `${stem}-E`, name: 'E', sku: `${stem}-E`, price: '1' },
      { product_sku: `${stem}-E`, name: 'E', sku: `${stem}-E2`, price: '1' },
    ]);
    const res = await importFile(file, { dryRun: true });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      {
        row: 3,
        message: "name: differs from row 2, the product's first row (repeat it or leave it empty)",
      },
      { row: 5, message: expect.stringMatching(/^options: S is already on row 4/) },
      { row: 6, message: `sku: ${stem}-C-S is also on row 4` },
      { row: 7, message: `sku: ${other.sku} is already a variant of the product ${other.sku}` },
      {
        row: 9,
        message: expect.stringMatching(/^sku: a product without options has exactly one variant/),
      },
    ]);
  });

  it("refuses to change options, a variant's values, or an archived product", async () => {
    const stem = word('opt');
    const shirt = await createShirt(stem);
    const archived = await createProduct(t, { sku: `${stem}-OLD` });
    await t.http.delete(`/api/v1/admin/products/${archived.id}`, { token: admin.token });
    const rows = (await exportRows()).filter((r) => r.product_sku === shirt.sku);
    const file = csvOf([
      { ...rows[0]!, option2_value: 'Blue' },
      { product_sku: archived.sku, sku: archived.sku, price: '1' },
    ]);
    const renamed = csvOf(rows.map((r) => ({ ...r, option2_name: 'Color' })));
    const res = await importFile(file, { dryRun: true });
    expect(res.body.errors).toEqual([
      {
        row: 2,
        message: expect.stringMatching(
          /^option2_value: .* is Colour Red: an import cannot change a variant's options/,
        ),
      },
      { row: 3, message: expect.stringMatching(/^product_sku: .* is an archived product/) },
    ]);
    const rename = await importFile(renamed, { dryRun: true });
    expect(rename.body.errors).toEqual([
      {
        row: 2,
        message: expect.stringMatching(
          /^options: the product's options are Size, Colour; an import cannot add, remove or rename options/,
        ),
      },
    ]);
  });

  it('reports a broken CSV by row: an unclosed quote, a wrong number of values, an unknown column', async () => {
    const header = csvRow(PRODUCT_CSV_COLUMNS);
    const stray = await importFile(`${header}a,b\r\n"open,\r\n`, { dryRun: true });
    expect(stray.status).toBe(422);
    expect(stray.body.errors).toEqual([
      { row: 3, message: expect.stringMatching(/quoted value is not closed/) },
    ]);
    const short = await importFile(`${header}a,b\r\n`, { dryRun: true });
    expect(short.body.errors).toEqual([
      {
        row: 2,
        message: `2 values where the header names ${PRODUCT_CSV_COLUMNS.length} columns (a value with a comma needs quotes)`,
      },
    ]);
    const unknown = await importFile('product_sku,sku,colour\r\n', { dryRun: true });
    expect(unknown.body.errors).toEqual([
      { row: 1, message: expect.stringMatching(/^unknown column "colour"/) },
    ]);
    const empty = await importFile('', { dryRun: true });
    expect(empty.body.errors).toEqual([
      { row: 1, message: expect.stringMatching(/the file is empty/) },
    ]);
  });
});

describe('what is not a CSV import', () => {
  it('refuses files that are not UTF-8 text with 415, and a workbook with a hint', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0, 1]);
    const binary = await importFile(png);
    expect([binary.status, binary.body.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const xlsx = await importFile(new Uint8Array([0x50, 0x4b, 3, 4, 20, 0, 6, 0]));
    expect(xlsx.status).toBe(415);
    expect(JSON.stringify(xlsx.body)).toMatch(/spreadsheet workbook/);
    const nul = await importFile('product_sku,sku\r\na\u0000,b\r\n');
    expect(nul.status).toBe(415);
    const prose = await importFile('Dear shop,\nplease add my products.\n');
    expect([prose.status, prose.body.code]).toEqual([422, 'IMPORT_INVALID']);
  });

  it('refuses a file over 10 MB with 413, a JSON body with 415 and a form without the file with 400', async () => {
    const big = await importFile(new Uint8Array(10 * 1024 * 1024 + 1).fill(0x61));
    expect([big.status, big.body.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const json = await t.http.post(
      '/api/v1/admin/products/import',
      { file: 'x' },
      { token: admin.token },
    );
    expect([json.status, json.body.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const wrongField = await importFile('product_sku,sku\r\n', { field: 'upload' });
    expect([wrongField.status, wrongField.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('is for admins only', async () => {
    const customer = await createUser(t);
    const staff = await createUser(t, { role: 'staff' });
    const file = csvOf([]);
    expect((await importFile(file, { token: customer.token })).status).toBe(403);
    expect((await importFile(file, { token: staff.token })).status).toBe(403);
    const anonymous = await fetch(`${t.baseUrl}/api/v1/admin/products/import`, { method: 'POST' });
    expect(anonymous.status).toBe(401);
  });
});

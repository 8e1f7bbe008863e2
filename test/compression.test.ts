import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseEncoding } from '../src/web/compression.js';
import { createProduct } from './helpers/factories.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';

/** A raw GET (fetch would decode the body and hide the encoding it came in). */
function get(
  url: string,
  headers: Record<string, string>,
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
        }),
      );
      response.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

describe('compression of JSON answers', () => {
  let t: TestApp;
  let list: string;
  beforeAll(async () => {
    t = await buildTestApp();
    for (let i = 0; i < 12; i++) {
      await createProduct(t, {
        name: `Compressible product ${i}`,
        description: 'words '.repeat(20),
      });
    }
    list = `${t.baseUrl}/api/v1/products?pageSize=12`;
  });
  afterAll(async () => t?.close());

  it('sends a large catalog page in brotli or gzip as the browser accepts, the same JSON decoded', async () => {
    const plain = await get(list, {});
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(1024);
    expect(plain.headers.vary).toMatch(/accept-encoding/i);

    const br = await get(list, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.body.length).toBeLessThan(plain.body.length / 2);
    expect(JSON.parse(brotliDecompressSync(br.body).toString())).toEqual(
      JSON.parse(plain.body.toString()),
    );

    const gzip = await get(list, { 'accept-encoding': 'gzip;q=1, br;q=0' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).equals(plain.body)).toBe(true);
  });

  it('keeps the ETag usable: weak when compressed, and If-None-Match still answers 304', async () => {
    const plain = await get(list, {});
    const br = await get(list, { 'accept-encoding': 'br' });
    expect(br.headers['content-encoding']).toBe('br');
    const opaque = (etag: unknown) => String(etag).replace(/^W\//, '');
    expect(String(br.headers.etag)).toMatch(/^W\//);
    expect(opaque(br.headers.etag)).toBe(opaque(plain.headers.etag));
    const again = await get(list, {
      'accept-encoding': 'br',
      'if-none-match': String(br.headers.etag),
    });
    expect(again.status).toBe(304);
  });

  it('leaves small answers and non-JSON as they are', async () => {
    const small = await get(`${t.baseUrl}/api/v1/products?pageSize=1`, { 'accept-encoding': 'br' });
    expect(small.body.length).toBeLessThan(1024);
    expect(small.headers['content-encoding']).toBeUndefined();
    const page = await get(`${t.baseUrl}/`, { 'accept-encoding': 'br' });
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-encoding']).toBeUndefined();
  });

  it('reads Accept-Encoding: br first, gzip next, q=0 refuses, identity alone is none', () => {
    expect(chooseEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(chooseEncoding('gzip')).toBe('gzip');
    expect(chooseEncoding('br;q=0, gzip;q=0.5')).toBe('gzip');
    expect(chooseEncoding('*')).toBe('gzip');
    expect(chooseEncoding('identity')).toBeUndefined();
    expect(chooseEncoding(undefined)).toBeUndefined();
  });
});

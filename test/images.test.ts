import { deflateSync } from 'node:zlib';
import { eq, inArray } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processImage } from '../src/modules/catalog/image-processing.js';
import { imageVariants, productImages } from '../src/modules/catalog/product-image.table.js';
import {
  demoImage,
  demoProducts,
  demoUpload,
  drawingsOf,
} from '../src/modules/catalog/seed-data.js';
import { createAdmin, createProduct, createUser, type TestUser } from './helpers/factories.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';

let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  t = await buildTestApp();
  admin = await createAdmin(t);
});
afterAll(() => t.close());

interface Sent {
  status: number;
  headers: Headers;
  body: any;
}

async function upload(
  productId: string,
  bytes: Buffer,
  options: { name?: string; type?: string; token?: string; field?: string } = {},
): Promise<Sent> {
  const form = new FormData();
  form.append(
    options.field ?? 'file',
    new Blob([new Uint8Array(bytes)], { type: options.type ?? 'application/octet-stream' }),
    options.name ?? 'upload.bin',
  );
  const response = await fetch(`${t.baseUrl}/api/v1/admin/products/${productId}/images`, {
    method: 'POST',
    headers: { authorization: `Bearer ${options.token ?? admin.token}` },
    body: form,
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : undefined,
  };
}

async function fetchImage(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(t.baseUrl + url, { headers });
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

/** A picture with a left half and a right half of different colours, so orientation shows. */
function twoTone(width: number, height: number) {
  const half = Math.floor(width / 2);
  return sharp({ create: { width, height, channels: 3, background: '#d02020' } }).composite([
    {
      input: { create: { width: width - half, height, channels: 3, background: '#2040d0' } },
      left: half,
      top: 0,
    },
  ]);
}

const storedImages = async (productId: string) => {
  const images = await t.ctx.db
    .select()
    .from(productImages)
    .where(eq(productImages.productId, productId));
  const variants =
    images.length === 0
      ? []
      : await t.ctx.db
          .select({ imageId: imageVariants.imageId })
          .from(imageVariants)
          .where(
            inArray(
              imageVariants.imageId,
              images.map((i) => i.id),
            ),
          );
  return { images: images.length, variants: variants.length };
};

/** A valid PNG header declaring `width` × `height` pixels, with a few bytes of image data. */
function pngDeclaring(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (data: Buffer) => {
    let c = 0xffffffff;
    for (const byte of data) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(typed));
    return Buffer.concat([length, typed, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    // Zeros compress to almost nothing: this is how a bomb stays small.
    chunk('IDAT', deflateSync(Buffer.alloc(64 * 1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('uploading product images', () => {
  it.each([
    ['JPEG', 'jpeg' as const],
    ['PNG', 'png' as const],
    ['WebP', 'webp' as const],
  ])('stores a %s upload as WebP variants at 320, 640 and 1280 px', async (_name, format) => {
    const product = await createProduct(t);
    const bytes = await twoTone(1600, 1200).toFormat(format).toBuffer();
    const res = await upload(product.id, bytes, { name: `photo.${format}` });
    expect(res.status).toBe(201);
    expect(res.body.id).toBe(product.id);
    const [image] = res.body.images;
    expect(image).toMatchObject({ id: expect.stringMatching(/^img_/), position: 0 });
    expect(image.variants.map((v: { width: number }) => v.width)).toEqual([320, 640, 1280]);
    expect(image.variants.map((v: { height: number }) => v.height)).toEqual([240, 480, 960]);
    expect(image).toMatchObject({ width: 1280, height: 960, url: image.variants[2].url });
    for (const v of image.variants) {
      expect(v.url).toMatch(new RegExp(`^/images/[0-9a-f]{32}-${v.width}\\.webp$`));
    }
    expect(res.body.imageUrl).toBe(image.variants[1].url);

    for (const v of image.variants) {
      const { response, bytes: served } = await fetchImage(v.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/webp');
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
      expect(response.headers.get('etag')).toMatch(/^"[0-9a-f]{32}-\d+"$/);
      // The bytes are WebP whatever came in.
      expect(served.subarray(0, 4).toString('ascii')).toBe('RIFF');
      expect(served.subarray(8, 12).toString('ascii')).toBe('WEBP');
      const meta = await sharp(served).metadata();
      expect(meta).toMatchObject({ format: 'webp', width: v.width, height: v.height });
    }
  });

  it('answers 304 to If-None-Match with the ETag, and 200 to another tag', async () => {
    const product = await createProduct(t);
    const res = await upload(product.id, await twoTone(700, 400).png().toBuffer());
    const url = res.body.imageUrl as string;
    const first = await fetchImage(url);
    const etag = first.response.headers.get('etag')!;
    const again = await fetchImage(url, { 'if-none-match': etag });
    expect(again.response.status).toBe(304);
    expect(again.bytes.length).toBe(0);
    expect(again.response.headers.get('etag')).toBe(etag);
    expect(again.response.headers.get('cache-control')).toContain('immutable');
    const listed = await fetchImage(url, { 'if-none-match': `"other", W/${etag}` });
    expect(listed.response.status).toBe(304);
    const other = await fetchImage(url, { 'if-none-match': '"something-else"' });
    expect(other.response.status).toBe(200);
    expect(other.bytes.equals(first.bytes)).toBe(true);
  });

  it('never enlarges: a small image has one variant at its own width', async () => {
    const product = await createProduct(t);
    const small = await upload(product.id, await twoTone(200, 150).png().toBuffer());
    expect(small.status).toBe(201);
    expect(small.body.images[0].variants).toEqual([
      { url: expect.stringMatching(/-200\.webp$/), width: 200, height: 150 },
    ]);
    expect(small.body.imageUrl).toBe(small.body.images[0].url);
    const medium = await upload(product.id, await twoTone(900, 300).png().toBuffer());
    expect(medium.body.images[1].variants.map((v: { width: number }) => v.width)).toEqual([
      320, 640, 900,
    ]);
  });

  it('applies the EXIF orientation and strips all metadata', async () => {
    const product = await createProduct(t);
    // 200 × 100, red left, blue right, tagged "rotate 90° clockwise to display".
    const jpeg = await twoTone(400, 200)
      .jpeg()
      .withExif({ IFD0: { Copyright: 'secret-owner', Artist: 'someone' } })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const inMeta = await sharp(jpeg).metadata();
    expect(inMeta.orientation).toBe(6);
    expect(inMeta.exif).toBeDefined();

    const res = await upload(product.id, jpeg, { name: 'phone.jpg', type: 'image/jpeg' });
    expect(res.status).toBe(201);
    const image = res.body.images[0];
    expect({ width: image.width, height: image.height }).toEqual({ width: 200, height: 400 });

    const { bytes } = await fetchImage(image.url);
    const meta = await sharp(bytes).metadata();
    expect(meta.width).toBe(200);
    expect(meta.height).toBe(400);
    expect(meta.orientation).toBeUndefined();
    expect(meta.exif).toBeUndefined();
    expect(meta.icc).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect(bytes.includes(Buffer.from('secret-owner'))).toBe(false);
    // Rotated clockwise, the left (red) half is now on top.
    const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number) => {
      const i = (y * info.width + x) * info.channels;
      return [data[i]!, data[i + 1]!, data[i + 2]!];
    };
    const [topR, , topB] = pixel(100, 50);
    const [bottomR, , bottomB] = pixel(100, 350);
    expect(topR).toBeGreaterThan(150);
    expect(topB).toBeLessThan(100);
    expect(bottomB).toBeGreaterThan(150);
    expect(bottomR).toBeLessThan(100);
  });

  it('refuses a text file named .png and sent as image/png with 415, and stores nothing', async () => {
    const product = await createProduct(t);
    const res = await upload(product.id, Buffer.from('not an image at all\n'.repeat(20)), {
      name: 'picture.png',
      type: 'image/png',
    });
    expect(res.status).toBe(415);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await storedImages(product.id)).toEqual({ images: 0, variants: 0 });
    const after = await t.http.get(`/api/v1/products/${product.id}`);
    expect(after.body).toMatchObject({ imageUrl: null, images: [] });
  });

  it('refuses formats other than JPEG, PNG and WebP by their bytes: GIF, SVG', async () => {
    const product = await createProduct(t);
    const gif = await twoTone(50, 50).gif().toBuffer();
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    for (const [bytes, name] of [
      [gif, 'a.png'],
      [svg, 'b.webp'],
    ] as const) {
      const res = await upload(product.id, bytes, { name, type: 'image/png' });
      expect(res.status).toBe(415);
      expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    expect(await storedImages(product.id)).toEqual({ images: 0, variants: 0 });
  });

  it('refuses a damaged image (a PNG cut short) with 422 IMAGE_UNREADABLE', async () => {
    const product = await createProduct(t);
    const png = await sharp({
      create: {
        width: 400,
        height: 400,
        channels: 3,
        background: '#808080',
        noise: { type: 'gaussian', mean: 128, sigma: 60 },
      },
    })
      .png()
      .toBuffer();
    const res = await upload(product.id, png.subarray(0, Math.floor(png.length / 2)));
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('IMAGE_UNREADABLE');
    expect(await storedImages(product.id)).toEqual({ images: 0, variants: 0 });
  });

  it('refuses a decompression bomb (a tiny PNG declaring 100 000 × 100 000 pixels) with 422', async () => {
    const product = await createProduct(t);
    const bomb = pngDeclaring(100_000, 100_000);
    expect(bomb.length).toBeLessThan(1024);
    const res = await upload(product.id, bomb, { name: 'bomb.png', type: 'image/png' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('IMAGE_TOO_MANY_PIXELS');
    expect(await storedImages(product.id)).toEqual({ images: 0, variants: 0 });
  });

  it('refuses an upload over 5 MB with 413 PAYLOAD_TOO_LARGE, by its length or while reading it', async () => {
    const product = await createProduct(t);
    // Just over the limit: the declared length passes, the multipart reader stops at 5 MB.
    const justOver = Buffer.alloc(5 * 1024 * 1024 + 1, 0x41);
    const a = await upload(product.id, justOver, { name: 'big.png', type: 'image/png' });
    expect(a.status).toBe(413);
    expect(a.body.code).toBe('PAYLOAD_TOO_LARGE');
    // Far over: refused from Content-Length before reading.
    const b = await upload(product.id, Buffer.alloc(8 * 1024 * 1024, 0x41));
    expect(b.status).toBe(413);
    expect(b.body.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await storedImages(product.id)).toEqual({ images: 0, variants: 0 });
  });

  it('accepts an image just under 5 MB', async () => {
    const product = await createProduct(t);
    // Noise barely compresses: about 4.5 MB of PNG.
    const png = await sharp({
      create: {
        width: 1300,
        height: 1200,
        channels: 3,
        background: '#808080',
        noise: { type: 'gaussian', mean: 128, sigma: 80 },
      },
    })
      .png({ compressionLevel: 0 })
      .toBuffer();
    expect(png.length).toBeGreaterThan(4 * 1024 * 1024);
    expect(png.length).toBeLessThan(5 * 1024 * 1024);
    const res = await upload(product.id, png);
    expect(res.status).toBe(201);
    expect(res.body.images).toHaveLength(1);
  });

  it('refuses a request without a file part, or that is not multipart', async () => {
    const product = await createProduct(t);
    const noFile = await upload(product.id, Buffer.from('x'), { field: 'other' });
    expect(noFile.status).toBe(400);
    expect(noFile.body.code).toBe('VALIDATION_FAILED');
    const json = await t.http.post(
      `/api/v1/admin/products/${product.id}/images`,
      { file: 'x' },
      { token: admin.token },
    );
    expect(json.status).toBe(415);
    expect(json.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses a multipart body on the image routes beside the upload with 415, deleting and reordering nothing', async () => {
    const product = await createProduct(t);
    const uploaded = await upload(product.id, await twoTone(400, 300).png().toBuffer());
    expect(uploaded.status).toBe(201);
    const imageId: string = uploaded.body.images[0].id;
    const before = await storedImages(product.id);
    const multipart = () => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array([1, 2, 3])]), 'image.png');
      return form;
    };
    const base = `${t.baseUrl}/api/v1/admin/products/${product.id}/images`;
    const headers = { authorization: `Bearer ${admin.token}` };
    for (const [method, url] of [
      ['DELETE', `${base}/${imageId}`],
      ['PUT', `${base}/order`],
    ] as const) {
      const response = await fetch(url, { method, headers, body: multipart() });
      expect(response.status, method).toBe(415);
      expect((await response.json()).code, method).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    expect(await storedImages(product.id)).toEqual(before);
    expect(before.images).toBe(1);
  });

  it('answers 404 for an unknown product, before reading the image', async () => {
    const res = await upload('prd_unknown', await twoTone(100, 100).png().toBuffer());
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NOT_FOUND');
  });

  it('gives concurrent uploads to one product distinct positions', async () => {
    const product = await createProduct(t);
    const bytes = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        twoTone(300 + i * 10, 200)
          .png()
          .toBuffer(),
      ),
    );
    const results = await Promise.all(bytes.map((b) => upload(product.id, b)));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    const detail = await t.http.get(`/api/v1/products/${product.id}`);
    expect(detail.body.images.map((i: { position: number }) => i.position)).toEqual([0, 1, 2, 3]);
  });
});

describe('product responses', () => {
  it('list and detail show uploaded images; a product without uploads has none', async () => {
    const name = `Imaged ${Date.now()}`;
    const withImage = await createProduct(t, { name });
    const without = await createProduct(t, { name });
    await upload(withImage.id, await twoTone(800, 600).png().toBuffer());
    const list = await t.http.get(`/api/v1/products?q=${encodeURIComponent(name)}&pageSize=100`);
    const byId = new Map(list.body.items.map((p: { id: string }) => [p.id, p]));
    expect(byId.get(withImage.id)).toMatchObject({
      imageUrl: expect.stringMatching(/-640\.webp$/),
      images: [expect.objectContaining({ width: 800, height: 600 })],
    });
    expect(byId.get(without.id)).toMatchObject({ imageUrl: null, images: [] });
    const detail = await t.http.get(`/api/v1/products/${withImage.id}`);
    expect(detail.body.images).toEqual((byId.get(withImage.id) as { images: unknown }).images);
    const adminList = await t.http.get(
      `/api/v1/admin/products?q=${encodeURIComponent(name)}&pageSize=100`,
      { token: admin.token },
    );
    expect(
      adminList.body.items.find((p: { id: string }) => p.id === withImage.id).images,
    ).toHaveLength(1);
  });
});

describe('deleting and ordering images', () => {
  it('deletes an image: its URLs answer 404 problem+json and the product no longer lists it', async () => {
    const product = await createProduct(t);
    const first = await upload(product.id, await twoTone(500, 300).png().toBuffer());
    const second = await upload(product.id, await twoTone(600, 300).webp().toBuffer());
    const [a, b] = second.body.images;
    expect(first.body.images[0].id).toBe(a.id);
    const gone = await t.http.delete(`/api/v1/admin/products/${product.id}/images/${a.id}`, {
      token: admin.token,
    });
    expect(gone.status).toBe(204);
    const detail = await t.http.get(`/api/v1/products/${product.id}`);
    expect(detail.body.images.map((i: { id: string }) => i.id)).toEqual([b.id]);
    expect(detail.body.imageUrl).toBe(b.variants[1].url);
    const served = await t.http.get(a.url);
    expect(served.status).toBe(404);
    expect(served.headers.get('content-type')).toContain('application/problem+json');
    expect(served.body.code).toBe('NOT_FOUND');
    expect(await storedImages(product.id)).toEqual({ images: 1, variants: 2 });
    const again = await t.http.delete(`/api/v1/admin/products/${product.id}/images/${a.id}`, {
      token: admin.token,
    });
    expect(again.status).toBe(404);
    // An image is deleted only through its own product.
    const other = await createProduct(t);
    const foreign = await t.http.delete(`/api/v1/admin/products/${other.id}/images/${b.id}`, {
      token: admin.token,
    });
    expect(foreign.status).toBe(404);
    expect((await t.http.get(b.url)).status).toBe(200);
  });

  it('orders images with PUT .../images/order; the first becomes imageUrl', async () => {
    const product = await createProduct(t);
    for (const w of [400, 500, 600])
      await upload(product.id, await twoTone(w, 300).png().toBuffer());
    const before = await t.http.get(`/api/v1/products/${product.id}`);
    const ids: string[] = before.body.images.map((i: { id: string }) => i.id);
    const reordered = await t.http.request(
      'PUT',
      `/api/v1/admin/products/${product.id}/images/order`,
      { imageIds: [ids[2], ids[0], ids[1]] },
      { token: admin.token },
    );
    expect(reordered.status).toBe(200);
    expect(reordered.body.images.map((i: { id: string }) => i.id)).toEqual([
      ids[2],
      ids[0],
      ids[1],
    ]);
    expect(reordered.body.images.map((i: { position: number }) => i.position)).toEqual([0, 1, 2]);
    expect(reordered.body.images[0].width).toBe(600);
    const detail = await t.http.get(`/api/v1/products/${product.id}`);
    expect(detail.body.imageUrl).toBe(reordered.body.images[0].variants[1].url);
  });

  it.each([
    ['one missing', (ids: string[]) => [ids[0], ids[1]]],
    ['a duplicate', (ids: string[]) => [ids[0], ids[0], ids[1], ids[2]]],
    ['a foreign id', (ids: string[]) => [ids[0], ids[1], 'img_other']],
  ])('refuses an order with %s with 400 VALIDATION_FAILED', async (_what, pick) => {
    const product = await createProduct(t);
    for (const w of [400, 500, 600])
      await upload(product.id, await twoTone(w, 300).png().toBuffer());
    const before = await t.http.get(`/api/v1/products/${product.id}`);
    const ids: string[] = before.body.images.map((i: { id: string }) => i.id);
    const res = await t.http.request(
      'PUT',
      `/api/v1/admin/products/${product.id}/images/order`,
      { imageIds: pick(ids) },
      { token: admin.token },
    );
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    const after = await t.http.get(`/api/v1/products/${product.id}`);
    expect(after.body.images.map((i: { id: string }) => i.id)).toEqual(ids);
  });
});

describe('image URLs and access', () => {
  it('answers 404 problem+json for unknown or malformed image names', async () => {
    for (const path of [
      `/images/${'0'.repeat(32)}-640.webp`,
      '/images/nothing.webp',
      '/images/abc-640.png',
    ]) {
      const res = await t.http.get(path);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.code).toBe('NOT_FOUND');
    }
  });

  it('lets only admins upload, delete and order images (403 for customers and staff, 401 without a token)', async () => {
    const product = await createProduct(t);
    const png = await twoTone(100, 100).png().toBuffer();
    const ok = await upload(product.id, png);
    const imageId = ok.body.images[0].id;
    for (const role of ['customer', 'staff'] as const) {
      const who = await createUser(t, { role });
      const up = await upload(product.id, png, { token: who.token });
      expect(up.status).toBe(403);
      expect(up.body.code).toBe('FORBIDDEN');
      const del = await t.http.delete(`/api/v1/admin/products/${product.id}/images/${imageId}`, {
        token: who.token,
      });
      expect(del.status).toBe(403);
      const order = await t.http.request(
        'PUT',
        `/api/v1/admin/products/${product.id}/images/order`,
        { imageIds: [imageId] },
        { token: who.token },
      );
      expect(order.status).toBe(403);
    }
    const anonymous = await fetch(`${t.baseUrl}/api/v1/admin/products/${product.id}/images`, {
      method: 'POST',
      body: new FormData(),
    });
    expect(anonymous.status).toBe(401);
    expect(await storedImages(product.id)).toEqual({ images: 1, variants: 1 });
  });
});

describe('the demo catalog images', () => {
  it('are what the upload pipeline renders from each drawing (run demo-images/render.ts after changing either)', async () => {
    for (const sku of demoProducts.flatMap(drawingsOf)) {
      const upload = await demoUpload(sku);
      const seeded = await demoImage(sku);
      expect(upload, `demo-images/${sku.toLowerCase()}.webp`).toBeDefined();
      expect(seeded, `demo-images/rendered/${sku.toLowerCase()}-*.webp`).toBeDefined();
      const size = (v: { width: number; height: number }) => [v.width, v.height];
      const rendered = await processImage(upload!);
      expect(seeded!.variants.map(size), sku).toEqual(rendered.variants.map(size));
      for (const variant of seeded!.variants) {
        const meta = await sharp(variant.bytes).metadata();
        expect([meta.format, meta.width, meta.height]).toEqual(['webp', ...size(variant)]);
      }
    }
  });
});

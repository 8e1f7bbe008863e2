import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, createUser, type TestUser } from '../../helpers/factories.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { countChecks, jsonBodyOf, openApi, operationsOf, schemasIn, type Json } from './owasp.js';

countChecks('API7:2023 Server Side Request Forgery');

// Ordo makes outbound requests only to places the operator sets in the environment, never a
// request: the payment provider (GATEWAY_URL, STRIPE_API_BASE), the SMTP server (SMTP_URL) and,
// from the built-in gateway, its webhooks (PAYMENT_WEBHOOK_URL). Webhooks are inbound; images are uploaded as files, not fetched by URL. So
// the check is that no input in the document takes a URL, and that URL-looking values are
// refused where one might be slipped in.

/** A name that says the value is a place to fetch from. */
const URLISH = /(url|uri|href|link|callback|webhook|endpoint|host|domain|redirect|src|fetch)$/i;
const PRIVATE_URLS = [
  'http://169.254.169.254/latest/meta-data/',
  'http://127.0.0.1:5432/',
  'http://[::1]/',
  'file:///etc/passwd',
  'gopher://127.0.0.1:6379/_FLUSHALL',
];

let t: TestApp;
let doc: Json;
let admin: TestUser;
beforeAll(async () => {
  t = await buildTestApp();
  doc = await openApi(t);
  admin = await createUser(t, { role: 'admin' });
});
afterAll(() => t.close());

describe('API7:2023 Server Side Request Forgery', () => {
  it('no request input in the document takes a URL: no format uri, no URL-named field or parameter', () => {
    let inputs = 0;
    for (const o of operationsOf(doc)) {
      for (const p of (o.op.parameters ?? []) as Json[]) {
        inputs++;
        expect([o.id, p.name]).not.toEqual([o.id, expect.stringMatching(URLISH)]);
        expect([o.id, p.name, p.schema?.format]).not.toEqual([
          o.id,
          p.name,
          expect.stringMatching(/^ur[il]/),
        ]);
      }
      const bodies = Object.values((o.op.requestBody?.content ?? {}) as Record<string, Json>);
      for (const media of bodies) {
        for (const { where, schema } of schemasIn(doc, media.schema as Json, `${o.id} body`)) {
          inputs++;
          expect([where, schema.format]).not.toEqual([where, expect.stringMatching(/^ur[il]/)]);
          for (const key of Object.keys(schema.properties ?? {})) {
            expect([where, key]).not.toEqual([where, expect.stringMatching(URLISH)]);
          }
        }
      }
    }
    expect(inputs).toBeGreaterThan(100);
    // The one upload takes a file's bytes.
    const upload = doc.paths['/api/v1/admin/products/{id}/images'].post.requestBody.content;
    expect(Object.keys(upload)).toEqual(['multipart/form-data']);
    expect(
      jsonBodyOf(doc, {
        id: '',
        method: 'POST',
        path: '',
        op: doc.paths['/api/v1/admin/products/{id}/images'].post,
      }),
    ).toBeUndefined();
  });

  it('a product cannot be given an image URL to fetch: imageUrl and images are not input', async () => {
    const product = await createProduct(t);
    for (const url of PRIVATE_URLS) {
      for (const body of [{ imageUrl: url }, { images: [{ url }] }]) {
        const res = await t.http.patch(`/api/v1/admin/products/${product.id}`, body, {
          token: admin.token,
        });
        expect([url, res.status, res.body.code]).toEqual([url, 400, 'VALIDATION_FAILED']);
      }
    }
    expect((await t.http.get(`/api/v1/products/${product.id}`)).body.imageUrl).toBeNull();
  });

  it('an upload whose content is a URL is not fetched: it is refused as an unreadable image', async () => {
    const product = await createProduct(t);
    for (const url of PRIVATE_URLS) {
      const form = new FormData();
      form.append('file', new Blob([url], { type: 'image/png' }), 'image.png');
      const res = await fetch(`${t.baseUrl}/api/v1/admin/products/${product.id}/images`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin.token}` },
        body: form,
      });
      expect([url, res.status]).toEqual([url, expect.toBeOneOf([415, 422])]);
      await res.arrayBuffer();
    }
    expect((await t.http.get(`/api/v1/products/${product.id}`)).body.images).toEqual([]);
  });

  it('the webhook route is per provider by name, not a place to send to', async () => {
    for (const provider of [
      'http:%2F%2F169.254.169.254',
      '..%2F..%2Fadmin',
      'stripe.evil.example',
    ]) {
      const res = await t.http.post(`/api/v1/webhooks/payments/${provider}`, undefined, {
        raw: '{}',
        headers: { 'content-type': 'application/json' },
      });
      expect([provider, res.status]).toEqual([provider, expect.toBeOneOf([400, 404])]);
    }
  });
});

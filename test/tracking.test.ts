import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, createUser, type TestUser } from './helpers/factories.js';
import { TestSmtpServer } from './helpers/smtp.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';
import { waitFor } from './helpers/wait.js';

// Shipping with and without tracking, and tracking added or corrected afterwards: over HTTP,
// paid through the built-in gateway, emails sent by the real worker to a real SMTP peer.

const shippingAddress = {
  name: 'Grace Hopper',
  line1: '1 Navy Way',
  city: 'Arlington',
  postalCode: '22202',
  country: 'US',
};

let smtp: TestSmtpServer;
let t: TestApp;
let staff: TestUser;

beforeAll(async () => {
  smtp = await new TestSmtpServer().start();
  t = await buildTestApp(
    { SMTP_URL: smtp.url, MAIL_FROM: 'Shop <hello@shop.test>' },
    { worker: true, gateway: true },
  );
  staff = await createUser(t, { role: 'staff' });
});
afterAll(async () => {
  await t.close();
  await smtp.stop();
});

/** A paid order of a new customer. */
async function paidOrder() {
  const customer = await createUser(t);
  const product = await createProduct(t, { price: 1500 });
  const placed = await t.http.post(
    '/api/v1/orders',
    { items: [{ productId: product.id, quantity: 1 }], shippingAddress },
    { token: customer.token },
  );
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  const id = placed.body.id as string;
  const paid = await t.http.post(
    `/api/v1/orders/${id}/payments`,
    { paymentMethod: 'pm_card_visa' },
    { token: customer.token },
  );
  expect(paid.status, JSON.stringify(paid.body)).toBe(201);
  return { id, number: placed.body.number as string, customer };
}

const ship = (id: string, body?: object) =>
  t.http.post(`/api/v1/admin/orders/${id}/ship`, body, { token: staff.token });
const track = (id: string, body: unknown, token = staff.token) =>
  t.http.patch(`/api/v1/admin/orders/${id}/tracking`, body, { token });

const mailsOf = (email: string, subject: string) =>
  smtp.to(email).filter((m) => m.subject === subject);
const shippedSubject = (number: string) => `Order ${number} has shipped`;
const trackingSubject = (number: string) => `Tracking for order ${number}`;

describe('shipping and tracking', () => {
  it('ships with tracking and says so in the shipped email', async () => {
    const order = await paidOrder();
    const shipped = await ship(order.id, { carrier: 'DHL', trackingNumber: 'JD0001' });
    expect(shipped.status, JSON.stringify(shipped.body)).toBe(200);
    expect(shipped.body).toMatchObject({ carrier: 'DHL', trackingNumber: 'JD0001' });
    const mail = await waitFor(
      () => mailsOf(order.customer.email, shippedSubject(order.number))[0],
      {
        what: 'shipped email',
      },
    );
    expect(mail.text).toContain('Carrier: DHL');
    expect(mail.text).toContain('Tracking number: JD0001');
  });

  it('ships without tracking through the API, and tracking added later reaches the customer', async () => {
    const order = await paidOrder();
    const shipped = await ship(order.id);
    expect(shipped.status, JSON.stringify(shipped.body)).toBe(200);
    expect(shipped.body).toMatchObject({ status: 'shipped', trackingNumber: null });
    const shippedMail = await waitFor(
      () => mailsOf(order.customer.email, shippedSubject(order.number))[0],
      {
        what: 'shipped email',
      },
    );
    expect(shippedMail.text).not.toContain('Tracking number');

    const added = await track(order.id, { carrier: 'UPS', trackingNumber: '1Z999' });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body).toMatchObject({
      status: 'shipped',
      carrier: 'UPS',
      trackingNumber: '1Z999',
    });
    expect(added.body.history.at(-1)).toMatchObject({ from: 'shipped', to: 'shipped' });

    const mail = await waitFor(
      () => mailsOf(order.customer.email, trackingSubject(order.number))[0],
      {
        what: 'tracking email',
      },
    );
    expect(mail.text).toContain('Carrier: UPS');
    expect(mail.text).toContain('Tracking number: 1Z999');
    expect(mail.html).toContain('1Z999');

    // The customer's own view of the order carries it.
    const seen = await t.http.get(`/api/v1/orders/${order.id}`, { token: order.customer.token });
    expect(seen.body).toMatchObject({ carrier: 'UPS', trackingNumber: '1Z999' });
  });

  it('corrects tracking after delivery, telling the customer once per change', async () => {
    const order = await paidOrder();
    expect((await ship(order.id, { carrier: 'DHL', trackingNumber: 'WRONG' })).status).toBe(200);
    expect(
      (await t.http.post(`/api/v1/admin/orders/${order.id}/deliver`, undefined, staff)).status,
    ).toBe(200);
    const corrected = await track(order.id, { carrier: 'DHL', trackingNumber: 'RIGHT' });
    expect(corrected.status, JSON.stringify(corrected.body)).toBe(200);
    expect(corrected.body).toMatchObject({ status: 'delivered', trackingNumber: 'RIGHT' });
    const again = await track(order.id, { carrier: 'DPD', trackingNumber: 'RIGHT2' });
    expect(again.status).toBe(200);

    const mails = await waitFor(
      () => {
        const found = mailsOf(order.customer.email, trackingSubject(order.number));
        return found.length === 2 && found;
      },
      { what: 'two tracking emails' },
    );
    expect(new Set(mails.map((m) => m.messageId)).size).toBe(2);
    for (const m of mails) {
      expect(m.messageId).toMatch(
        new RegExp(`^<tracking-updated\\.${order.id}\\.\\d+@shop\\.test>$`),
      );
    }
  });

  it('refuses tracking for an order not shipped yet with 409, changing nothing', async () => {
    const order = await paidOrder();
    const refused = await track(order.id, { carrier: 'DHL', trackingNumber: 'EARLY' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('INVALID_TRANSITION');
    const seen = await t.http.get(`/api/v1/admin/orders/${order.id}`, staff);
    expect(seen.body).toMatchObject({ status: 'paid', carrier: null, trackingNumber: null });
    expect(seen.body.history.map((h: { to: string }) => h.to)).toEqual(['pending_payment', 'paid']);
  });

  it('refuses a body without carrier or number, empty or with unknown fields, with 400', async () => {
    const order = await paidOrder();
    expect((await ship(order.id)).status).toBe(200);
    for (const body of [
      { carrier: 'DHL' },
      { trackingNumber: '1' },
      { carrier: '', trackingNumber: '1' },
      { carrier: 'DHL', trackingNumber: '   ' },
      { carrier: 'DHL', trackingNumber: '1', trackingUrl: 'x', extra: true },
      { carrier: 'DHL', trackingNumber: 'x'.repeat(101) },
    ]) {
      const res = await track(order.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    const seen = await t.http.get(`/api/v1/admin/orders/${order.id}`, staff);
    expect(seen.body.trackingNumber).toBeNull();
  });

  it('is for staff: the customer gets 403, an unknown order 404', async () => {
    const order = await paidOrder();
    expect((await ship(order.id)).status).toBe(200);
    const byCustomer = await track(
      order.id,
      { carrier: 'DHL', trackingNumber: 'MINE' },
      order.customer.token,
    );
    expect(byCustomer.status).toBe(403);
    expect(byCustomer.body.code).toBe('FORBIDDEN');
    const unknown = await track('ord_unknown', { carrier: 'DHL', trackingNumber: 'X' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('NOT_FOUND');
  });
});

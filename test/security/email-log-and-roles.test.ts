import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emails } from '../../src/modules/notifications/email.table.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { waitFor } from '../helpers/wait.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';

/** A live user token as the emails carry it, wherever it appears. */
const TOKEN = /tok_[0-9a-z]{26}\.[A-Za-z0-9_-]{43}/;

let smtp: TestSmtpServer;
let t: TestApp;
beforeAll(async () => {
  smtp = await new TestSmtpServer().start();
  t = await buildTestApp({ SMTP_URL: smtp.url }, { worker: true });
});
afterAll(async () => {
  await t.close();
  await smtp.stop();
});

interface EmailView {
  kind: string;
  to: string;
  userId: string | null;
  subject: string;
  text: string;
  html: string;
  redacted: boolean;
}

const listEmails = async (viewer: TestUser, query = '') => {
  const res = await t.http.get<{ items: EmailView[]; total: number }>(
    `/api/v1/admin/emails?pageSize=100${query}`,
    { token: viewer.token },
  );
  expect(res.status).toBe(200);
  return res.body;
};

/** Asks for a reset link for `email` and waits until the worker has sent it over SMTP. */
async function requestReset(email: string): Promise<string> {
  expect((await t.http.post('/api/v1/auth/password-reset/request', { email })).status).toBe(202);
  const mail = await waitFor(
    () => smtp.to(email).find((m) => /reset/i.test(m.subject) && TOKEN.test(m.text)),
    { what: `the reset email to ${email}` },
  );
  return TOKEN.exec(mail.text)![0];
}

describe('the email log never hands over another account', () => {
  it("a staff member cannot take over an admin through the admin's reset email", async () => {
    const admin = await createUser(t, { role: 'admin' });
    const staff = await createUser(t, { role: 'staff' });
    // The admin's own mailbox has the live link: the email itself is unchanged.
    const token = await requestReset(admin.email);

    // Staff see order emails only: the reset email is not in their view at all, not even when
    // asked for by kind, recipient or user.
    for (const query of [
      '',
      '&kind=password-reset',
      `&to=${encodeURIComponent(admin.email)}`,
      `&userId=${admin.user.id}`,
    ]) {
      const seen = await listEmails(staff, query);
      expect(seen.items.filter((e) => e.kind === 'password-reset' && e.to === admin.email)).toEqual(
        [],
      );
      for (const e of seen.items) {
        expect(`${e.subject}${e.text}${e.html}`).not.toContain(token);
        // Their own verification email is theirs to read; nobody else's token shows.
        if (e.userId !== staff.user.id) expect(`${e.subject}${e.text}${e.html}`).not.toMatch(TOKEN);
      }
    }

    // What the issue did: confirm a reset with what the log showed. Nothing to confirm with.
    const staffView = (await listEmails(staff)).items.filter((e) => e.userId !== staff.user.id);
    expect(JSON.stringify(staffView)).not.toMatch(TOKEN);
    expect(JSON.stringify(staffView)).not.toContain(token);
    expect(
      (await t.http.post('/api/v1/auth/login', { email: admin.email, password: admin.password }))
        .status,
    ).toBe(200);

    // The admin, whose email it is, can still use the link from their mailbox.
    const confirmed = await t.http.post('/api/v1/auth/password-reset/confirm', {
      token,
      password: 'the admin chose this',
    });
    expect(confirmed.status).toBe(204);
  });

  it('an admin sees every email, with the token links of other accounts redacted', async () => {
    const admin = await createUser(t, { role: 'admin' });
    const customer = await createUser(t);
    const token = await requestReset(customer.email);

    const seen = await waitFor(
      async () => {
        const page = await listEmails(admin, `&to=${encodeURIComponent(customer.email)}`);
        // The page and its total are two reads: wait until the page itself holds both.
        return page.items.length === 2 && page;
      },
      { what: 'both emails to the customer' },
    );
    const kinds = seen.items.map((e) => e.kind).sort();
    expect(kinds).toEqual(['password-reset', 'verification']);
    for (const e of seen.items) {
      expect(e.redacted).toBe(true);
      expect(`${e.subject}${e.text}${e.html}`).not.toMatch(TOKEN);
      expect(e.text).toContain('token=[redacted]');
      expect(e.html).toContain('[redacted]');
    }
    // The stored email, which is what was sent, is unchanged: the customer's link works.
    const [stored] = await t.ctx.db
      .select()
      .from(emails)
      .where(eq(emails.to, customer.email))
      .orderBy(emails.sentAt);
    expect(stored!.text).toMatch(TOKEN);
    const reset = await t.http.post('/api/v1/auth/password-reset/confirm', {
      token,
      password: 'the customer chose this',
    });
    expect(reset.status).toBe(204);
  });

  it('a person reads their own verification email unredacted in the back office, and it verifies', async () => {
    const admin = await createUser(t, { role: 'admin' });
    const own = await waitFor(
      async () => (await listEmails(admin, `&userId=${admin.user.id}&kind=verification`)).items[0],
      { what: 'the admin’s verification email' },
    );
    expect(own.redacted).toBe(false);
    const token = TOKEN.exec(own.text)![0];
    const verified = await t.http.post('/api/v1/auth/verify-email', { token });
    expect(verified.status).toBe(200);
    expect(verified.body.emailVerified).toBe(true);
  });

  it('customers and anonymous callers cannot read the email log', async () => {
    const customer = await createUser(t);
    const asCustomer = await t.http.get('/api/v1/admin/emails', { token: customer.token });
    expect(asCustomer.status).toBe(403);
    expect(asCustomer.body.code).toBe('FORBIDDEN');
    const anonymous = await t.http.get('/api/v1/admin/emails');
    expect(anonymous.status).toBe(401);
  });
});

interface Operation {
  method: string;
  path: string;
}

/** The admin operations a staff member (orders) may use; every other admin operation is admin-only. */
const STAFF_MAY = [/^\/api\/v1\/admin\/orders(\/|$)/, /^\/api\/v1\/admin\/(emails|stats)$/];

describe('no role acts as a higher one', () => {
  let operations: Operation[];
  beforeAll(async () => {
    const doc = (await t.http.get('/openapi.json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    operations = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/v1/admin/'))
      .flatMap(([path, item]) =>
        Object.keys(item)
          .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
          .map((method) => ({ method: method.toUpperCase(), path })),
      );
  });

  const call = (op: Operation, token?: string) =>
    t.http.request(
      op.method,
      op.path.replace(/\{[^}]+\}/g, 'x_missing'),
      op.method === 'GET' || op.method === 'DELETE' ? undefined : {},
      { token },
    );

  it('every admin operation is refused anonymously (401) and to a customer (403)', async () => {
    const customer = await createUser(t);
    expect(operations.length).toBeGreaterThan(20);
    for (const op of operations) {
      const anonymous = await call(op);
      expect([op, anonymous.status]).toEqual([op, 401]);
      const asCustomer = await call(op, customer.token);
      expect([op, asCustomer.status, asCustomer.body.code]).toEqual([op, 403, 'FORBIDDEN']);
    }
  });

  it('every admin-only operation is refused to staff with 403, users and roles included', async () => {
    const staff = await createUser(t, { role: 'staff' });
    const adminOnly = operations.filter((op) => !STAFF_MAY.some((re) => re.test(op.path)));
    expect(adminOnly.map((op) => op.path)).toContain('/api/v1/admin/users/{id}');
    for (const op of adminOnly) {
      const res = await call(op, staff.token);
      expect([op, res.status, res.body.code]).toEqual([op, 403, 'FORBIDDEN']);
    }
  });

  it('staff cannot promote themselves or anyone, nor create an admin', async () => {
    const staff = await createUser(t, { role: 'staff' });
    const customer = await createUser(t);
    for (const id of [staff.user.id, customer.user.id]) {
      const res = await t.http.patch(
        `/api/v1/admin/users/${id}`,
        { role: 'admin' },
        { token: staff.token },
      );
      expect(res.status).toBe(403);
    }
    // Registration makes customers only: a role in the body is an unknown field.
    const registered = await t.http.post('/api/v1/auth/register', {
      email: `would-be-admin-${Date.now()}@example.test`,
      password: 'long enough password',
      name: 'Mallory',
      role: 'admin',
    });
    expect(registered.status).toBe(400);
    const me = await t.http.get('/api/v1/me', { token: staff.token });
    expect(me.body.role).toBe('staff');
    const login = await t.http.post('/api/v1/auth/login', {
      email: customer.email,
      password: customer.password,
    });
    expect(login.body.user.role).toBe('customer');
  });
});

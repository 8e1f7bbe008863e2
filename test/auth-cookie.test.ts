import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from './helpers/factories.js';
import { buildTestApp, type TestApp } from './helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

interface Sent {
  status: number;
  body: any;
  setCookie: string[];
  headers: Headers;
}

/** A raw POST, so the test decides the cookie, content type and body exactly. */
async function post(
  app: TestApp,
  path: string,
  options: { cookie?: string; json?: unknown; raw?: string; contentType?: string } = {},
): Promise<Sent> {
  const headers: Record<string, string> = {};
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  let body: string | undefined;
  if (options.json !== undefined) body = JSON.stringify(options.json);
  if (options.raw !== undefined) body = options.raw;
  if (options.contentType) headers['content-type'] = options.contentType;
  else if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(app.baseUrl + path, { method: 'POST', headers, body });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? JSON.parse(text) : undefined,
    setCookie: response.headers.getSetCookie(),
    headers: response.headers,
  };
}

/** The `ordo_refresh` cookie a response sets: its value and attributes. */
function refreshCookieOf(sent: Sent) {
  const line = sent.setCookie.find((c) => c.startsWith('ordo_refresh='));
  if (!line) throw new Error(`no ordo_refresh cookie in ${JSON.stringify(sent.setCookie)}`);
  const [pair, ...attrs] = line.split(';').map((s) => s.trim());
  const value = decodeURIComponent(pair!.slice('ordo_refresh='.length));
  const attributes = new Map(
    attrs.map((a) => {
      const [k, v] = a.split('=');
      return [k!.toLowerCase(), v ?? true] as const;
    }),
  );
  return { value, attributes, cookie: `ordo_refresh=${pair!.slice('ordo_refresh='.length)}` };
}

async function login(app: TestApp) {
  const u = await createUser(app);
  const sent = await post(app, '/api/v1/auth/login', {
    json: { email: u.email, password: u.password },
  });
  expect(sent.status).toBe(200);
  return { u, sent, cookie: refreshCookieOf(sent) };
}

describe('refresh token cookie', () => {
  it('login sets the refresh token as an HttpOnly, SameSite=Strict cookie on the auth path, for its lifetime', async () => {
    const { sent, cookie } = await login(t);
    expect(cookie.value).toBe(sent.body.refreshToken);
    expect(cookie.attributes.get('httponly')).toBe(true);
    expect(cookie.attributes.get('samesite')).toBe('Strict');
    expect(cookie.attributes.get('path')).toBe('/api/v1/auth');
    expect(cookie.attributes.get('max-age')).toBe(String(30 * 24 * 3600));
    // PUBLIC_URL is http here: a Secure cookie would never be sent back.
    expect(cookie.attributes.has('secure')).toBe(false);
    expect(sent.headers.get('cache-control')).toBe('no-store');
  });

  it('marks the cookie Secure when PUBLIC_URL is https, with Max-Age from REFRESH_TOKEN_TTL', async () => {
    const secure = await buildTestApp({
      PUBLIC_URL: 'https://shop.example',
      REFRESH_TOKEN_TTL: '2h',
    });
    try {
      const { cookie } = await login(secure);
      expect(cookie.attributes.get('secure')).toBe(true);
      expect(cookie.attributes.get('max-age')).toBe('7200');
      const refreshed = await post(secure, '/api/v1/auth/refresh', { cookie: cookie.cookie });
      expect(refreshed.status).toBe(200);
      expect(refreshCookieOf(refreshed).attributes.get('secure')).toBe(true);
    } finally {
      await secure.close();
    }
  });

  it.each([
    ['an empty JSON object', { json: {} }],
    ['no body and no content type', {}],
    [
      'an empty body with content type application/json',
      { raw: '', contentType: 'application/json' },
    ],
  ])(
    'refreshes from the cookie when the body is %s, and sets the rotated token',
    async (_what, options) => {
      const { cookie } = await login(t);
      const refreshed = await post(t, '/api/v1/auth/refresh', {
        cookie: cookie.cookie,
        ...options,
      });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.accessToken).toEqual(expect.any(String));
      const next = refreshCookieOf(refreshed);
      expect(next.value).toBe(refreshed.body.refreshToken);
      expect(next.value).not.toBe(cookie.value);
      expect(refreshed.headers.get('cache-control')).toBe('no-store');
      const me = await t.http.get('/api/v1/me', { token: refreshed.body.accessToken });
      expect(me.status).toBe(200);
    },
  );

  it('prefers the body token over the cookie', async () => {
    const a = await login(t);
    const b = await login(t);
    const withA = await post(t, '/api/v1/auth/refresh', {
      cookie: b.cookie.cookie,
      json: { refreshToken: a.sent.body.refreshToken },
    });
    expect(withA.status).toBe(200);
    expect(withA.body.user.id).toBe(a.u.user.id);
    // A bad body token is refused even though the cookie is good.
    const bad = await post(t, '/api/v1/auth/refresh', {
      cookie: b.cookie.cookie,
      json: { refreshToken: 'made-up' },
    });
    expect(bad.status).toBe(401);
    expect(bad.body.code).toBe('INVALID_REFRESH_TOKEN');
  });

  it('refuses a refresh with neither a body token nor a cookie with INVALID_REFRESH_TOKEN', async () => {
    for (const options of [{}, { json: {} }, { cookie: 'other=1; ordo_refresh=' }]) {
      const sent = await post(t, '/api/v1/auth/refresh', options);
      expect(sent.status).toBe(401);
      expect(sent.body.code).toBe('INVALID_REFRESH_TOKEN');
    }
    const unknown = await post(t, '/api/v1/auth/refresh', { cookie: 'ordo_refresh=made-up' });
    expect(unknown.status).toBe(401);
  });

  it('still validates a body that is given: malformed JSON and unknown fields are 400', async () => {
    const { cookie } = await login(t);
    const malformed = await post(t, '/api/v1/auth/refresh', { cookie: cookie.cookie, raw: '{' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('VALIDATION_FAILED');
    const unknownField = await post(t, '/api/v1/auth/refresh', {
      cookie: cookie.cookie,
      json: { token: 'x' },
    });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.errors[0].path).toBe('body.token');
    // Other routes keep refusing an empty JSON body.
    const emptyLogin = await post(t, '/api/v1/auth/login', {
      raw: '',
      contentType: 'application/json',
    });
    expect(emptyLogin.status).toBe(400);
  });

  it('keeps two tabs logged in when both refresh with the same cookie at once', async () => {
    const { cookie } = await login(t);
    const both = await Promise.all([
      post(t, '/api/v1/auth/refresh', { cookie: cookie.cookie }),
      post(t, '/api/v1/auth/refresh', { cookie: cookie.cookie }),
    ]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    for (const sent of both) {
      const next = refreshCookieOf(sent);
      const again = await post(t, '/api/v1/auth/refresh', { cookie: next.cookie });
      expect(again.status).toBe(200);
    }
  });

  it('logout with only the cookie ends the session and clears the cookie', async () => {
    const { cookie } = await login(t);
    const out = await post(t, '/api/v1/auth/logout', { cookie: cookie.cookie });
    expect(out.status).toBe(204);
    const cleared = refreshCookieOf(out);
    expect(cleared.value).toBe('');
    expect(cleared.attributes.get('max-age')).toBe('0');
    expect(cleared.attributes.get('path')).toBe('/api/v1/auth');
    const after = await post(t, '/api/v1/auth/refresh', { cookie: cookie.cookie });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('INVALID_REFRESH_TOKEN');
  });

  it('logout without any token still answers 204 and clears the cookie', async () => {
    const out = await post(t, '/api/v1/auth/logout', { json: {} });
    expect(out.status).toBe(204);
    expect(refreshCookieOf(out).attributes.get('max-age')).toBe('0');
  });

  it('logout by body token, as API clients do, still works and ignores the cookie', async () => {
    const a = await login(t);
    const b = await login(t);
    const out = await post(t, '/api/v1/auth/logout', {
      cookie: b.cookie.cookie,
      json: { refreshToken: a.sent.body.refreshToken },
    });
    expect(out.status).toBe(204);
    expect((await post(t, '/api/v1/auth/refresh', { cookie: a.cookie.cookie })).status).toBe(401);
    expect((await post(t, '/api/v1/auth/refresh', { cookie: b.cookie.cookie })).status).toBe(200);
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseDuration } from '../src/config.js';

const SECRET = 'a-jwt-secret-that-is-at-least-32-characters-long';

/** The ConfigError `loadConfig(env)` throws; fails the test when it does not throw one. */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('runs on the embedded default with documented values when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      logLevel: 'info',
      port: 3000,
      host: '127.0.0.1',
      publicUrl: 'http://localhost:3000',
      dataDir: './data',
      corsOrigins: [],
      mailFrom: 'Ordo <shop@ordo.localhost>',
      currency: 'USD',
      shippingFlatRate: 0,
      orderPaymentTtlMs: 30 * 60_000,
      accessTokenTtlMs: 15 * 60_000,
      refreshTokenTtlMs: 30 * 86_400_000,
      requireVerifiedEmail: false,
      paymentProvider: 'builtin',
      gatewayPort: 0,
      rateLimitAuth: 20,
    });
    for (const unset of [
      'databaseUrl',
      'redisUrl',
      'jwtSecret',
      'smtpUrl',
      'mailTemplatesDir',
      'freeShippingOver',
      'paymentWebhookSecret',
      'paymentWebhookUrl',
      'stripeSecretKey',
      'stripeApiBase',
    ] as const) {
      expect(config[unset], unset).toBeUndefined();
    }
  });

  it('treats empty values as unset, as an .env copied from .env.example has them', () => {
    const config = loadConfig({
      DATABASE_URL: '',
      REDIS_URL: '',
      JWT_SECRET: '',
      SMTP_URL: '',
      MAIL_TEMPLATES_DIR: '',
      PAYMENT_WEBHOOK_SECRET: '',
      PAYMENT_WEBHOOK_URL: '',
      STRIPE_SECRET_KEY: '',
      CORS_ORIGINS: '',
    });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config.jwtSecret).toBeUndefined();
    expect(config.smtpUrl).toBeUndefined();
    expect(config.mailTemplatesDir).toBeUndefined();
    expect(config.paymentWebhookSecret).toBeUndefined();
    expect(config.paymentWebhookUrl).toBeUndefined();
    expect(config.stripeSecretKey).toBeUndefined();
    expect(config.corsOrigins).toEqual([]);
  });

  // Bug: `optional(minorUnits(0))` turns '' into undefined and then into minorUnits' default 0,
  // so FREE_SHIPPING_OVER= (as .env.example ships it) makes every order ship free, while the
  // documented meaning of unset is "never free".
  it('treats an empty FREE_SHIPPING_OVER as unset: shipping is never free', () => {
    expect(loadConfig({}).freeShippingOver).toBeUndefined();
    expect(loadConfig({ FREE_SHIPPING_OVER: '' }).freeShippingOver).toBeUndefined();
  });

  // Bug: PORT='' coerces to 0 (a random port) instead of the default 3000, unlike the other
  // empty variables; `PORT=${PORT}` in a compose file with PORT unset lands there.
  it('treats an empty PORT as unset and listens on 3000', () => {
    expect(loadConfig({ PORT: '' }).port).toBe(3000);
  });

  it('reads every kind of value it parses', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      PUBLIC_URL: 'https://shop.example.test/',
      DATABASE_URL: 'postgresql://ordo@db.internal:5432/ordo',
      REDIS_URL: 'rediss://cache.internal:6380',
      JWT_SECRET: SECRET,
      CORS_ORIGINS: 'https://a.test, https://b.test ,',
      SHOP_CURRENCY: 'EUR',
      SHIPPING_FLAT_RATE: '499',
      FREE_SHIPPING_OVER: '5000',
      ORDER_PAYMENT_TTL: '45s',
      REQUIRE_VERIFIED_EMAIL: 'yes',
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_123',
    });
    expect(config).toMatchObject({
      env: 'production',
      port: 8080,
      publicUrl: 'https://shop.example.test',
      databaseUrl: 'postgresql://ordo@db.internal:5432/ordo',
      redisUrl: 'rediss://cache.internal:6380',
      jwtSecret: SECRET,
      corsOrigins: ['https://a.test', 'https://b.test'],
      currency: 'EUR',
      shippingFlatRate: 499,
      freeShippingOver: 5000,
      orderPaymentTtlMs: 45_000,
      requireVerifiedEmail: true,
      paymentProvider: 'stripe',
      stripeSecretKey: 'sk_test_123',
    });
  });

  it('derives PUBLIC_URL from PORT when it is not set', () => {
    expect(loadConfig({ PORT: '4000' }).publicUrl).toBe('http://localhost:4000');
  });
});

describe('loadConfig refuses bad values with one line per bad variable', () => {
  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1.5'],
    ['DATABASE_URL', 'mysql://x'],
    ['DATABASE_URL', 'not a url'],
    ['REDIS_URL', 'http://cache'],
    ['PUBLIC_URL', 'ftp://shop.test'],
    ['SMTP_URL', 'mail.example.test'],
    ['SHOP_CURRENCY', 'usd'],
    ['SHOP_CURRENCY', 'EURO'],
    ['ORDER_PAYMENT_TTL', 'soon'],
    ['ORDER_PAYMENT_TTL', '0m'],
    ['ACCESS_TOKEN_TTL', '15'],
    ['SHIPPING_FLAT_RATE', '1.5'],
    ['SHIPPING_FLAT_RATE', '-100'],
    ['FREE_SHIPPING_OVER', 'lots'],
    ['JWT_SECRET', 'too-short'],
    ['REQUIRE_VERIFIED_EMAIL', 'maybe'],
    ['PAYMENT_PROVIDER', 'paypal'],
    ['PAYMENT_WEBHOOK_SECRET', 'short'],
    ['RATE_LIMIT_AUTH', '0'],
    ['LOG_LEVEL', 'loud'],
  ])('refuses %s=%j with one line naming it', (name, value) => {
    const error = configError({ [name]: value });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(new RegExp(`^${name}: \\S`));
    expect(error.message).toBe(error.problems[0]);
  });

  it('reports every bad variable at once, one line each', () => {
    const bad = {
      PORT: 'abc',
      DATABASE_URL: 'mysql://x',
      SHOP_CURRENCY: 'usd',
      ORDER_PAYMENT_TTL: 'soon',
      SHIPPING_FLAT_RATE: '1.5',
      JWT_SECRET: 'short',
    };
    const error = configError({ ...bad, HOST: '0.0.0.0' });
    expect(error.problems).toHaveLength(Object.keys(bad).length);
    const named = error.problems.map((line) => line.split(':')[0]);
    expect(named.sort()).toEqual(Object.keys(bad).sort());
    expect(error.message.split('\n')).toEqual(error.problems);
  });

  it('refuses DATABASE_URL without JWT_SECRET, and accepts it with one', () => {
    const error = configError({ DATABASE_URL: 'postgres://ordo@localhost/ordo' });
    expect(error.problems).toEqual([
      expect.stringMatching(/^JWT_SECRET: required when DATABASE_URL/),
    ]);
    expect(
      loadConfig({ DATABASE_URL: 'postgres://ordo@localhost/ordo', JWT_SECRET: SECRET })
        .databaseUrl,
    ).toBe('postgres://ordo@localhost/ordo');
  });

  it('refuses PAYMENT_PROVIDER=stripe without STRIPE_SECRET_KEY', () => {
    expect(configError({ PAYMENT_PROVIDER: 'stripe' }).problems).toEqual([
      expect.stringMatching(/^STRIPE_SECRET_KEY: /),
    ]);
  });

  it('never echoes a secret it refuses', () => {
    const secret = 'hunter2-but-short';
    const error = configError({ JWT_SECRET: secret });
    expect(error.message).not.toContain(secret);
  });
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['45s', 45_000],
    ['30m', 1_800_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    [' 5m ', 300_000],
    ['0s', 0],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', 'm', 'soon', '1.5h', '-1m', '5 m', '10M', '1w', '30 minutes'])(
    'rejects %j',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});

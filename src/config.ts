import { z } from 'zod';

/**
 * Environment parsed and validated once at start. Every value Ordo reads from the
 * environment is declared here; `.env.example` lists the same names.
 */

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses `30m`, `45s`, `2h`, `1d`, `500ms` into milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: `expected a duration like 30m, 45s or 2h` });
        return z.NEVER;
      }
      return ms;
    });

const amount = () =>
  z.coerce
    .number({ error: 'expected an integer amount in minor units' })
    .int('expected an integer amount in minor units')
    .min(0, 'must not be negative')
    .max(100_000_000);
const minorUnits = (fallback: number) => amount().default(fallback);

const boolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

const url = (protocols: RegExp, hint: string) =>
  z.url({ protocol: protocols, error: `expected a ${hint} URL` });

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty'], { error: 'expected json or pretty' }).default('json'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: optional(url(/^https?$/, 'http(s)')),
  DATABASE_URL: optional(url(/^postgres(ql)?$/, 'postgres://')),
  REDIS_URL: optional(url(/^rediss?$/, 'redis://')),
  DATA_DIR: z.string().min(1).default('./data'),
  JWT_SECRET: optional(z.string().min(32, 'must be at least 32 characters')),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  SMTP_URL: optional(url(/^smtps?$/, 'smtp://')),
  MAIL_FROM: z.string().min(3).default('Ordo <shop@ordo.localhost>'),
  MAIL_TEMPLATES_DIR: optional(z.string().min(1)),
  SHOP_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code such as USD')
    .default('USD'),
  SHIPPING_FLAT_RATE: minorUnits(0),
  FREE_SHIPPING_OVER: amount().optional(),
  ORDER_PAYMENT_TTL: duration('30m'),
  ACCESS_TOKEN_TTL: duration('15m'),
  REFRESH_TOKEN_TTL: duration('30d'),
  REQUIRE_VERIFIED_EMAIL: boolean(false),
  ALLOW_GUEST_CHECKOUT: boolean(true),
  PAYMENT_PROVIDER: z.enum(['builtin', 'stripe']).default('builtin'),
  PAYMENT_WEBHOOK_SECRET: optional(z.string().min(16, 'must be at least 16 characters')),
  PAYMENT_WEBHOOK_URL: optional(url(/^https?$/, 'http(s)')),
  GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  GATEWAY_URL: optional(url(/^https?$/, 'http(s)')),
  GATEWAY_PUBLIC_URL: optional(url(/^https?$/, 'http(s)')),
  STRIPE_SECRET_KEY: optional(z.string().min(1)),
  STRIPE_API_BASE: optional(url(/^https?$/, 'http(s)')),
  RATE_LIMIT_AUTH: z.coerce.number().int().min(1).default(20),
  RATE_LIMIT_PROMO: z.coerce.number().int().min(1).optional(),
  RATE_LIMIT_PROMO_ADDRESS: z.coerce.number().int().min(1).optional(),
  RATE_LIMIT_GUEST_ORDERS: z.coerce.number().int().min(1).default(10),
  MAX_UNPAID_ORDERS: z.coerce.number().int().min(0).max(10_000).optional(),
  MAX_UNITS_PER_PRODUCT: z.coerce.number().int().min(0).max(1_000_000_000).optional(),
  METRICS_TOKEN: optional(z.string().min(16, 'must be at least 16 characters')),
  JOB_RETRY_LIMIT: z.coerce.number().int().min(0).max(50).default(8),
  JOB_RETRY_DELAY: duration('5s'),
  JOB_TIMEOUT: duration('2m'),
  JOB_POLL_INTERVAL: duration('500ms'),
});

export type Env = z.output<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  logLevel: Env['LOG_LEVEL'];
  /** `json`: one JSON object a line (for a log collector); `pretty`: coloured lines for a terminal. */
  logFormat: Env['LOG_FORMAT'];
  port: number;
  host: string;
  publicUrl: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  dataDir: string;
  /** Undefined only on the embedded default before the secret is read from DATA_DIR. */
  jwtSecret: string | undefined;
  corsOrigins: string[];
  smtpUrl: string | undefined;
  mailFrom: string;
  mailTemplatesDir: string | undefined;
  currency: string;
  shippingFlatRate: number;
  freeShippingOver: number | undefined;
  orderPaymentTtlMs: number;
  accessTokenTtlMs: number;
  refreshTokenTtlMs: number;
  requireVerifiedEmail: boolean;
  /**
   * Orders without an account: quote and place with an email, then read, pay and cancel the
   * order with its token (X-Order-Token). Off: every order needs a session, as before; the
   * tokens of guest orders already placed keep working.
   */
  allowGuestCheckout: boolean;
  paymentProvider: Env['PAYMENT_PROVIDER'];
  paymentWebhookSecret: string | undefined;
  paymentWebhookUrl: string | undefined;
  gatewayPort: number;
  /** Where API and worker processes reach the built-in gateway (another host or container). */
  gatewayUrl: string;
  /**
   * Where customers' browsers reach the built-in gateway's hosted payment page; unset: the
   * address the gateway listens on (loopback under `ordo serve`).
   */
  gatewayPublicUrl: string | undefined;
  stripeSecretKey: string | undefined;
  stripeApiBase: string | undefined;
  /** Requests per minute per client address on login, register and refresh. */
  rateLimitAuth: number;
  /** Quote and order requests carrying a promo code, per minute: per customer and per client address. */
  rateLimitPromo: { perCustomer: number; perAddress: number };
  /** Guest orders (placed without a session) per minute per client address. */
  rateLimitGuestOrders: number;
  /**
   * Hoarding limits on one customer's unpaid (`pending_payment`) orders: how many, and how many
   * units of one product across them (a guest's are counted by their email). 0: no limit.
   */
  maxUnpaidOrders: number;
  maxUnitsPerProduct: number;
  /** Bearer token GET /metrics requires; undefined: /metrics answers loopback callers only. */
  metricsToken: string | undefined;
  jobs: {
    /** Attempts after the first, with exponential backoff from `retryDelaySeconds`. */
    retryLimit: number;
    retryDelaySeconds: number;
    /** A job running longer (its worker died) is failed and retried. */
    timeoutSeconds: number;
    pollingIntervalSeconds: number;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** Reads the environment, or throws a ConfigError with one line per bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // An empty value (`PORT=` as .env.example writes it) means unset, for every variable.
  const given = Object.fromEntries(
    Object.entries(source).filter(([, v]) => v !== undefined && v.trim() !== ''),
  );
  const parsed = envSchema.safeParse(given);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  const env = parsed.data;
  const problems: string[] = [];
  if (env.DATABASE_URL && !env.JWT_SECRET) {
    problems.push('JWT_SECRET: required when DATABASE_URL is set (at least 32 characters)');
  }
  if (env.PAYMENT_PROVIDER === 'stripe' && !env.STRIPE_SECRET_KEY) {
    problems.push('STRIPE_SECRET_KEY: required when PAYMENT_PROVIDER=stripe');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    env: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
    port: env.PORT,
    host: env.HOST,
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ''),
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    dataDir: env.DATA_DIR,
    jwtSecret: env.JWT_SECRET,
    corsOrigins: env.CORS_ORIGINS,
    smtpUrl: env.SMTP_URL,
    mailFrom: env.MAIL_FROM,
    mailTemplatesDir: env.MAIL_TEMPLATES_DIR,
    currency: env.SHOP_CURRENCY,
    shippingFlatRate: env.SHIPPING_FLAT_RATE,
    freeShippingOver: env.FREE_SHIPPING_OVER,
    orderPaymentTtlMs: env.ORDER_PAYMENT_TTL,
    accessTokenTtlMs: env.ACCESS_TOKEN_TTL,
    refreshTokenTtlMs: env.REFRESH_TOKEN_TTL,
    requireVerifiedEmail: env.REQUIRE_VERIFIED_EMAIL,
    allowGuestCheckout: env.ALLOW_GUEST_CHECKOUT,
    paymentProvider: env.PAYMENT_PROVIDER,
    paymentWebhookSecret: env.PAYMENT_WEBHOOK_SECRET,
    paymentWebhookUrl: env.PAYMENT_WEBHOOK_URL,
    gatewayPort: env.GATEWAY_PORT,
    gatewayUrl: (env.GATEWAY_URL ?? `http://127.0.0.1:${env.GATEWAY_PORT}`).replace(/\/$/, ''),
    gatewayPublicUrl: env.GATEWAY_PUBLIC_URL?.replace(/\/$/, ''),
    stripeSecretKey: env.STRIPE_SECRET_KEY,
    stripeApiBase: env.STRIPE_API_BASE,
    rateLimitAuth: env.RATE_LIMIT_AUTH,
    rateLimitPromo: {
      perCustomer: env.RATE_LIMIT_PROMO ?? 20,
      perAddress: env.RATE_LIMIT_PROMO_ADDRESS ?? 60,
    },
    rateLimitGuestOrders: env.RATE_LIMIT_GUEST_ORDERS,
    maxUnpaidOrders: env.MAX_UNPAID_ORDERS ?? 5,
    maxUnitsPerProduct: env.MAX_UNITS_PER_PRODUCT ?? 20,
    metricsToken: env.METRICS_TOKEN,
    jobs: {
      retryLimit: env.JOB_RETRY_LIMIT,
      retryDelaySeconds: Math.max(1, Math.round(env.JOB_RETRY_DELAY / 1000)),
      timeoutSeconds: Math.max(1, Math.round(env.JOB_TIMEOUT / 1000)),
      pollingIntervalSeconds: Math.max(0.5, env.JOB_POLL_INTERVAL / 1000),
    },
  };
}

import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { pino } from 'pino';
import { inject } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createContext, type RunningContext } from '../../src/context.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { OffsetClock } from '../../src/shared/clock.js';
import { withDatabase } from './global-setup.js';

let counter = 0;

/** A fresh, migrated database of the kind this run uses: a clone of the template, or a restored PGlite. */
export async function openTestDatabase(): Promise<{ database: Database; url: string | undefined }> {
  const base = process.env.DATABASE_URL;
  if (base) {
    const name = `ordo_t_${inject('runId')}_${process.pid}_${++counter}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    try {
      await admin.query(`create database ${name} template ${inject('pgTemplate')}`);
    } finally {
      await admin.end();
    }
    const url = withDatabase(base, name);
    return { database: await openDatabase({ databaseUrl: url, poolSize: 20 }), url };
  }
  const dump = await readFile(inject('pgliteDump'));
  return { database: await openDatabase({ loadDataDir: new Blob([dump]) }), url: undefined };
}

export async function dropTestDatabase(url: string | undefined): Promise<void> {
  const base = process.env.DATABASE_URL;
  if (!base || !url) return;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${new URL(url).pathname.slice(1)} with (force)`);
  } finally {
    await admin.end();
  }
}

export interface TestApp {
  app: FastifyInstance;
  ctx: RunningContext;
  clock: OffsetClock;
  config: Config;
  baseUrl: string;
  http: HttpClient;
  gatewayUrl(): string;
  close(): Promise<void>;
}

/**
 * The real app on a fresh migrated database, listening on a loopback port: tests talk to it
 * over HTTP, so concurrent requests race for real.
 */
export async function buildTestApp(
  env: Record<string, string> = {},
  options: { worker?: boolean; gateway?: boolean; webhookUrl?: string } = {},
): Promise<TestApp> {
  const { database, url } = await openTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789',
    // Tests place many orders and promo codes per customer from one address; the limits' own
    // tests (test/security/) set them.
    RATE_LIMIT_AUTH: '100000',
    RATE_LIMIT_PROMO: '100000',
    RATE_LIMIT_PROMO_ADDRESS: '100000',
    RATE_LIMIT_GUEST_ORDERS: '100000',
    MAX_UNPAID_ORDERS: '0',
    MAX_UNITS_PER_PRODUCT: '0',
    JOB_RETRY_DELAY: '1s',
    ...(url ? { DATABASE_URL: url } : {}),
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...env,
  });
  const clock = new OffsetClock();
  const ctx = await createContext(config, {
    database,
    migrate: false,
    clock,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    ...(options.gateway
      ? {
          gateway: {
            // The Stripe adapter is pointed at the gateway by STRIPE_API_BASE: listen where it says.
            port: config.stripeApiBase ? Number(new URL(config.stripeApiBase).port) : 0,
            webhookUrl:
              options.webhookUrl ??
              (() => `${urlOf(app)}/api/v1/webhooks/payments/${config.paymentProvider}`),
            settleAfterMs: 300,
            tickMs: 50,
          },
        }
      : {}),
  });
  const app = await buildApp(ctx);
  await app.listen({ port: 0, host: '127.0.0.1' });
  if (options.worker) await ctx.jobs.startWorker(ctx);
  const baseUrl = urlOf(app);
  return {
    app,
    ctx,
    clock,
    config,
    baseUrl,
    http: new HttpClient(baseUrl),
    gatewayUrl: () => ctx.gateway.url,
    async close() {
      // Each step is named if it is slow, so a hang in teardown says where it is.
      await step('app.close', () => {
        const closing = app.close();
        // The tests are done: a client's keep-alive connection must not hold teardown up (under
        // load one sometimes did, for the whole hook timeout, with no request in flight).
        app.server.closeAllConnections();
        return closing;
      });
      // As long as production gives running jobs (20 s): a refund job can be waiting on the
      // gateway (15 s timeout) at teardown, and a shorter wait left it to use the database
      // after it closed (an unhandled "Cannot use a pool after calling end on the pool").
      if (options.worker) await step('jobs.stop', () => ctx.jobs.stop());
      await step('ctx.close', () => ctx.close());
      await step('database.close', () => database.close());
      await step('drop database', () => dropTestDatabase(url));
    },
  };
}

/** Runs a teardown step, and says so on stderr when it takes more than 10 s. */
async function step(name: string, run: () => Promise<unknown>): Promise<void> {
  const slow = setTimeout(
    () => console.error(`test app teardown: ${name} still running after 10 s`),
    10_000,
  );
  try {
    await run();
  } finally {
    clearTimeout(slow);
  }
}

const urlOf = (app: FastifyInstance) =>
  `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

export interface HttpResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  token?: string | undefined;
  headers?: Record<string, string>;
  /** Send this exact text as the body instead of JSON-encoding `body`. */
  raw?: string;
}

/** A small fetch wrapper: JSON in, JSON out, bearer token optional. */
export class HttpClient {
  constructor(readonly baseUrl: string) {}

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    options: RequestOptions = {},
  ): Promise<HttpResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let payload: string | undefined;
    if (options.raw !== undefined) payload = options.raw;
    else if (body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(this.baseUrl + path, {
      method,
      headers,
      body: payload,
      redirect: 'manual',
    });
    const text = await response.text();
    let parsed: unknown = text;
    if (text && /json/.test(response.headers.get('content-type') ?? '')) parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  get<T = any>(path: string, options?: RequestOptions) {
    return this.request<T>('GET', path, undefined, options);
  }
  post<T = any>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('POST', path, body, options);
  }
  patch<T = any>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('PATCH', path, body, options);
  }
  delete<T = any>(path: string, options?: RequestOptions) {
    return this.request<T>('DELETE', path, undefined, options);
  }
}

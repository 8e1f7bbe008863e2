import { createHmac } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { type DestinationStream, pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { AppContext } from './app-context.js';
import type { Config } from './config.js';
import { type Database, migrateDatabase, openDatabase } from './db/client.js';
import { lockDataDir } from './db/data-dir-lock.js';
import { embeddedTemplateDir } from './db/embedded-template.js';
import { gatewayOptions, startGateway, type GatewaySettings } from './gateway/gateway.js';
import { allJobs } from './jobs.js';
import { AccessTokens } from './modules/auth/access-token.js';
import { SessionCheck } from './modules/auth/session-check.js';
import { countOrders } from './modules/orders/order-figures.js';
import { createMailer } from './modules/notifications/mailer.js';
import { EmailTemplates } from './modules/notifications/templates.js';
import { countPayments, countRefunds } from './modules/payments/payment-reads.js';
import { BuiltinProvider } from './modules/payments/providers/builtin.provider.js';
import { StripeProvider } from './modules/payments/providers/stripe.provider.js';
import { Jobs } from './shared/jobs.js';
import { type Clock, systemClock } from './shared/clock.js';
import { newSecret } from './shared/ids.js';
import { createMetrics } from './shared/metrics.js';

export interface RunningContext extends AppContext {
  /** Where the builtin adapter reaches the gateway, and the secret webhooks are signed with. */
  readonly gateway: { readonly url: string; readonly webhookSecret: string };
  close(): Promise<void>;
}

export interface ContextOptions {
  logger?: Logger;
  clock?: Clock;
  /** An already open database (tests); otherwise opened from the config. */
  database?: Database;
  /** Apply migrations on open (default true). */
  migrate?: boolean;
  /**
   * Run the built-in payment gateway in this process (`ordo serve`, `ordo gateway`, tests):
   * started with the context on its database, closed with it, and called by the builtin
   * adapter. Without it, the adapter calls `GATEWAY_URL`.
   */
  gateway?: GatewaySettings;
}

/** Brings a database up to date: Ordo's migrations, then pg-boss's schema and Ordo's queues. */
export async function prepareDatabase(
  database: Database,
  config: Config,
  logger: Logger,
): Promise<void> {
  await migrateDatabase(database);
  await jobsFor(database, config, logger).install();
}

const jobsFor = (database: Database, config: Config, logger: Logger) =>
  new Jobs<AppContext>(database, { ...config.jobs, keepFailedDays: 30 }, logger, allJobs);

/**
 * The process's logger: JSON lines by default (`LOG_FORMAT=json`, for a log collector), or
 * `LOG_FORMAT=pretty` for a person at a terminal. Writes to stdout, or to `destination`.
 */
export function createLogger(
  config: Pick<Config, 'logLevel' | 'logFormat'>,
  destination?: DestinationStream,
): Logger {
  const options = { level: config.logLevel, base: { service: 'ordo' } };
  if (config.logFormat === 'json') return destination ? pino(options, destination) : pino(options);
  // Synchronous, so nothing is lost at exit; the request id leads each request's lines.
  return pino(
    options,
    pretty({
      colorize: !destination && process.stdout.isTTY,
      sync: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,service,requestId',
      messageFormat: '{if requestId}[{requestId}] {end}{msg}',
      ...(destination ? { destination } : {}),
    }),
  );
}

/** Opens everything a process needs, from the config: database (migrated), Redis, secrets. */
export async function createContext(
  config: Config,
  options: ContextOptions = {},
): Promise<RunningContext> {
  const logger = options.logger ?? createLogger(config);
  const clock = options.clock ?? systemClock;
  const cleanup: (() => unknown)[] = [];

  try {
    let database = options.database;
    if (!database) {
      if (!config.databaseUrl) cleanup.push(lockDataDir(config.dataDir));
      database = await openDatabase({
        databaseUrl: config.databaseUrl,
        dataDir: config.databaseUrl ? undefined : join(config.dataDir, 'pglite'),
        templateDir: embeddedTemplateDir,
        logger,
      });
      const opened = database;
      cleanup.unshift(() => opened.close());
    }
    const jobs = jobsFor(database, config, logger);
    if (options.migrate ?? true) await prepareDatabase(database, config, logger);
    const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom });
    cleanup.unshift(() => mailer.close());
    const templates = new EmailTemplates(config.mailTemplatesDir);

    let redis: Redis | undefined;
    if (config.redisUrl) {
      const client = new Redis(config.redisUrl, {
        maxRetriesPerRequest: 2,
        enableOfflineQueue: false,
        lazyConnect: true,
      });
      client.on('error', (err) => logger.warn({ err }, 'redis connection error'));
      await client.connect();
      redis = client;
      cleanup.unshift(() => client.quit().catch(() => client.disconnect()));
    }

    const jwtSecret = config.jwtSecret ?? embeddedSecret(config.dataDir, 'jwt-secret');
    // Ordo and its gateway processes derive the same webhook secret when none is configured.
    const webhookSecret =
      config.paymentWebhookSecret ??
      createHmac('sha256', jwtSecret).update('ordo-payment-webhooks').digest('hex');
    let gatewayUrl = config.gatewayUrl;
    if (options.gateway) {
      const running = await startGateway(
        gatewayOptions(config, { db: database.db, clock, logger, webhookSecret }, options.gateway),
      );
      cleanup.unshift(() => running.close());
      gatewayUrl = running.url;
      logger.info({ url: gatewayUrl }, 'built-in payment gateway listening');
    }
    const payments =
      config.paymentProvider === 'stripe'
        ? new StripeProvider(config.stripeSecretKey!, webhookSecret, config.stripeApiBase)
        : new BuiltinProvider(gatewayUrl, webhookSecret);
    const close = async () => {
      for (const step of cleanup.splice(0)) await step();
    };
    return {
      config,
      jwtSecret,
      database,
      db: database.db,
      clock,
      redis,
      logger,
      tokens: new AccessTokens(
        jwtSecret,
        config.accessTokenTtlMs,
        clock,
        new SessionCheck(database.db, clock),
      ),
      jobs,
      mailer,
      templates,
      payments,
      // The business metrics read each module's counts through its own read functions.
      metrics: createMetrics(
        database.db,
        {
          orders: () => countOrders(database.db),
          payments: () => countPayments(database.db),
          refunds: () => countRefunds(database.db),
        },
        logger,
      ),
      gateway: { url: gatewayUrl, webhookSecret },
      close,
    };
  } catch (error) {
    for (const step of cleanup) await Promise.resolve(step()).catch(() => {});
    throw error;
  }
}

/** On the embedded default a secret is generated once and kept in DATA_DIR, readable by the owner only. */
function embeddedSecret(dataDir: string, name: string): string {
  const path = join(dataDir, name);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = newSecret(48);
  writeFileSync(path, secret, { mode: 0o600 });
  chmodSync(path, 0o600);
  return secret;
}

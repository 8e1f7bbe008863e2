import type { Redis } from 'ioredis';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Config } from './config.js';
import type { Database, Db } from './db/client.js';
import type { AccessTokens } from './modules/auth/access-token.js';
import type { Mailer } from './modules/notifications/mailer.js';
import type { PaymentProvider } from './modules/payments/payment-provider.js';
import type { EmailTemplates } from './modules/notifications/templates.js';
import type { Clock } from './shared/clock.js';
import type { Jobs } from './shared/jobs.js';
import type { Metrics } from './shared/metrics.js';

/** What every module's routes and services are given: nothing is reached through globals. */
export interface AppContext {
  config: Config;
  /** The resolved JWT signing secret (from config, or generated under DATA_DIR). */
  jwtSecret: string;
  database: Database;
  db: Db;
  clock: Clock;
  redis: Redis | undefined;
  logger: Logger;
  tokens: AccessTokens;
  /** Durable jobs: enqueue side effects inside the transaction that causes them. */
  jobs: Jobs<AppContext>;
  mailer: Mailer;
  templates: EmailTemplates;
  /** The payment provider adapter (`PAYMENT_PROVIDER`). */
  payments: PaymentProvider;
  /** Prometheus metrics: this process's registry and the business metrics read at scrape time. */
  metrics: Metrics;
}

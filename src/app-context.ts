import type { Redis } from 'ioredis';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Config } from './config.js';
import type { Database, Db } from './db/client.js';
import type { AccessTokens } from './modules/auth/access-token.js';
import type { Clock } from './shared/clock.js';

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
}

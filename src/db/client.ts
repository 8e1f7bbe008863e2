import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { is, Param, Placeholder, sql, type SQL } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { createHash } from 'node:crypto';
import {
  PgDialect,
  type PgDatabase,
  type PgQueryResultHKT,
  type PgTransaction,
} from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import type { Logger } from 'pino';
import { restoreEmbeddedTemplate } from './embedded-template.js';
import * as schema from './schema.js';

export type Schema = typeof schema;
/** The database handle, on PGlite or PostgreSQL alike. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction. Functions that lock rows take only this, so the compiler refuses a call outside one. */
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Either: for reads and single statements that need no transaction of their own. */
export type Executor = Db | Tx;

// Resolves from src/db and dist/db alike: the SQL migrations ship in the package source.
export const migrationsFolder = fileURLToPath(new URL('../../src/db/migrations', import.meta.url));

export type Database =
  | { kind: 'pglite'; db: Db; client: PGlite; close(): Promise<void> }
  | { kind: 'postgres'; db: Db; pool: pg.Pool; close(): Promise<void> };

export interface OpenOptions {
  databaseUrl?: string | undefined;
  /** PGlite data directory; omitted means in memory. */
  dataDir?: string | undefined;
  /** A PGlite data directory dump to start from (tests restore a migrated copy). */
  loadDataDir?: Blob | undefined;
  /** A migrated data directory copied into a fresh `dataDir` (embedded-template.ts). */
  templateDir?: string | undefined;
  poolSize?: number;
  logger?: Logger;
}

// PostgreSQL returns bigint (count(*), sum()) as text by default; Ordo's bigints are counts
// and sums of minor units well inside 2^53, so read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/**
 * The embedded PostgreSQL's memory: PGlite zero-fills its shared memory at start, so every MB of
 * shared_buffers is a MB of resident memory from the first second. 32 MB holds Ordo's hot
 * tables and indexes (a read past it is a read from the OS page cache, not the disk); PGlite's
 * default, 128 MB, costs ~100 MB more RSS (docs/OPERATIONS.md has the figures). PGlite runs one backend, so
 * PostgreSQL's per-connection shared state is sized for 10, not 100. Durability settings are
 * PGlite's own and untouched.
 */
const PGLITE_SETTINGS = ['shared_buffers=32MB', 'max_connections=10'];

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
    });
    // A connection lost to a database restart must not crash the process: an idle one is
    // reported by the pool, one checked out (mid-query, in a transaction, pg-boss's) by its
    // client. The query on it fails, its request gets a 503, and the pool connects afresh.
    pool.on('error', (err) => options.logger?.warn({ err }, 'idle database connection failed'));
    pool.on('connect', (client) => {
      client.on('error', (err) => options.logger?.warn({ err }, 'database connection failed'));
    });
    const db = drizzlePg(pool, { schema });
    return { kind: 'postgres', db, pool, close: () => pool.end() };
  }
  if (options.dataDir) {
    if (options.templateDir && restoreEmbeddedTemplate(options.dataDir, options.templateDir)) {
      options.logger?.info('first start: embedded database restored from the migrated template');
    }
    mkdirSync(options.dataDir, { recursive: true });
  }
  const client = await PGlite.create({
    dataDir: options.dataDir,
    loadDataDir: options.loadDataDir,
    startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS.flatMap((s) => ['-c', s])],
    parsers: { 20: (value: string) => Number(value) },
  });
  const db = drizzlePglite(client, { schema });
  return { kind: 'pglite', db, client, close: () => client.close() };
}

const MIGRATION_LOCK = 7_361_402_917; // arbitrary, constant: "ordo migrations"

/**
 * Applies the SQL migrations. On PostgreSQL a session-level advisory lock, held on its own
 * connection, makes processes that start together take turns: the first migrates, the
 * others find nothing left to do. PGlite has one process by construction (DATA_DIR lock).
 */
export async function migrateDatabase(database: Database): Promise<void> {
  if (database.kind === 'pglite') {
    await migratePglite(database.db as never, { migrationsFolder });
    return;
  }
  const lockClient = await database.pool.connect();
  try {
    await lockClient.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await migratePg(database.db as never, { migrationsFolder });
  } finally {
    await lockClient.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    lockClient.release();
  }
}

/** A cheap round trip, for /readyz. */
export async function pingDatabase(database: Database): Promise<void> {
  await database.db.execute(sql`select 1`);
}

/** Runs raw SQL and returns its rows, on either driver (both answer with `{ rows }`). */
export async function queryRows<T>(db: Executor, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return (result as { rows: T[] }).rows;
}

/** The driver connection under an executor, as pg-boss and prepared statements need it. */
export interface DriverClient {
  query(
    text: string | { name: string; text: string; values: unknown[] },
    values?: unknown[],
  ): Promise<{ rows: unknown[] }>;
  /** PGlite only: several statements in one string. */
  exec?(text: string): Promise<{ rows: unknown[] }[]>;
}

/**
 * The pg Pool, a checked-out PoolClient inside a transaction, the PGlite instance, or PGlite's
 * transaction object: drizzle keeps it on the session of a database or transaction. This is
 * the one place Ordo reaches below drizzle.
 */
export function driverClient(executor: Executor | Database): DriverClient {
  if ('kind' in executor) return executor.kind === 'pglite' ? executor.client : executor.pool;
  const session = (executor as unknown as { session?: { client?: DriverClient } }).session;
  if (!session?.client) throw new Error('cannot reach the database client of this executor');
  return session.client;
}

const statementNames = new Map<string, string>();

/** A stable name for a statement's text: one prepared statement per text and connection. */
export function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `ordo_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return name;
}

const dialect = new PgDialect();

/**
 * Runs a statement of a hot path and returns its rows: on PostgreSQL a named prepared
 * statement, parsed and planned once per connection instead of on every call; PGlite runs
 * in-process and has no such cost to save. Rows come back as the driver reads them (column
 * names as in the SQL; bigints as numbers, see above). For statements whose text does not
 * vary with their values: every distinct text becomes a statement on every connection.
 */
export async function preparedRows<T>(executor: Executor, query: SQL): Promise<T[]> {
  return runPrepared<T>(executor, prepareQuery(query), {});
}

/** A statement serialised once: its text, its name, and its parameters (some placeholders). */
export interface PreparedQuery {
  readonly text: string;
  readonly name: string;
  readonly params: readonly unknown[];
}

/**
 * Serialises a statement once, for a hot path that runs it many times with other values: its
 * values that vary are `sql.placeholder`s (typed and encoded by their column when wrapped in
 * `sql.param(placeholder, column)`), filled by runPrepared. Building and serialising a large
 * statement through drizzle costs far more than running it.
 */
export function prepareQuery(query: SQL): PreparedQuery {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return { text, name: statementName(text), params };
}

/**
 * A parameter as the driver takes it: a placeholder's value, encoded by its column when it was
 * typed by one (null stays null, as drizzle writes a null value), or the value serialised.
 */
function fill(param: unknown, values: Record<string, unknown>): unknown {
  const placeholder = is(param, Param) ? param.value : param;
  if (!is(placeholder, Placeholder)) return param;
  if (!(placeholder.name in values))
    throw new Error(`no value for placeholder ${placeholder.name}`);
  const value = values[placeholder.name];
  return is(param, Param) && value !== null ? param.encoder.mapToDriverValue(value) : value;
}

/** Runs a prepared query with its placeholders' values (see preparedRows and prepareQuery). */
export async function runPrepared<T>(
  executor: Executor,
  query: PreparedQuery,
  values: Record<string, unknown>,
): Promise<T[]> {
  const params = query.params.map((param) => fill(param, values));
  const client = driverClient(executor);
  const result = client.exec
    ? await client.query(query.text, params)
    : await client.query({ name: query.name, text: query.text, values: params });
  return result.rows as T[];
}

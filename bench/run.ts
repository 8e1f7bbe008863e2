/**
 * `npm run bench`: load scenarios against a real `ordo serve` on a fresh PostgreSQL database.
 *
 * Creates a database, starts Ordo as a child process, sets up an admin (CLI), products and
 * customers (HTTP API), runs every scenario at each connection count with autocannon, prints
 * a table and writes bench/results/latest.json. Exits non-zero when any response was a 5xx.
 * The child is stopped and the database dropped however the run ends.
 *
 * Environment: BENCH_DATABASE_URL (a database to connect to for create/drop; default the
 * local `postgres`), BENCH_REDIS_URL, BENCH_DURATION (seconds per run, 10),
 * BENCH_CONNECTIONS (8,32,64), BENCH_WARMUP (seconds of unrecorded load before each
 * scenario, 2; 0 to skip), BENCH_SCENARIOS (names, comma-separated; all by default),
 * BENCH_PRODUCTS (200), BENCH_CUSTOMERS (100).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createFixture } from './fixture.js';
import {
  ApiClient,
  Cleanup,
  createDatabase,
  errorText,
  freePort,
  randomSecret,
  repoRoot,
  resultsTable,
  runLoad,
  startOrdo,
  type RunSummary,
} from './lib.js';
import { scenarios } from './scenarios.js';

const resultsDir = join(repoRoot, 'bench', 'results');

function intEnv(name: string, fallback: number, min = 1): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name}: expected a whole number ≥ ${min}, got ${JSON.stringify(text)}`);
  }
  return value;
}

function listEnv(name: string): string[] | undefined {
  const text = process.env[name]?.trim();
  return text ? text.split(',').map((s) => s.trim()) : undefined;
}

function readSettings() {
  const connections = (listEnv('BENCH_CONNECTIONS') ?? ['8', '32', '64']).map((c) => {
    const n = Number(c);
    if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_CONNECTIONS: bad count ${c}`);
    return n;
  });
  const only = listEnv('BENCH_SCENARIOS');
  const unknown = only?.filter((name) => !scenarios.some((s) => s.name === name)) ?? [];
  if (unknown.length > 0) {
    throw new Error(
      `BENCH_SCENARIOS: unknown ${unknown.join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}`,
    );
  }
  return {
    baseDatabaseUrl:
      process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379',
    durationSeconds: intEnv('BENCH_DURATION', 10),
    warmupSeconds: intEnv('BENCH_WARMUP', 2, 0),
    connections,
    scenarios: only ? scenarios.filter((s) => only.includes(s.name)) : scenarios,
    products: intEnv('BENCH_PRODUCTS', 200),
    customers: intEnv('BENCH_CUSTOMERS', 100),
  };
}

async function gitCommit(): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)('git', ['rev-parse', 'HEAD'], { cwd: repoRoot });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

const log = (message: string) => console.error(`[bench] ${message}`);

async function main(cleanup: Cleanup, interrupted: AbortSignal): Promise<number> {
  const settings = readSettings();
  const startedAt = new Date();
  mkdirSync(resultsDir, { recursive: true });

  const dbName = `ordo_bench_${startedAt.getTime()}_${process.pid}`;
  const database = await createDatabase(settings.baseDatabaseUrl, dbName);
  cleanup.push(`drop database ${dbName}`, async () => {
    await database.drop();
    log(`dropped database ${dbName}`);
  });
  log(`created database ${dbName}`);

  const env = {
    DATABASE_URL: database.url,
    REDIS_URL: settings.redisUrl,
    JWT_SECRET: randomSecret(48),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_AUTH: '1000000',
    // Tokens are issued once during setup and must outlive the longest run.
    ACCESS_TOKEN_TTL: '24h',
  };
  const logFile = join(resultsDir, 'ordo-server.log');
  const ordo = await startOrdo({ env, port: await freePort(), logFile });
  cleanup.push('stop ordo', () => ordo.stop());
  log(`ordo ready at ${ordo.baseUrl} (log: ${logFile})`);

  const setupStarted = Date.now();
  const fixture = await createFixture(new ApiClient(ordo.baseUrl), env, {
    products: settings.products,
    customers: settings.customers,
    stock: 1_000_000,
    concurrency: 8,
  });
  log(
    `setup: ${fixture.products.length} products, ${fixture.customers.length} customers in ${((Date.now() - setupStarted) / 1000).toFixed(1)} s`,
  );

  const summaries: RunSummary[] = [];
  let warmup5xx = 0;
  for (const scenario of settings.scenarios) {
    const base = { url: ordo.baseUrl, ...scenario.build(fixture) };
    const connectionCounts = scenario.connections ?? settings.connections;
    if (settings.warmupSeconds > 0 && !interrupted.aborted) {
      log(`${scenario.name}: warm-up ${settings.warmupSeconds} s`);
      const warm = await runLoad(
        scenario.name,
        { ...base, connections: connectionCounts[0]!, duration: settings.warmupSeconds },
        interrupted,
      );
      warmup5xx += warm.status5xx;
    }
    for (const connections of connectionCounts) {
      if (interrupted.aborted) break;
      log(`${scenario.name}: ${connections} connections, ${settings.durationSeconds} s`);
      summaries.push(
        await runLoad(
          scenario.name,
          { ...base, connections, duration: settings.durationSeconds },
          interrupted,
        ),
      );
    }
  }
  if (interrupted.aborted) return 130;

  const total5xx = warmup5xx + summaries.reduce((sum, s) => sum + s.status5xx, 0);
  const serverErrors = ordo.errorLines();
  const table = resultsTable(summaries);
  console.log(`\n${table}\n`);
  for (const s of summaries) {
    const failures = Object.entries(s.failures);
    if (failures.length > 0) {
      console.log(
        `${s.scenario} @ ${s.connections}: non-2xx ${failures.map(([k, n]) => `${k} ×${n}`).join(', ')}`,
      );
    }
  }
  if (warmup5xx > 0) console.log(`warm-up runs: ${warmup5xx} responses were 5xx`);
  const warnings = ordo.warningCount();
  if (warnings > 0 || serverErrors.length > 0) {
    console.log(`server log: ${warnings} warnings, ${serverErrors.length} errors (see ${logFile})`);
  }

  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    commit: await gitCommit(),
    node: process.version,
    settings: {
      durationSeconds: settings.durationSeconds,
      warmupSeconds: settings.warmupSeconds,
      connections: settings.connections,
      products: fixture.products.length,
      customers: fixture.customers.length,
      database: 'postgresql',
      redis: true,
    },
    scenarios: settings.scenarios.map((s) => ({ name: s.name, description: s.description })),
    results: summaries,
    total5xx,
    serverWarnings: warnings,
    serverErrors: serverErrors.slice(0, 50),
  };
  const resultsFile = join(resultsDir, 'latest.json');
  writeFileSync(resultsFile, `${JSON.stringify(report, null, 2)}\n`);
  log(`results written to ${resultsFile}`);

  if (total5xx > 0 || serverErrors.length > 0) {
    console.error(`\n${total5xx} responses were 5xx; server error lines (first 20):`);
    for (const line of serverErrors.slice(0, 20)) console.error(line);
  }
  return total5xx > 0 ? 1 : 0;
}

const cleanup = new Cleanup();
const interrupt = new AbortController();
let signals = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (++signals > 1) process.exit(130);
    log(`${signal}: stopping the load, the server and dropping the database`);
    interrupt.abort();
    void cleanup.run().finally(() => process.exit(130));
  });
}

let exitCode = 1;
try {
  exitCode = await main(cleanup, interrupt.signal);
} catch (error) {
  console.error(`bench failed: ${errorText(error)}`);
} finally {
  await cleanup.run();
}
process.exit(exitCode);

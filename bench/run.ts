/**
 * `npm run bench`: load scenarios against a real `ordo serve` on a fresh PostgreSQL database.
 *
 * Creates a database, starts a loopback SMTP server and Ordo as a child process mailing to it,
 * sets up an admin (CLI), products and customers (HTTP API), runs every scenario at each
 * connection count with autocannon, prints a table and writes bench/results/latest.json.
 *
 * After each run that placed orders, waits until every order's confirmation email has reached
 * the SMTP server and prints the queue lag (order createdAt → DATA received) in a second
 * table. Ordo's job settings are its defaults (JOB_POLL_INTERVAL unset), so the lag is what a
 * default deployment sees.
 *
 * Exits non-zero when any response was a 5xx or a confirmation did not arrive in time. The
 * child is stopped, the SMTP server closed and the database dropped however the run ends.
 *
 * Environment: BENCH_DATABASE_URL (a database to connect to for create/drop; default the
 * local `postgres`), BENCH_REDIS_URL, BENCH_DURATION (seconds per run, 10),
 * BENCH_CONNECTIONS (8,32,64), BENCH_WARMUP (seconds of unrecorded load before each
 * scenario, 2; 0 to skip), BENCH_SCENARIOS (names, comma-separated; all by default),
 * BENCH_PRODUCTS (200), BENCH_CUSTOMERS (100), BENCH_LAG_TIMEOUT (seconds after a run's load
 * ends to wait for its confirmation emails, 60).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config.js';
import { createFixture } from './fixture.js';
import {
  ApiClient,
  childEnv,
  Cleanup,
  createDatabase,
  errorText,
  formatTable,
  freePort,
  randomSecret,
  repoRoot,
  resultsTable,
  runLoad,
  startOrdo,
  type RunSummary,
} from './lib.js';
import { Confirmations, lagTable, measureLag, PlacedOrders, type LagSummary } from './queue-lag.js';
import { scenarios, type ScenarioHooks } from './scenarios.js';
import { BenchSmtpServer } from './smtp.js';

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
    lagTimeoutSeconds: intEnv('BENCH_LAG_TIMEOUT', 60),
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

  const smtp = await new BenchSmtpServer().start();
  cleanup.push('stop the SMTP server', () => smtp.stop());
  log(`loopback SMTP server at ${smtp.url}`);

  const env = {
    DATABASE_URL: database.url,
    REDIS_URL: settings.redisUrl,
    SMTP_URL: smtp.url,
    JWT_SECRET: randomSecret(48),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_AUTH: '1000000',
    // Tokens are issued once during setup and must outlive the longest run.
    ACCESS_TOKEN_TTL: '24h',
  };
  // JOB_POLL_INTERVAL and the other job settings stay unset (childEnv drops any from this
  // shell): read back the polling interval Ordo will use, for the queue lag table.
  const pollIntervalMs = loadConfig(childEnv(env)).jobs.pollingIntervalSeconds * 1000;
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

  const placed = new PlacedOrders();
  let checkoutTimes: number[] = [];
  const hooks: ScenarioHooks = {
    orderPlaced: (body) => placed.add(body),
    checkoutCompleted: (ms) => checkoutTimes.push(ms),
  };
  const checkouts: {
    connections: number;
    completed: number;
    perSecond: number;
    p50: number;
    p99: number;
  }[] = [];
  const confirmations = new Confirmations(smtp.arrivals);
  /** Orders of earlier runs whose confirmation had not arrived when their wait ended. */
  let unconfirmed: string[] = [];
  const backlog = () => {
    unconfirmed = unconfirmed.filter((id) => confirmations.arrivedAt(id) === undefined);
    return unconfirmed.length;
  };
  /** Waits for the confirmations of the orders the last load placed; undefined if none. */
  const awaitConfirmations = async (
    run: { scenario: string; connections: number; backlogAtStart: number },
    loadEndedAt: number,
  ) => {
    const orders = placed.take();
    if (orders.length === 0) return undefined;
    log(`${run.scenario}: waiting for ${orders.length} order confirmations`);
    const { summary, unconfirmed: missing } = await measureLag({
      ...run,
      orders,
      confirmations,
      loadEndedAt,
      timeoutMs: settings.lagTimeoutSeconds * 1000,
      signal: interrupted,
    });
    unconfirmed.push(...missing);
    return summary;
  };

  const summaries: RunSummary[] = [];
  const lags: LagSummary[] = [];
  let warmup5xx = 0;
  for (const scenario of settings.scenarios) {
    const base = { url: ordo.baseUrl, ...scenario.build(fixture, hooks) };
    const connectionCounts = scenario.connections ?? settings.connections;
    if (settings.warmupSeconds > 0 && !interrupted.aborted) {
      log(`${scenario.name}: warm-up ${settings.warmupSeconds} s`);
      const run = {
        scenario: scenario.name,
        connections: connectionCounts[0]!,
        backlogAtStart: backlog(),
      };
      const warm = await runLoad(
        scenario.name,
        { ...base, connections: run.connections, duration: settings.warmupSeconds },
        interrupted,
      );
      warmup5xx += warm.status5xx;
      // Drain the warm-up's emails too, so the first measured run starts on an empty queue.
      const drained = await awaitConfirmations(run, Date.now());
      if (drained && !drained.complete) {
        log(`warm-up: ${drained.expected - drained.delivered} confirmations still missing`);
      }
    }
    for (const connections of connectionCounts) {
      if (interrupted.aborted) break;
      log(`${scenario.name}: ${connections} connections, ${settings.durationSeconds} s`);
      placed.take();
      checkoutTimes = [];
      const run = { scenario: scenario.name, connections, backlogAtStart: backlog() };
      summaries.push(
        await runLoad(
          scenario.name,
          { ...base, connections, duration: settings.durationSeconds },
          interrupted,
        ),
      );
      if (checkoutTimes.length > 0) {
        const sorted = [...checkoutTimes].sort((a, b) => a - b);
        const rank = (p: number) =>
          sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
        checkouts.push({
          connections,
          completed: sorted.length,
          perSecond: Math.round((sorted.length / settings.durationSeconds) * 10) / 10,
          p50: rank(0.5),
          p99: rank(0.99),
        });
      }
      const lag = await awaitConfirmations(run, Date.now());
      if (lag) lags.push(lag);
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
  const undelivered = lags.reduce((sum, l) => sum + l.expected - l.delivered, 0);
  if (lags.length > 0) {
    console.log(
      `\nqueue lag: order createdAt → confirmation DATA received at the loopback SMTP server` +
        ` (job polling every ${pollIntervalMs} ms: JOB_POLL_INTERVAL unset, the default)\n` +
        `${lagTable(lags)}\n`,
    );
    if (undelivered > 0) {
      console.log(
        `${undelivered} confirmations had not arrived ${settings.lagTimeoutSeconds} s after their run's load ended (BENCH_LAG_TIMEOUT); ` +
          `">=N" is a lower bound that those confirmations leave open`,
      );
    }
  }
  if (checkouts.length > 0) {
    console.log(
      `\nfull checkout (quote → order → pay with pm_card_visa → order paid), end to end\n` +
        formatTable(
          ['conns', 'checkouts/s', 'p50 ms', 'p99 ms', 'completed'],
          checkouts.map((c) => [c.connections, c.perSecond, c.p50, c.p99, c.completed]),
        ) +
        '\n',
    );
  }
  if (placed.unreadable > 0) {
    console.log(`${placed.unreadable} order responses (201) had no readable id and createdAt`);
  }
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
      smtp: 'loopback',
      jobPollIntervalMs: pollIntervalMs,
      lagTimeoutSeconds: settings.lagTimeoutSeconds,
    },
    scenarios: settings.scenarios.map((s) => ({ name: s.name, description: s.description })),
    results: summaries,
    checkout: checkouts,
    queueLag: {
      measuredFrom: 'order createdAt (server clock, taken just before the placing transaction)',
      measuredTo: 'Date.now() in the bench when the SMTP DATA of the confirmation was complete',
      jobPollIntervalMs: pollIntervalMs,
      runs: lags,
      undelivered,
      unreadableOrderResponses: placed.unreadable,
      smtp: {
        messages: smtp.messages,
        distinct: smtp.arrivals.length,
        duplicates: smtp.duplicates,
      },
    },
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
  return total5xx > 0 || undelivered > 0 ? 1 : 0;
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

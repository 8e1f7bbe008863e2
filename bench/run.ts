/**
 * `npm run bench`: each scenario against Ordo and against its limit on this same machine,
 * side by side, with the ratio. docs/BENCHMARKS.md says what each scenario and limit is.
 *
 * 1. PostgreSQL + Redis, `ordo serve` (HTTP API, worker and built-in gateway in one process)
 *    on a fresh database with a loopback SMTP server: place-order and hot-SKU place-order
 *    against the `direct pg` limit (limit-pgbench.ts: pgbench running the limit's statement at
 *    the same connection count) and the `fastify + pg` limit (limit-server.ts); the cached catalog page against a bare fastify route answering the
 *    same bytes; the varied catalog list; the full checkout (quote → order → pay with
 *    pm_card_visa → paid). Then the stock invariants: stock equals its ledger, none negative,
 *    the hot product's reserved units equal its ordered units, every paid payment's order paid.
 * 2. Process scaling: place-order with `ordo api --processes N` and a separate `ordo worker`.
 * 3. The embedded default: `ordo serve` on PGlite (no DATABASE_URL): time to healthy on the
 *    first start and on a restart, idle CPU and RSS, place-order and the cached catalog.
 *
 * Ordo runs from dist/ as `npm start` runs it, built first when older than the sources.
 * Each run records requests/s, p50, p99, errors (non-2xx and socket errors), the peak RSS
 * and CPU ms per request of the server's process tree (read from /proc) and of PostgreSQL.
 * After every Ordo run that placed orders it waits for their confirmation emails and reports
 * the queue lag (order createdAt → SMTP DATA received), so the next run starts on an empty
 * queue. Results: bench/results/latest.{json,md,svg} (`--short`: short.{json,md,svg}).
 *
 * Exits non-zero when a response was a 5xx, an invariant broke, or a confirmation did not
 * arrive in time. Children are stopped, the SMTP server closed, the database dropped and the
 * embedded data directory removed however the run ends.
 *
 * `--short` or BENCH_SHORT=1: a quick check (3 s runs, 32 connections, 50 for the catalog,
 * 1 and 2 API processes, a smaller fixture). Environment: BENCH_DATABASE_URL (a database to
 * connect to for create/drop; default the local `postgres`), BENCH_REDIS_URL,
 * BENCH_DURATION (seconds per run: 10, short 3), BENCH_WARMUP (seconds of unrecorded load
 * before each target's first run: 2, short 1; 0 to skip), BENCH_CONNECTIONS (8,32,64; short
 * 32; when set, the catalog runs at these too), BENCH_SCENARIOS (names, comma-separated),
 * BENCH_PROCESSES (1,2,4; short 1,2), BENCH_PRODUCTS (200, short 50), BENCH_CUSTOMERS (100,
 * short 20), BENCH_IDLE (seconds of idle measured on the embedded default: 10, short 3),
 * BENCH_PGBENCH (the pgbench binary; default: on PATH, else Debian's newest), BENCH_NODE_ARGS (extra Node flags for Ordo's processes, e.g.
 * `--cpu-prof --cpu-prof-dir=DIR`), BENCH_LAG_TIMEOUT (seconds after a run's load ends to wait
 * for its confirmations, 60).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { benchAdmin, createAdmin, createFixture, type Fixture } from './fixture.js';
import { LIMIT_QUEUE, prepareLimitQueue, type LimitSettings } from './limit-order.js';
import { runPgbench } from './limit-pgbench.js';
import {
  ApiClient,
  childEnv,
  Cleanup,
  createDatabase,
  ensureBuilt,
  errorText,
  freePort,
  randomSecret,
  repoRoot,
  runLoad,
  startOrdo,
  startScript,
  type LoadOptions,
  type RunningOrdo,
  type RunSummary,
} from './lib.js';
import { mb, TreeSampler, type Root, type Sample } from './proc-stats.js';
import { Confirmations, lagTable, measureLag, PlacedOrders, type LagSummary } from './queue-lag.js';
import { attachRatios, consoleTable, markdownReport, svgChart, type BenchRow } from './report.js';
import { reportExtras, scalingTable, targetChecks, type Scaling } from './summary.js';
import {
  CACHED_CATALOG_PATH,
  catalogCached,
  catalogList,
  checkout,
  hotItems,
  hotSku,
  orderRequests,
  placeOrder,
  spreadItems,
  type OrderItemsOf,
  type Scenario,
  type ScenarioHooks,
} from './scenarios.js';
import { BenchSmtpServer } from './smtp.js';

const resultsDir = join(repoRoot, 'bench', 'results');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every scenario name BENCH_SCENARIOS accepts, in the order they run. */
const SCENARIO_NAMES = [
  'place-order',
  'hot-sku',
  'catalog-cached',
  'catalog-list',
  'checkout',
  'processes',
  'embedded',
] as const;
type ScenarioName = (typeof SCENARIO_NAMES)[number];

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

function countsEnv(name: string): number[] | undefined {
  return listEnv(name)?.map((c) => {
    const n = Number(c);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: bad count ${c}`);
    return n;
  });
}

/** The settings that change what is measured (the database and Redis URLs do not). */
const MEASURE_SETTINGS = [
  'BENCH_DURATION',
  'BENCH_WARMUP',
  'BENCH_CONNECTIONS',
  'BENCH_SCENARIOS',
  'BENCH_PROCESSES',
  'BENCH_PRODUCTS',
  'BENCH_CUSTOMERS',
  'BENCH_IDLE',
  'BENCH_NODE_ARGS',
];

function readSettings() {
  const short =
    process.argv.includes('--short') || ['1', 'true'].includes(process.env.BENCH_SHORT ?? '');
  const connectionsSet = countsEnv('BENCH_CONNECTIONS');
  const only = listEnv('BENCH_SCENARIOS');
  const unknown = only?.filter((name) => !(SCENARIO_NAMES as readonly string[]).includes(name));
  if (unknown && unknown.length > 0) {
    throw new Error(
      `BENCH_SCENARIOS: unknown ${unknown.join(', ')}; known: ${SCENARIO_NAMES.join(', ')}`,
    );
  }
  // The short run leaves out the varied catalog list: it has no limit to compare with.
  const defaults = SCENARIO_NAMES.filter((name) => !short || name !== 'catalog-list');
  return {
    short,
    // latest.* is the full run with its defaults, the one to commit; anything else is scratch.
    name: short
      ? 'short'
      : MEASURE_SETTINGS.some((name) => process.env[name])
        ? 'custom'
        : 'latest',
    baseDatabaseUrl:
      process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379',
    durationSeconds: intEnv('BENCH_DURATION', short ? 3 : 10),
    warmupSeconds: intEnv('BENCH_WARMUP', short ? 1 : 2, 0),
    connections: connectionsSet ?? (short ? [32] : [8, 32, 64]),
    catalogConnections:
      connectionsSet ?? (short ? [50] : (catalogCached.connections ?? [8, 32, 50, 64])),
    processScaleConnections: 32,
    processes: countsEnv('BENCH_PROCESSES') ?? (short ? [1, 2] : [1, 2, 4]),
    scenarios: new Set<ScenarioName>((only as ScenarioName[] | undefined) ?? defaults),
    products: intEnv('BENCH_PRODUCTS', short ? 50 : 200),
    customers: intEnv('BENCH_CUSTOMERS', short ? 20 : 100),
    idleSeconds: intEnv('BENCH_IDLE', short ? 3 : 10),
    lagTimeoutSeconds: intEnv('BENCH_LAG_TIMEOUT', 60),
  };
}
type Settings = ReturnType<typeof readSettings>;

async function gitCommit(): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)('git', ['rev-parse', 'HEAD'], { cwd: repoRoot });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

const log = (message: string) => console.error(`[bench] ${message}`);
const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/** Something a scenario runs against: Ordo, or one of its limits. */
interface Target {
  name: string;
  kind: 'ordo' | 'limit';
  /** The process trees whose CPU and RSS count as the server's (the worker's, apart). */
  roots: () => { server: Root; worker?: Root };
  run(connections: number, durationSeconds: number): Promise<RunSummary>;
}

/**
 * Everything one bench invocation keeps: the rows, the queue lag, notes for the report, and
 * the helpers that run a target while watching its processes.
 */
class Bench {
  readonly rows: BenchRow[] = [];
  readonly lags: LagSummary[] = [];
  readonly placed = new PlacedOrders();
  checkoutTimes: number[] = [];
  warmup5xx = 0;
  /** Orders of earlier runs whose confirmation had not arrived when their wait ended. */
  unconfirmed: string[] = [];
  readonly hooks: ScenarioHooks = {
    orderPlaced: (body) => this.placed.add(body),
    checkoutCompleted: (ms) => this.checkoutTimes.push(ms),
  };
  readonly confirmations: Confirmations;

  constructor(
    readonly settings: Settings,
    readonly smtp: BenchSmtpServer,
    readonly interrupted: AbortSignal,
  ) {
    this.confirmations = new Confirmations(smtp.arrivals);
  }

  backlog(): number {
    this.unconfirmed = this.unconfirmed.filter(
      (id) => this.confirmations.arrivedAt(id) === undefined,
    );
    return this.unconfirmed.length;
  }

  /** Waits for the confirmations of the orders the last load placed; undefined if none. */
  async awaitConfirmations(
    run: { scenario: string; connections: number; backlogAtStart: number },
    loadEndedAt: number,
  ): Promise<LagSummary | undefined> {
    const orders = this.placed.take();
    if (orders.length === 0) return undefined;
    log(`${run.scenario}: waiting for ${orders.length} order confirmations`);
    const { summary, unconfirmed } = await measureLag({
      ...run,
      orders,
      confirmations: this.confirmations,
      loadEndedAt,
      timeoutMs: this.settings.lagTimeoutSeconds * 1000,
      signal: this.interrupted,
    });
    this.unconfirmed.push(...unconfirmed);
    return summary;
  }

  /**
   * Runs `scenario` against each target at each connection count, targets side by side at
   * each count; each target gets one warm-up first. Ordo runs that placed orders wait for
   * their confirmations (and report the lag) before the next run starts.
   */
  async compare(
    scenario: string,
    targets: Target[],
    connectionCounts: number[],
    options: { freshProcess?: boolean } = {},
  ): Promise<void> {
    const { durationSeconds } = this.settings;
    // A process started just now has cold JIT caches: give it a longer warm-up.
    const warmupSeconds =
      options.freshProcess && this.settings.warmupSeconds > 0
        ? Math.max(this.settings.warmupSeconds, 3)
        : this.settings.warmupSeconds;
    const warmed = new Set<string>();
    for (const connections of connectionCounts) {
      for (const target of targets) {
        if (this.interrupted.aborted) return;
        if (warmupSeconds > 0 && !warmed.has(target.name)) {
          warmed.add(target.name);
          log(`${scenario} / ${target.name}: warm-up ${warmupSeconds} s`);
          const run = { scenario, connections, backlogAtStart: this.backlog() };
          const warm = await target.run(connections, warmupSeconds);
          this.warmup5xx += warm.status5xx;
          // Drain the warm-up's emails too, so the measured run starts on an empty queue.
          const drained = await this.awaitConfirmations(run, Date.now());
          if (drained && !drained.complete) {
            log(`warm-up: ${drained.expected - drained.delivered} confirmations still missing`);
          }
        }
        log(`${scenario} / ${target.name}: ${connections} connections, ${durationSeconds} s`);
        this.placed.take();
        this.checkoutTimes = [];
        const run = { scenario, connections, backlogAtStart: this.backlog() };
        const roots = target.roots();
        const sampler = new TreeSampler(
          roots.worker === undefined ? [roots.server] : [roots.server, roots.worker],
        ).start();
        const summary = await target.run(connections, durationSeconds);
        const sample = sampler.stop();
        const row = rowOf(scenario, target, summary, sample, this.checkoutTimes);
        this.rows.push(row);
        log(
          `  ${row.perSecond} ${row.unit}, p50 ${row.p50} ms, p99 ${row.p99} ms, ${row.errors} errors, RSS peak ${row.serverRssPeakMb} MB`,
        );
        if (target.kind === 'ordo') {
          const lag = await this.awaitConfirmations(run, Date.now());
          if (lag) this.lags.push({ ...lag, scenario: `${scenario} / ${target.name}` });
        }
      }
    }
  }
}

function rowOf(
  scenario: string,
  target: Target,
  summary: RunSummary,
  sample: Sample,
  checkoutTimes: number[],
): BenchRow {
  const isCheckout = scenario === 'checkout';
  const sorted = [...checkoutTimes].sort((a, b) => a - b);
  const rank = (p: number) =>
    sorted.length === 0
      ? 0
      : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
  const count = isCheckout ? sorted.length : summary.requests;
  const perRequest = (ms: number) => (count > 0 ? round(ms / count, 3) : null);
  const [server, worker] = sample.trees;
  return {
    scenario,
    target: target.name,
    kind: target.kind,
    connections: summary.connections,
    perSecond: isCheckout
      ? round(sorted.length / summary.durationSeconds, 1)
      : summary.requestsPerSecond,
    unit: isCheckout ? 'checkouts/s' : 'req/s',
    p50: isCheckout ? rank(0.5) : summary.latencyMs.p50,
    p99: isCheckout ? rank(0.99) : summary.latencyMs.p99,
    requests: summary.requests,
    errors: summary.non2xx + summary.errors,
    status5xx: summary.status5xx,
    failures: {
      ...summary.failures,
      ...(summary.errors > 0 ? { 'socket errors': summary.errors } : {}),
    },
    // No RSS: a client that had exited when the run ended (pgbench).
    serverRssPeakMb: server?.peakRssBytes ? mb(server.peakRssBytes) : null,
    processRssPeakMb: server?.peakProcessRssBytes ? mb(server.peakProcessRssBytes) : null,
    serverCpuMsPerRequest: server ? perRequest(server.cpuMs + (worker?.cpuMs ?? 0)) : null,
    postgresCpuMsPerRequest: perRequest(sample.postgresCpuMs),
    ...(worker ? { workerRssPeakMb: mb(worker.peakRssBytes) } : {}),
  };
}

/** An autocannon target: `build` gives the scenario's requests for `url`. */
function httpTarget(
  name: string,
  kind: 'ordo' | 'limit',
  process: () => RunningOrdo,
  build: () => LoadOptions,
  signal: AbortSignal,
  worker?: () => RunningOrdo,
): Target {
  const options = build();
  return {
    name,
    kind,
    roots: () => ({
      server: process().child.pid!,
      ...(worker ? { worker: worker().child.pid! } : {}),
    }),
    run: (connections, duration) =>
      runLoad(name, { url: process().baseUrl, ...options, connections, duration }, signal),
  };
}

/** The fastify + pg limit's requests: the same orders, the customer named in the body. */
function limitOrderLoad(fixture: Fixture, items: OrderItemsOf): LoadOptions {
  const next = orderRequests(fixture, items);
  return {
    requests: [
      {
        method: 'POST',
        path: '/orders',
        setupRequest: (request) => {
          const { customer, ...body } = next();
          return {
            ...request,
            headers: { ...request.headers, 'content-type': 'application/json' },
            body: JSON.stringify({ userId: customer.id, email: customer.email, ...body }),
          };
        },
      },
    ],
  };
}

function directTarget(
  databaseUrl: string,
  limitSettings: LimitSettings,
  fixture: Fixture,
  kind: 'spread' | 'hot',
  signal: AbortSignal,
): Target {
  return {
    name: 'direct pg',
    kind: 'limit',
    // The client is pgbench, a child of this process that has exited when the run ends.
    roots: () => ({ server: { pid: process.pid, exited: true } }),
    run: (connections, durationSeconds) =>
      runPgbench({
        scenario: 'direct pg',
        databaseUrl,
        connections,
        durationSeconds,
        settings: limitSettings,
        fixture,
        kind,
        signal,
      }),
  };
}

/** The invariants after the PostgreSQL runs: what "never oversells" means, checked in SQL. */
async function checkInvariants(databaseUrl: string, hotProductId: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const one = async (sql: string, values: unknown[] = []) =>
      Number(Object.values((await client.query(sql, values)).rows[0] as object)[0]);
    const invariants = {
      negativeStock: await one('select count(*) from product_variants where stock < 0'),
      stockNotLedger: await one(
        `select count(*) from product_variants v
         where v.stock <> (select coalesce(sum(delta), 0) from stock_movements m where m.variant_id = v.id)`,
      ),
      hotReservedUnits: await one(
        `select coalesce(-sum(delta), 0) from stock_movements where product_id = $1 and kind = 'reserve'`,
        [hotProductId],
      ),
      hotOrderedUnits: await one(
        'select coalesce(sum(quantity), 0) from order_lines where product_id = $1',
        [hotProductId],
      ),
      ordersLedgerNotLines: await one(
        // Grouped once each: stock_movements has no index on order_id, so a correlated count
        // per order is quadratic (minutes at the bench's ~100,000 orders).
        `select count(*) from orders o
           left join (select order_id, count(*) as n from stock_movements
                       where kind = 'reserve' group by order_id) m on m.order_id = o.id
           left join (select order_id, count(*) as n from order_lines group by order_id) l
                  on l.order_id = o.id
         where coalesce(m.n, 0) <> coalesce(l.n, 0)`,
      ),
      // Ordo's confirmation or the limit's, whether pg-boss still holds it or has archived it.
      ordersWithoutOneConfirmationJob: await one(
        `select count(*) from orders o left join (
           select data->>'orderId' as order_id, count(*) as n
           from (select name, data from pgboss.job union all select name, data from pgboss.archive) jobs
           where name in ($1, $2) group by 1
         ) j on j.order_id = o.id
         where coalesce(j.n, 0) <> 1`,
        ['order-confirmation-email', LIMIT_QUEUE],
      ),
      ordersSubtotalNotLines: await one(
        `select count(*) from orders o
           left join (select order_id, sum(subtotal) as subtotal from order_lines group by order_id) l
                  on l.order_id = o.id
         where o.subtotal <> coalesce(l.subtotal, 0)`,
      ),
      ordersWithoutHistory: await one(
        `select count(*) from orders o where not exists
           (select 1 from order_history h where h.order_id = o.id)`,
      ),
      succeededPaymentsOrderUnpaid: await one(
        `select count(*) from payments p join orders o on o.id = p.order_id
         where p.status = 'succeeded' and o.status <> 'paid'`,
      ),
      orders: await one('select count(*) from orders'),
      limitConfirmationJobs: await one('select count(*) from pgboss.job where name = $1', [
        LIMIT_QUEUE,
      ]),
      paidOrders: await one(`select count(*) from orders where status = 'paid'`),
    };
    const ok =
      invariants.negativeStock === 0 &&
      invariants.stockNotLedger === 0 &&
      invariants.hotReservedUnits === invariants.hotOrderedUnits &&
      invariants.ordersLedgerNotLines === 0 &&
      invariants.ordersSubtotalNotLines === 0 &&
      invariants.ordersWithoutHistory === 0 &&
      invariants.ordersWithoutOneConfirmationJob === 0 &&
      invariants.succeededPaymentsOrderUnpaid === 0;
    return { ok, ...invariants };
  } finally {
    await client.end();
  }
}

/**
 * Waits until the process trees have settled after a start: each second, until they use
 * less than a third of a core between them (a forked API process loading its modules, or a
 * worker starting pg-boss, would otherwise steal the first run's CPU), or `maxMs` passed.
 */
async function settle(pids: number[], maxMs = 30_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < maxMs) {
    const sampler = new TreeSampler(pids).start();
    await sleep(1_000);
    const sample = sampler.stop();
    const cpuMs = sample.trees.reduce((sum, t) => sum + t.cpuMs, 0);
    if (cpuMs < sample.elapsedMs / 3) break;
  }
  return Date.now() - started;
}

/** Watches one process tree while `wait` runs: CPU and RSS with nothing to do. */
async function idleOf(pid: number, seconds: number) {
  const sampler = new TreeSampler([pid]).start();
  await sleep(seconds * 1000);
  const sample = sampler.stop();
  return {
    seconds,
    cpuMs: round(sample.trees[0]!.cpuMs, 0),
    cpuPercent: round((sample.trees[0]!.cpuMs / sample.elapsedMs) * 100, 2),
    rssMb: mb(sample.trees[0]!.lastRssBytes),
  };
}

async function main(cleanup: Cleanup, interrupted: AbortSignal): Promise<number> {
  const settings = readSettings();
  const startedAt = new Date();
  const want = (name: ScenarioName) => settings.scenarios.has(name);
  mkdirSync(resultsDir, { recursive: true });
  await ensureBuilt(log);
  log(
    `${settings.short ? 'short run' : 'full run'}: ${settings.durationSeconds} s per run, connections ${settings.connections.join('/')}`,
  );

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

  const common = {
    SMTP_URL: smtp.url,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_AUTH: '1000000',
    // Tokens are issued once during setup and must outlive the longest run.
    ACCESS_TOKEN_TTL: '24h',
    // The hoarding caps (5 unpaid orders per customer) would refuse a load of orders nobody
    // pays for from a hundred customers: off, like the limits, which have no such check.
    MAX_UNPAID_ORDERS: '0',
    MAX_UNITS_PER_PRODUCT: '0',
  };
  const env = {
    ...common,
    DATABASE_URL: database.url,
    REDIS_URL: settings.redisUrl,
    JWT_SECRET: randomSecret(48),
  };
  // JOB_POLL_INTERVAL and the other job settings stay unset (childEnv drops any from this
  // shell): read back the polling interval and the pricing settings Ordo will use.
  const config = loadConfig(childEnv(env));
  const pollIntervalMs = config.jobs.pollingIntervalSeconds * 1000;
  const limitSettings: LimitSettings = {
    currency: config.currency,
    shipping: { flatRate: config.shippingFlatRate, freeOver: config.freeShippingOver },
    orderPaymentTtlMs: config.orderPaymentTtlMs,
  };
  const bench = new Bench(settings, smtp, interrupted);
  const logFile = (name: string) => join(resultsDir, `${settings.name}-${name}.log`);
  const processes: Record<string, unknown> = {};
  const watched: { name: string; child: RunningOrdo }[] = [];
  const watchErrors = (name: string, child: RunningOrdo) => watched.push({ name, child });

  // --- 1. PostgreSQL: ordo serve against its limits ---
  const serveStarted = Date.now();
  const ordo = await startOrdo({ env, port: await freePort(), logFile: logFile('ordo-serve') });
  const serveReadyMs = Date.now() - serveStarted;
  cleanup.push('stop ordo serve', () => ordo.stop());
  watchErrors('ordo serve', ordo);
  log(`ordo serve ready at ${ordo.baseUrl} in ${serveReadyMs} ms`);
  const serveIdle = await idleOf(ordo.child.pid!, 2);
  const serveWhole = new TreeSampler([ordo.child.pid!], 500).start();

  const setupStarted = Date.now();
  const fixture = await createFixture(new ApiClient(ordo.baseUrl), env, {
    products: settings.products,
    customers: settings.customers,
    stock: 1_000_000,
    concurrency: 8,
  });
  const hotProductId = hotItems(fixture)[0]!.productId;
  log(
    `setup: ${fixture.products.length} products, ${fixture.customers.length} customers in ${((Date.now() - setupStarted) / 1000).toFixed(1)} s`,
  );
  await prepareLimitQueue(database.url);

  const limitServer = await startScript({
    script: 'bench/limit-server.ts',
    port: await freePort(),
    logFile: logFile('limit-server'),
    env: {
      LIMIT_DATABASE_URL: database.url,
      LIMIT_SETTINGS: JSON.stringify(limitSettings),
      LIMIT_POOL_SIZE: '10',
    },
  });
  cleanup.push('stop the fastify + pg limit', () => limitServer.stop());
  watchErrors('fastify + pg limit', limitServer);

  const ordoTarget = (scenario: Scenario) =>
    httpTarget(
      'ordo serve',
      'ordo',
      () => ordo,
      () => scenario.build(fixture, bench.hooks),
      interrupted,
    );
  for (const [name, scenario, items, kind] of [
    ['place-order', placeOrder, spreadItems, 'spread'],
    ['hot-sku', hotSku, hotItems, 'hot'],
  ] as const) {
    if (!want(name)) continue;
    await bench.compare(
      name,
      [
        ordoTarget(scenario),
        directTarget(database.url, limitSettings, fixture, kind, interrupted),
        httpTarget(
          'fastify + pg',
          'limit',
          () => limitServer,
          () => limitOrderLoad(fixture, items),
          interrupted,
        ),
      ],
      settings.connections,
    );
  }

  if (want('catalog-cached') && !interrupted.aborted) {
    // The bytes Ordo answers for the page now (stock moved while orders were placed), served
    // as they are by a bare fastify route.
    const catalogBytes = Buffer.from(
      await (await fetch(`${ordo.baseUrl}${CACHED_CATALOG_PATH}`)).arrayBuffer(),
    );
    const catalogFile = join(resultsDir, `${settings.name}-catalog-page.json`);
    writeFileSync(catalogFile, catalogBytes);
    const bare = await startScript({
      script: 'bench/limit-server.ts',
      port: await freePort(),
      logFile: logFile('bare-route'),
      env: { LIMIT_CATALOG_FILE: catalogFile, LIMIT_SETTINGS: JSON.stringify(limitSettings) },
    });
    cleanup.push('stop the bare route', () => bare.stop());
    watchErrors('bare route', bare);
    await bench.compare(
      'catalog-cached',
      [
        ordoTarget(catalogCached),
        httpTarget(
          'bare route',
          'limit',
          () => bare,
          () => ({ requests: [{ method: 'GET', path: '/catalog' }] }),
          interrupted,
        ),
      ],
      settings.catalogConnections,
    );
    await bare.stop();
    processes.catalogBytes = catalogBytes.length;
  }
  await limitServer.stop();

  if (want('catalog-list')) {
    await bench.compare('catalog-list', [ordoTarget(catalogList)], settings.connections);
  }
  if (want('checkout')) {
    await bench.compare('checkout', [ordoTarget(checkout)], settings.connections);
  }
  const serveSample = serveWhole.stop();
  const invariants = await checkInvariants(database.url, hotProductId);
  log(`invariants: ${invariants.ok ? 'hold' : 'BROKEN'} ${JSON.stringify(invariants)}`);
  await ordo.stop();
  processes.serve = {
    readyMs: serveReadyMs,
    idle: serveIdle,
    rssPeakMb: mb(serveSample.trees[0]!.peakRssBytes),
  };

  // --- 2. process scaling: ordo api --processes N and a separate ordo worker ---
  const scaling: Scaling[] = [];
  if (want('processes') && !interrupted.aborted) {
    const worker = await startOrdo({
      env,
      port: await freePort(),
      args: ['worker'],
      logFile: logFile('ordo-worker'),
      readyAfterMs: 1_000,
    });
    await settle([worker.child.pid!]);
    cleanup.push('stop ordo worker', () => worker.stop());
    watchErrors('ordo worker', worker);
    for (const count of settings.processes) {
      if (interrupted.aborted) break;
      const started = Date.now();
      const api = await startOrdo({
        env,
        port: await freePort(),
        args: ['api', '--processes', String(count)],
        logFile: logFile(`ordo-api-${count}`),
      });
      const readyMs = Date.now() - started;
      watchErrors(`ordo api ×${count}`, api);
      // /readyz answers once the first of the N is up: wait for the others to settle too.
      const settledMs = await settle([api.child.pid!, worker.child.pid!]);
      log(`ordo api ×${count}: ready in ${readyMs} ms, settled ${settledMs} ms later`);
      const name = `ordo api ×${count} + worker`;
      const before = bench.rows.length;
      try {
        await bench.compare(
          'processes',
          [
            httpTarget(
              name,
              'ordo',
              () => api,
              () => placeOrder.build(fixture, bench.hooks),
              interrupted,
              () => worker,
            ),
          ],
          [settings.processScaleConnections],
          { freshProcess: true },
        );
      } finally {
        await api.stop();
      }
      const row = bench.rows[before];
      if (row) {
        scaling.push({
          processes: count,
          readyMs,
          perSecond: row.perSecond,
          p99: row.p99,
          rssPeakMb: row.serverRssPeakMb ?? 0,
          processRssPeakMb: row.processRssPeakMb ?? 0,
          workerRssPeakMb: row.workerRssPeakMb ?? 0,
        });
      }
    }
    await worker.stop();
  }
  processes.scaling = scaling;

  // --- 3. the embedded default: ordo serve on PGlite ---
  let embedded: Record<string, unknown> | undefined;
  if (want('embedded') && !interrupted.aborted) {
    const dataDir = mkdtempSync(join(tmpdir(), 'ordo-bench-embedded-'));
    cleanup.push('remove the embedded data directory', async () =>
      rmSync(dataDir, { recursive: true, force: true }),
    );
    const embeddedEnv = { ...common, DATA_DIR: dataDir };
    const port = await freePort();
    let started = Date.now();
    const first = await startOrdo({ env: embeddedEnv, port, logFile: logFile('embedded-first') });
    const firstStartMs = Date.now() - started;
    watchErrors('embedded (first start)', first);
    log(`embedded: first start healthy in ${firstStartMs} ms; idle ${settings.idleSeconds} s`);
    const idle = await idleOf(first.child.pid!, settings.idleSeconds);
    await first.stop();
    // PGlite has one writer: the admin is created while no server holds the data directory.
    const admin = benchAdmin();
    await createAdmin(admin, embeddedEnv);
    started = Date.now();
    const again = await startOrdo({ env: embeddedEnv, port, logFile: logFile('embedded') });
    const restartMs = Date.now() - started;
    cleanup.push('stop embedded ordo', () => again.stop());
    watchErrors('embedded', again);
    const idleAfterRestart = await idleOf(again.child.pid!, Math.min(settings.idleSeconds, 5));
    log(`embedded: restart healthy in ${restartMs} ms`);
    const whole = new TreeSampler([again.child.pid!], 500).start();
    const smallFixture = await createFixture(new ApiClient(again.baseUrl), embeddedEnv, {
      products: Math.min(settings.products, 50),
      customers: Math.min(settings.customers, 20),
      stock: 1_000_000,
      concurrency: 4,
      admin,
    });
    const target = (scenario: Scenario) =>
      httpTarget(
        'ordo serve (PGlite)',
        'ordo',
        () => again,
        () => scenario.build(smallFixture, bench.hooks),
        interrupted,
      );
    await bench.compare('embedded place-order', [target(placeOrder)], [32], {
      freshProcess: true,
    });
    await bench.compare('embedded catalog-cached', [target(catalogCached)], [32], {
      freshProcess: true,
    });
    const sample = whole.stop();
    await again.stop();
    embedded = {
      firstStartMs,
      restartMs,
      idle,
      idleAfterRestart,
      rssPeakMb: mb(sample.trees[0]!.peakRssBytes),
    };
  }
  if (interrupted.aborted) return 130;

  // --- results ---
  attachRatios(bench.rows);
  const count5xx = bench.rows.reduce((sum, r) => sum + r.status5xx, bench.warmup5xx);
  const serverErrors = watched.flatMap(({ name, child }) =>
    child.errorLines().map((line) => `${name}: ${line}`),
  );
  const undelivered = bench.lags.reduce((sum, l) => sum + l.expected - l.delivered, 0);
  const finishedAt = new Date();
  const durationSeconds = round((finishedAt.getTime() - startedAt.getTime()) / 1000, 0);

  console.log(`\n${consoleTable(bench.rows)}\n`);
  if (bench.lags.length > 0) {
    console.log(
      `queue lag: order createdAt → confirmation DATA received at the loopback SMTP server` +
        ` (Ordo's job settings at their defaults: JOB_POLL_INTERVAL ${pollIntervalMs} ms)\n${lagTable(bench.lags)}\n`,
    );
  }
  if (scaling.length > 0) console.log(scalingTable(scaling));
  if (embedded) console.log(`\nembedded: ${JSON.stringify(embedded)}`);
  console.log(`\ninvariants: ${JSON.stringify(invariants)}`);
  console.log(`\nbench took ${durationSeconds} s`);

  const targets = targetChecks(bench.rows, bench.lags, processes, embedded);
  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds,
    commit: await gitCommit(),
    node: process.version,
    mode: settings.short ? 'short' : 'full',
    settings: {
      durationSeconds: settings.durationSeconds,
      warmupSeconds: settings.warmupSeconds,
      connections: settings.connections,
      catalogConnections: settings.catalogConnections,
      processes: settings.processes,
      products: fixture.products.length,
      customers: fixture.customers.length,
      database: 'postgresql (and PGlite for the embedded rows)',
      redis: true,
      smtp: 'loopback',
      jobPollIntervalMs: pollIntervalMs,
      lagTimeoutSeconds: settings.lagTimeoutSeconds,
      ordoEnv: { ...common, SMTP_URL: 'loopback' },
      limitPoolSize: 10,
      direct: 'pgbench, the limit statement prepared, one connection per client',
    },
    rows: bench.rows,
    queueLag: {
      measuredFrom: 'order createdAt (server clock, taken just before the placing transaction)',
      measuredTo: 'Date.now() in the bench when the SMTP DATA of the confirmation was complete',
      jobPollIntervalMs: pollIntervalMs,
      runs: bench.lags,
      undelivered,
      unreadableOrderResponses: bench.placed.unreadable,
      smtp: {
        messages: smtp.messages,
        distinct: smtp.arrivals.length,
        duplicates: smtp.duplicates,
      },
    },
    processes,
    embedded,
    invariants,
    targets,
    total5xx: count5xx,
    serverErrors: serverErrors.slice(0, 50),
  };
  const base = join(resultsDir, settings.name);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  const title = `Ordo bench${settings.short ? ' (short run)' : ''}`;
  writeFileSync(`${base}.md`, markdownReport(bench.rows, reportExtras(title, report, scaling)));
  writeFileSync(`${base}.svg`, svgChart(bench.rows, `${title}: Ordo against its limits`));
  log(`results written to ${base}.{json,md,svg}`);

  if (count5xx > 0 || serverErrors.length > 0) {
    console.error(`\n${count5xx} responses were 5xx; server error lines (first 20):`);
    for (const line of serverErrors.slice(0, 20)) console.error(line);
  }
  if (!invariants.ok) console.error('\nstock invariants broken: see "invariants" above');
  return count5xx > 0 || undelivered > 0 || !invariants.ok ? 1 : 0;
}

const cleanup = new Cleanup();
const interrupt = new AbortController();
let signals = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (++signals > 1) process.exit(130);
    log(`${signal}: stopping the load, the servers and dropping the database`);
    interrupt.abort();
    void cleanup.run().finally(() => process.exit(130));
  });
}

let exitCode = 1;
try {
  exitCode = await main(cleanup, interrupt.signal);
} catch (error) {
  console.error(`bench failed: ${errorText(error)}`);
  if (error instanceof Error && error.stack) console.error(error.stack);
} finally {
  await cleanup.run();
}
process.exit(exitCode);

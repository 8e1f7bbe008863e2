import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Fixture } from './fixture.js';
import type { RunSummary } from './lib.js';
import { LIMIT_QUEUE, PLACE, type LimitSettings } from './limit-order.js';
import { ADDRESSES } from './scenarios.js';

/**
 * The "direct pg" limit: the database's own rate for placing orders. pgbench, PostgreSQL's
 * own C client, runs the limit's statement (limit-order.ts's PLACE, the same text: stock
 * taken under row locks with its ledger rows, a numbered order with its address and totals,
 * its lines, its first history entry and its confirmation job row) prepared, one connection
 * per client, at the scenario's connection count, for the run's duration. The client costs
 * 0.1-0.2 ms of CPU per order, a third or less of a Node client's, so what it measures is the
 * database's rate for this work at that connection count (docs/BENCHMARKS.md).
 *
 * Each transaction draws its order as the place-order scenarios do: a random customer and
 * address, and 1–3 distinct random products of quantity 1–2 (`spread`), or one unit of the
 * fixture's first product (`hot`). Ids are made in SQL, time-ordered like Ordo's
 * (`ord_pgb<µs>_<client>`), so no two transactions of a run share one.
 *
 * Summarised like an autocannon run: a transaction that placed its order is a 2xx, one the
 * statement refused (out of stock) a non-2xx, a client pgbench aborted (an SQL error) an
 * error; latencies come from pgbench's per-transaction log.
 */

const ORDER_PREFIX = 'ord_pgb';
/** Where the fixture's products, customers and addresses are numbered for pgbench to draw. */
const SCHEMA = 'bench_pgbench';

/** pgbench: BENCH_PGBENCH, else on PATH, else the newest in Debian's /usr/lib/postgresql. */
export function findPgbench(): string {
  if (process.env.BENCH_PGBENCH) return process.env.BENCH_PGBENCH;
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'pgbench'))) return join(dir, 'pgbench');
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'pgbench')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return join(root, versions[0], 'bin', 'pgbench');
  throw new Error(
    "pgbench not found: install Debian's postgresql-15 (pgbench ships with the server) or set BENCH_PGBENCH",
  );
}

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * The limit's statement for pgbench: a `pick` CTE first turns the transaction's pgbench
 * variables into the statement's parameters, each `$n` then reads its value from it.
 */
function statement(settings: LimitSettings): string {
  const params: Record<number, string> = {
    1: '(select ids from pick)',
    2: '(select qtys from pick)',
    3: 'now()',
    4: '(select mids from pick)',
    5: '(select order_id from pick)',
    6: '(select user_id from pick)',
    7: '(select email from pick)',
    8: literal(settings.currency),
    9: '(select address from pick)',
    10: `(now() + ${Math.round(settings.orderPaymentTtlMs)} * interval '1 millisecond')`,
    11: '(select lids from pick)',
    12: String(Math.round(settings.shipping.flatRate)),
    13: settings.shipping.freeOver === undefined ? 'null' : String(settings.shipping.freeOver),
    14: "(select json_build_object('orderId', order_id) from pick)",
    15: literal(LIMIT_QUEUE),
    16: '(:n::int)',
  };
  // `now()` is the transaction's start, the same in every reference: one id per order.
  const one = (table: string, column: string, n: string) =>
    `(select ${column} from ${SCHEMA}.${table} where n = :${n}::int)`;
  const pick = `pick as materialized (
      select (array[${one('products', 'id', 'a')}, ${one('products', 'id', 'b')},
                    ${one('products', 'id', 'c')}])[1:(:n::int)] as ids,
             (array[:q1::int, :q2::int, :q3::int])[1:(:n::int)] as qtys,
             c.id as user_id, c.email, ${one('addresses', 'address', 'addr')} as address,
             '${ORDER_PREFIX}' || s.stamp || '_' || :client_id as order_id,
             array(select 'mov_pgb' || s.stamp || '_' || :client_id || '_' || g
                   from generate_series(1, :n::int) g) as mids,
             array(select 'oln_pgb' || s.stamp || '_' || :client_id || '_' || g
                   from generate_series(1, :n::int) g) as lids
      from ${SCHEMA}.customers c,
           (select (extract(epoch from now()) * 1000000)::bigint::text as stamp) s
      where c.n = :u::int
    ), `;
  const text = PLACE.text.replace(/\$(\d+)/g, (_, n: string) => {
    const value = params[Number(n)];
    if (value === undefined) throw new Error(`the limit's statement has a new parameter $${n}`);
    return value;
  });
  if (!text.startsWith('with ')) throw new Error("the limit's statement no longer starts WITH");
  return `with ${pick}${text.slice('with '.length)};\n`;
}

/** The pgbench script: the order drawn into variables, then the statement. */
function script(settings: LimitSettings, kind: 'spread' | 'hot'): string {
  const draw =
    kind === 'hot'
      ? [
          '\\set n 1',
          '\\set a 1',
          '\\set b 1',
          '\\set c 1',
          '\\set q1 1',
          '\\set q2 1',
          '\\set q3 1',
        ]
      : [
          // Three distinct products: b and c at different nonzero offsets from a.
          '\\set n random(1, 3)',
          '\\set a random(1, :nproducts)',
          '\\set d1 random(1, :nproducts - 1)',
          '\\set d2 random(1, :nproducts - 2)',
          '\\set b (:a + :d1 - 1) % :nproducts + 1',
          '\\set c (:a + (case when :d2 >= :d1 then :d2 + 1 else :d2 end) - 1) % :nproducts + 1',
          '\\set q1 random(1, 2)',
          '\\set q2 random(1, 2)',
          '\\set q3 random(1, 2)',
        ];
  return [
    ...draw,
    '\\set u random(1, :ncustomers)',
    `\\set addr random(0, ${ADDRESSES.length - 1})`,
    statement(settings),
  ].join('\n');
}

/**
 * The fixture numbered 1..n in tables of their own, product 1 the hot one, so a transaction
 * turns pgbench's random numbers into ids with a primary-key lookup each: passing the id
 * lists as pgbench variables made PostgreSQL parse them on every transaction, which cost
 * about a quarter of the statement's own CPU.
 */
async function numberFixture(databaseUrl: string, fixture: Fixture): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`create schema if not exists ${SCHEMA};
      create table if not exists ${SCHEMA}.products (n int primary key, id text not null);
      create table if not exists ${SCHEMA}.customers (n int primary key, id text not null, email text not null);
      create table if not exists ${SCHEMA}.addresses (n int primary key, address jsonb not null);
      truncate ${SCHEMA}.products, ${SCHEMA}.customers, ${SCHEMA}.addresses`);
    await client.query(
      `insert into ${SCHEMA}.products select n, id from unnest($1::text[]) with ordinality as t(id, n)`,
      [fixture.products.map((p) => p.id)],
    );
    await client.query(
      `insert into ${SCHEMA}.customers select n, id, email
       from unnest($1::text[], $2::text[]) with ordinality as t(id, email, n)`,
      [fixture.customers.map((c) => c.id), fixture.customers.map((c) => c.email)],
    );
    await client.query(
      `insert into ${SCHEMA}.addresses select n - 1, a from jsonb_array_elements($1::jsonb) with ordinality as t(a, n)`,
      [JSON.stringify(ADDRESSES)],
    );
    await client.query(`analyze ${SCHEMA}.products, ${SCHEMA}.customers, ${SCHEMA}.addresses`);
  } finally {
    await client.end();
  }
}

function connectionEnv(databaseUrl: string): NodeJS.ProcessEnv {
  const url = new URL(databaseUrl);
  return {
    ...process.env,
    PGHOST: url.hostname,
    PGPORT: url.port || '5432',
    PGUSER: decodeURIComponent(url.username) || 'postgres',
    PGDATABASE: decodeURIComponent(url.pathname.slice(1)),
    ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}),
  };
}

async function countPlaced(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      `select count(*) as n from orders where id like $1`,
      [`${ORDER_PREFIX}%`],
    );
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}

/** Latencies in ms from pgbench's per-transaction logs (`client tx latency_µs script …`). */
function readLatencies(dir: string): number[] {
  const latencies: number[] = [];
  for (const file of readdirSync(dir)) {
    if (!file.startsWith('pgbench_log')) continue;
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      const fields = line.split(' ');
      if (fields.length >= 3 && fields[2] !== 'skipped' && fields[2] !== 'failed') {
        latencies.push(Number(fields[2]) / 1000);
      }
    }
  }
  return latencies.sort((a, b) => a - b);
}

export async function runPgbench(options: {
  scenario: string;
  databaseUrl: string;
  connections: number;
  durationSeconds: number;
  settings: LimitSettings;
  fixture: Fixture;
  kind: 'spread' | 'hot';
  signal?: AbortSignal;
}): Promise<RunSummary> {
  const dir = mkdtempSync(join(tmpdir(), 'ordo-bench-pgbench-'));
  try {
    const scriptFile = join(dir, 'place-order.sql');
    writeFileSync(scriptFile, script(options.settings, options.kind));
    const { products, customers } = options.fixture;
    await numberFixture(options.databaseUrl, options.fixture);
    const before = await countPlaced(options.databaseUrl);
    const args = [
      '--no-vacuum',
      '--protocol=prepared',
      `--client=${options.connections}`,
      `--jobs=${Math.min(2, options.connections)}`,
      `--time=${options.durationSeconds}`,
      `--file=${scriptFile}`,
      '--log',
      `--log-prefix=${join(dir, 'pgbench_log')}`,
      `--define=nproducts=${products.length}`,
      `--define=ncustomers=${customers.length}`,
    ];
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve, reject) => {
      const child = spawn(findPgbench(), args, {
        env: connectionEnv(options.databaseUrl),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      const stop = () => child.kill('SIGINT');
      options.signal?.addEventListener('abort', stop, { once: true });
      child.on('error', reject);
      child.on('close', (exit) => {
        options.signal?.removeEventListener('abort', stop);
        resolve({ code: exit, stdout: out, stderr: err });
      });
    });
    const processed = Number(/transactions actually processed: (\d+)/.exec(stdout)?.[1] ?? NaN);
    const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1]);
    if (!Number.isFinite(processed) || !Number.isFinite(tps)) {
      throw new Error(`pgbench exited ${code} without a result:\n${stderr || stdout}`);
    }
    // pgbench exits 2 when a client aborted (an SQL error ends that client): an error each.
    const aborted = (stderr.match(/client \d+ aborted/g) ?? []).length;
    if (aborted > 0) {
      console.error(`[bench] ${options.scenario}: pgbench: ${stderr.trim().split('\n')[0]}`);
    }
    const placed = (await countPlaced(options.databaseUrl)) - before;
    const refused = Math.max(0, processed - placed);
    const sorted = readLatencies(dir);
    const rank = (p: number) =>
      sorted.length === 0
        ? 0
        : Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!);
    return {
      scenario: options.scenario,
      connections: options.connections,
      durationSeconds: options.durationSeconds,
      requests: processed,
      requestsPerSecond: Math.round(tps * 10) / 10,
      latencyMs: {
        average:
          sorted.length === 0
            ? 0
            : Math.round((sorted.reduce((a, b) => a + b, 0) / sorted.length) * 100) / 100,
        p50: rank(0.5),
        p90: rank(0.9),
        p99: rank(0.99),
        max: Math.round(sorted.at(-1) ?? 0),
      },
      non2xx: refused,
      status5xx: 0,
      errors: aborted,
      timeouts: 0,
      statusCodes: { '201': placed, ...(refused > 0 ? { '409': refused } : {}) },
      failures: refused > 0 ? { '409 OUT_OF_STOCK': refused } : {},
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';

/** The repository root: Ordo runs from here (`dist/main.js`). */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// --- cleanup that runs once, on success, failure or a signal ---

/**
 * A stack of undo steps, run last-in first-out exactly once, whether the run ends normally,
 * throws, or is interrupted. A failing step is reported and the next one still runs.
 */
export class Cleanup {
  private readonly steps: { name: string; run: () => Promise<unknown> }[] = [];
  private running: Promise<void> | undefined;

  push(name: string, run: () => Promise<unknown>): void {
    this.steps.push({ name, run });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.splice(0).reverse()) {
        try {
          await step.run();
        } catch (error) {
          console.error(`cleanup: ${step.name} failed: ${errorText(error)}`);
        }
      }
    })();
    return this.running;
  }
}

export const errorText = (error: unknown) =>
  error instanceof Error ? error.message : String(error);

// --- ports, secrets, databases ---

/** A port that was free a moment ago: listen on 0, read the port, close. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the free port'));
      });
    });
  });
}

/** `length` URL-safe random characters. */
export const randomSecret = (length: number) =>
  randomBytes(length).toString('base64url').slice(0, length);

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty database next to `baseUrl` (which names any database to connect to). */
export async function createDatabase(baseUrl: string, name: string): Promise<BenchDatabase> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    // FORCE ends connections a killed server may have left behind.
    drop: () => admin(`drop database if exists ${name} with (force)`),
  };
}

// --- the Ordo process ---

/**
 * Ordo's own variable names, read from `.env.example` and from the schema in src/config.ts
 * (should the example miss one, as it once missed the JOB_* settings), so the list stays in
 * step with the config. A child gets none of them from this shell: the run is described by
 * `env` alone; a JOB_POLL_INTERVAL exported here must not change what the bench measures.
 */
function ordoVariableNames(): string[] {
  const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
  const config = readFileSync(new URL('../src/config.ts', import.meta.url), 'utf8');
  return [
    ...[...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!),
    ...[...config.matchAll(/^ {2}([A-Z][A-Z0-9_]*): /gm)].map((m) => m[1]!),
  ];
}

export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const child: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [...ordoVariableNames(), 'NODE_ENV', 'NODE_OPTIONS']) delete child[name];
  return { ...child, ...env };
}

// BENCH_NODE_ARGS: extra Node flags for Ordo's processes, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`
// (Node refuses --cpu-prof in NODE_OPTIONS, and the bench clears NODE_OPTIONS for its children).
const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
// Ordo runs from dist/, as `npm start` and the container run it (ensureBuilt makes it current).
const ordoArgs = (args: string[]) => [...nodeArgs, 'dist/main.js', ...args];

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
    }
  }
  return newest;
}

/**
 * Builds Ordo (`npm run build`) unless dist/ is newer than every file of src/ and web/: the
 * bench measures what `npm start` runs, not tsx compiling the sources as it goes (which made
 * every start slower and every process larger).
 */
export async function ensureBuilt(log: (line: string) => void): Promise<void> {
  const built = existsSync(join(repoRoot, 'dist', 'main.js'))
    ? await newestMtime(join(repoRoot, 'dist'))
    : 0;
  const sources = Math.max(
    await newestMtime(join(repoRoot, 'src')),
    await newestMtime(join(repoRoot, 'web')),
  );
  if (built >= sources) return;
  log('dist/ is older than the sources: npm run build');
  await promisify(execFile)('npm', ['run', 'build'], { cwd: repoRoot, timeout: 300_000 });
}

/** Runs one `ordo` CLI command to completion; throws with its output when it fails. */
export async function runCli(args: string[], env: Record<string, string>): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ordoArgs(args), {
      cwd: repoRoot,
      env: childEnv(env),
      timeout: 60_000,
    });
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`ordo ${args[0]} failed: ${errorText(error)}\n${stdout}${stderr}`.trim(), {
      cause: error,
    });
  }
}

export interface RunningOrdo {
  baseUrl: string;
  child: ChildProcess;
  /** Log lines at error level or above (pino level >= 50) seen so far. */
  errorLines(): string[];
  /** How many warning lines (pino level 40) it has logged so far. */
  warningCount(): number;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `ordo serve` (or the command in `args`) as a child process and waits (up to
 * `readyTimeoutMs`) until it is ready: /readyz answers 200, or for a command without HTTP
 * (`ordo worker`) a log line matches `readyLine`, or it is still running `readyAfterMs`
 * after it started (a worker at LOG_LEVEL=warn says nothing when it is up). Its output goes
 * to `logFile`; error-level lines are also kept in memory.
 */
export function startOrdo(options: {
  env: Record<string, string>;
  port: number;
  logFile: string;
  readyTimeoutMs?: number;
  args?: string[];
  readyLine?: RegExp;
  readyAfterMs?: number;
}): Promise<RunningOrdo> {
  return startChild({
    ...options,
    argv: ordoArgs(options.args ?? ['serve']),
    env: childEnv({ ...options.env, PORT: String(options.port) }),
    name: `ordo ${(options.args ?? ['serve'])[0]}`,
  });
}

/**
 * Starts a Node script of the bench (`bench/limit-server.ts`) with tsx, like startOrdo; it
 * listens on LIMIT_PORT and is ready when /healthz answers.
 */
export function startScript(options: {
  script: string;
  env: Record<string, string>;
  port: number;
  logFile: string;
}): Promise<RunningOrdo> {
  return startChild({
    ...options,
    argv: ['--import', 'tsx', options.script],
    env: { ...process.env, ...options.env, LIMIT_PORT: String(options.port) },
    name: options.script,
    readyPath: '/healthz',
  });
}

async function startChild(options: {
  name: string;
  argv: string[];
  env: NodeJS.ProcessEnv;
  port: number;
  logFile: string;
  readyTimeoutMs?: number;
  readyLine?: RegExp | undefined;
  readyAfterMs?: number | undefined;
  readyPath?: string;
}): Promise<RunningOrdo> {
  const startedAt = Date.now();
  const log = createWriteStream(options.logFile);
  const child = spawn(process.execPath, options.argv, {
    cwd: repoRoot,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const errors: string[] = [];
  let warnings = 0;
  let partial = '';
  let sawReadyLine = false;
  const collect = (chunk: Buffer) => {
    log.write(chunk);
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (options.readyLine?.test(line)) sawReadyLine = true;
      const level = /"level":(\d+)/.exec(line)?.[1];
      if (level === '40') warnings++;
      // Anything that is not a pino line (a crash, a stack trace) counts as an error too.
      if (line.trim() && (level === undefined || Number(level) >= 50)) errors.push(line);
    }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);

  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve();
    });
  });
  void exited.then(() => log.end());

  const stop = async (graceMs = 10_000) => {
    if (exit) return;
    child.kill('SIGTERM');
    const timer = sleep(graceMs).then(() => 'timeout' as const);
    if ((await Promise.race([exited, timer])) === 'timeout') {
      console.error(`${options.name} did not stop within ${graceMs} ms; sending SIGKILL`);
      child.kill('SIGKILL');
      await exited;
    }
  };

  const baseUrl = `http://127.0.0.1:${options.port}`;
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exit) {
      throw new Error(
        `${options.name} exited before it was ready (${exit.signal ?? exit.code}):\n${errors.join('\n')}`,
      );
    }
    const ready = options.readyAfterMs
      ? Date.now() - startedAt >= options.readyAfterMs
      : options.readyLine
        ? sawReadyLine
        : await fetch(`${baseUrl}${options.readyPath ?? '/readyz'}`, {
            signal: AbortSignal.timeout(2_000),
          }).then(
            (response) => response.ok,
            () => false,
          );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${options.name} was not ready within ${timeoutMs} ms`);
    }
    await sleep(options.readyLine || options.readyAfterMs ? 50 : 100);
  }
  return { baseUrl, child, errorLines: () => [...errors], warningCount: () => warnings, stop };
}

// --- a small HTTP client for setup ---

export interface ApiResponse {
  status: number;
  body: any;
}

export class ApiClient {
  constructor(readonly baseUrl: string) {}

  async request(
    method: string,
    path: string,
    options: { body?: unknown; token?: string } = {},
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = {};
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text for the error message
    }
    return { status: response.status, body };
  }

  /** A request that must answer `expected`; anything else throws with the response. */
  async expect(
    expected: number,
    method: string,
    path: string,
    options: { body?: unknown; token?: string } = {},
  ): Promise<any> {
    const { status, body } = await this.request(method, path, options);
    if (status !== expected) {
      throw new Error(
        `${method} ${path}: expected ${expected}, got ${status}: ${JSON.stringify(body)}`,
      );
    }
    return body;
  }
}

/** Maps `items` through `fn` with at most `limit` calls in flight, keeping the order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

// --- random choices ---

export const pick = <T>(items: readonly T[]): T => {
  if (items.length === 0) throw new Error('pick from an empty list');
  return items[Math.floor(Math.random() * items.length)]!;
};

/** A whole number from `min` to `max`, both included. */
export const between = (min: number, max: number) =>
  min + Math.floor(Math.random() * (max - min + 1));

/** `count` distinct items, or all of them when there are fewer. */
export function sample<T>(items: readonly T[], count: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, count);
}

// --- running autocannon and reading its result ---

/** Autocannon options a scenario chooses; the runner sets url, connections and duration. */
export type LoadOptions = Omit<autocannon.Options, 'url' | 'connections' | 'duration'>;

export interface RunSummary {
  scenario: string;
  connections: number;
  durationSeconds: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: { average: number; p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  status5xx: number;
  /** Socket errors, timeouts included (autocannon's count). */
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Non-2xx responses by `status code` (problem+json `code`), to tell a 409 from a 422. */
  failures: Record<string, number>;
}

/**
 * Runs autocannon once. Every request's responses are watched so that non-2xx answers are
 * counted by their problem `code`; an `onResponse` the scenario set still runs.
 */
export async function runLoad(
  scenario: string,
  options: LoadOptions & { url: string; connections: number; duration: number },
  signal?: AbortSignal,
): Promise<RunSummary> {
  const failures: Record<string, number> = {};
  const watch = (status: number, body: string) => {
    if (status >= 200 && status < 300) return;
    let code = '';
    try {
      const parsed = (JSON.parse(body) as { code?: unknown }).code;
      if (typeof parsed === 'string') code = parsed;
    } catch {
      // not problem+json
    }
    const key = code ? `${status} ${code}` : String(status);
    failures[key] = (failures[key] ?? 0) + 1;
  };
  const requests = (options.requests ?? [{}]).map((request) => {
    const own = request.onResponse;
    if (typeof own === 'string') return request;
    return {
      ...request,
      onResponse: (status: number, body: string, context: object, headers: any) => {
        watch(status, body);
        own?.(status, body, context, headers);
      },
    };
  });

  let stop = () => {};
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ ...options, requests }, (error, result) =>
      error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result),
    );
    stop = () => instance.stop();
    signal?.addEventListener('abort', stop, { once: true });
  }).finally(() => signal?.removeEventListener('abort', stop));
  return summarize(scenario, options.connections, result, failures);
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

export function summarize(
  scenario: string,
  connections: number,
  result: autocannon.Result,
  failures: Record<string, number>,
): RunSummary {
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) {
    statusCodes[code] = stat.count ?? 0;
  }
  return {
    scenario,
    connections,
    durationSeconds: result.duration,
    requests: result.requests.total,
    requestsPerSecond: round(result.requests.average, 1),
    latencyMs: {
      average: round(result.latency.average),
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    non2xx: result.non2xx,
    status5xx: result['5xx'],
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    failures,
  };
}

// --- printing ---

/** A plain text table: a header, a rule, the rows; numbers right-aligned. */
export function formatTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0)));
  const numeric = header.map((_, i) => rows.every((row) => typeof row[i] === 'number'));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.slice(1).map(line),
  ].join('\n');
}

export function resultsTable(summaries: readonly RunSummary[]): string {
  return formatTable(
    ['scenario', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'non-2xx', '5xx', 'errors'],
    summaries.map((s) => [
      s.scenario,
      s.connections,
      s.requestsPerSecond,
      s.latencyMs.p50,
      s.latencyMs.p99,
      s.requests,
      s.non2xx,
      s.status5xx,
      s.timeouts > 0 ? `${s.errors} (${s.timeouts} timeouts)` : s.errors,
    ]),
  );
}

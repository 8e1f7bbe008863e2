import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root: the CLI runs from here so `--import tsx` and `src/main.ts` resolve. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Every variable Ordo's config reads. The child gets none of them from the test's own
 * environment, so a CLI test always runs on the embedded default whatever the run uses.
 */
const ORDO_VARIABLES = [
  'NODE_ENV',
  'LOG_LEVEL',
  'LOG_FORMAT',
  'PORT',
  'HOST',
  'PUBLIC_URL',
  'DATABASE_URL',
  'REDIS_URL',
  'DATA_DIR',
  'JWT_SECRET',
  'CORS_ORIGINS',
  'SMTP_URL',
  'MAIL_FROM',
  'MAIL_TEMPLATES_DIR',
  'SHOP_CURRENCY',
  'SHIPPING_FLAT_RATE',
  'FREE_SHIPPING_OVER',
  'ORDER_PAYMENT_TTL',
  'ACCESS_TOKEN_TTL',
  'REFRESH_TOKEN_TTL',
  'REQUIRE_VERIFIED_EMAIL',
  'PAYMENT_PROVIDER',
  'PAYMENT_WEBHOOK_SECRET',
  'PAYMENT_WEBHOOK_URL',
  'GATEWAY_PORT',
  'GATEWAY_URL',
  'STRIPE_SECRET_KEY',
  'STRIPE_API_BASE',
  'RATE_LIMIT_AUTH',
  'JOB_RETRY_LIMIT',
  'JOB_RETRY_DELAY',
  'JOB_TIMEOUT',
  'JOB_POLL_INTERVAL',
  'RATE_LIMIT_PROMO',
  'RATE_LIMIT_PROMO_ADDRESS',
  'MAX_UNPAID_ORDERS',
  'MAX_UNITS_PER_PRODUCT',
  'METRICS_TOKEN',
];

/** A child environment: the parent's, minus Ordo's variables and NODE_OPTIONS, plus `env`. */
export function cliEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const child: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [...ORDO_VARIABLES, 'NODE_OPTIONS']) delete child[name];
  return { ...child, LOG_LEVEL: 'warn', ...env };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface OrdoProcess {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  /** Settles when the process has exited. */
  exited: Promise<Exit>;
}

const running = new Set<OrdoProcess>();

/** Starts `node --import tsx src/main.ts ...args` with a clean environment plus `env`. */
export function startOrdo(args: string[], env: Record<string, string>): OrdoProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: repoRoot,
    env: cliEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolve, reject) => {
    child.once('error', reject);
    // 'close' rather than 'exit': by then stdout and stderr are fully read.
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  const handle: OrdoProcess = {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
  };
  running.add(handle);
  void exited.finally(() => running.delete(handle)).catch(() => {});
  return handle;
}

export interface RunResult extends Exit {
  stdout: string;
  stderr: string;
}

/** Runs a command to completion. */
export async function runOrdo(args: string[], env: Record<string, string>): Promise<RunResult> {
  const ordo = startOrdo(args, env);
  const exit = await ordo.exited;
  return { ...exit, stdout: ordo.stdout, stderr: ordo.stderr };
}

/** Kills every CLI process a test started and still running, and waits for them to go. */
export async function killAllOrdo(): Promise<void> {
  const all = [...running];
  for (const ordo of all) ordo.child.kill('SIGKILL');
  await Promise.allSettled(all.map((ordo) => ordo.exited));
}

/**
 * Polls `GET /readyz` until it answers 200. Fails early when the process exits first, and
 * after `timeoutMs` otherwise, with the process's output in the message.
 */
export async function waitForReady(
  ordo: OrdoProcess,
  baseUrl: string,
  timeoutMs = 60_000,
): Promise<void> {
  let exit: Exit | undefined;
  void ordo.exited.then((e) => (exit = e)).catch(() => {});
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exit) {
      throw new Error(
        `ordo exited (${exit.signal ?? exit.code}) before it was ready:\n${ordo.stderr}${ordo.stdout}`,
      );
    }
    try {
      const response = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`ordo was not ready within ${timeoutMs} ms:\n${ordo.stderr}${ordo.stdout}`);
}

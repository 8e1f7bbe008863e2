import pg from 'pg';
import { errorText, type RunSummary } from './lib.js';
import { placeLimitOrder, type LimitOrderInput, type LimitSettings } from './limit-order.js';

/**
 * The "direct pg" limit: `connections` callers placing orders with the limit statement back to
 * back for `durationSeconds`, from this process (no HTTP anywhere), over `poolSize`
 * connections opened beforehand (Ordo's pool size; 0: one connection per caller). A caller's
 * latency includes waiting for a free connection, as a request's does in Ordo. Summarised like
 * an autocannon run: a placed order is a 2xx, a refused one (out of stock, unavailable) a
 * non-2xx, a thrown error (a lost connection) an error.
 *
 * Why a pool: 32 or 64 PostgreSQL backends on a 2-core machine place fewer orders than 10
 * (measured here at 32 callers: 371 orders/s with 32 connections, while the fastify + pg limit
 * on a pool of 10 placed 904/s), so one connection per caller would not be a limit.
 */
export async function runDirect(options: {
  scenario: string;
  databaseUrl: string;
  connections: number;
  poolSize: number;
  durationSeconds: number;
  settings: LimitSettings;
  next: () => LimitOrderInput;
  signal?: AbortSignal;
}): Promise<RunSummary> {
  const size =
    options.poolSize > 0 ? Math.min(options.poolSize, options.connections) : options.connections;
  const clients = await Promise.all(
    Array.from({ length: size }, async () => {
      const client = new pg.Client({ connectionString: options.databaseUrl });
      client.on('error', () => {}); // reported by the query that fails
      await client.connect();
      return client;
    }),
  );
  const free = [...clients];
  const waiting: ((client: pg.Client) => void)[] = [];
  const acquire = () =>
    new Promise<pg.Client>((resolve) => {
      const client = free.pop();
      if (client) resolve(client);
      else waiting.push(resolve);
    });
  const release = (client: pg.Client) => {
    const next = waiting.shift();
    if (next) next(client);
    else free.push(client);
  };
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  const statusCodes: Record<string, number> = {};
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const endAt = started + options.durationSeconds * 1000;
  try {
    await Promise.all(
      Array.from({ length: options.connections }, async () => {
        while (performance.now() < endAt && !options.signal?.aborted) {
          const begun = performance.now();
          const client = await acquire();
          try {
            const outcome = await placeLimitOrder(client, options.settings, options.next());
            const status = outcome.ok ? '201' : String(outcome.status);
            statusCodes[status] = (statusCodes[status] ?? 0) + 1;
            if (outcome.ok) latencies.push(performance.now() - begun);
            else {
              const key = `${outcome.status} ${outcome.code}`;
              failures[key] = (failures[key] ?? 0) + 1;
            }
          } catch (error) {
            errors += 1;
            firstError ??= errorText(error);
            if (errors > 1000) throw error;
          } finally {
            release(client);
          }
        }
      }),
    );
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => {})));
  }
  if (firstError) console.error(`[bench] ${options.scenario}: first error: ${firstError}`);
  const elapsedSeconds = (performance.now() - started) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  const rank = (p: number) =>
    sorted.length === 0
      ? 0
      : Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!);
  const non2xx = Object.values(failures).reduce((sum, n) => sum + n, 0);
  const requests = sorted.length + non2xx;
  return {
    scenario: options.scenario,
    connections: options.connections,
    durationSeconds: Math.round(elapsedSeconds * 100) / 100,
    requests,
    requestsPerSecond: Math.round((requests / elapsedSeconds) * 10) / 10,
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
    non2xx,
    status5xx: 0,
    errors,
    timeouts: 0,
    statusCodes,
    failures,
  };
}

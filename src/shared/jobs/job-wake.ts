import pg from 'pg';
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../../db/client.js';

/**
 * Wakes job workers when a job becomes ready, so they need not poll an idle queue twice a
 * second (13 queues at 500 ms were 26 queries a second and ~8% of a core doing nothing).
 *
 * A trigger on pg-boss's job table (`wakeTriggerSql`, pg-boss.adapter.ts) notifies `ordo_jobs`
 * for every job that becomes fetchable: sent (an insert), failed with a retry left (pg-boss
 * re-inserts it), or made due again (`retry`, an expired job). The notification is delivered at commit, so a job enqueued in a
 * transaction wakes a worker only once it is real, and one rolled back wakes nobody. Its
 * payload names the queue and how long until the job may start: a retry in 5 s sets a timer.
 *
 * PGlite runs in this process and hears its own notifications. On PostgreSQL one connection
 * per worker process LISTENs, so a job enqueued by any API process wakes every worker. While
 * that connection is down (a database restart), workers are woken on the configured polling
 * interval, as if they polled; once it is back every queue is woken to catch up. Workers still
 * poll on their own every `SAFETY_POLL_SECONDS`, for anything a notification missed.
 */

export const WAKE_CHANNEL = 'ordo_jobs';
/** The polling interval of a worker that is woken by notifications. */
export const SAFETY_POLL_SECONDS = 30;

export class JobWake {
  readonly #workers = new Map<string, string>(); // queue → its worker's id
  readonly #timers = new Map<string, NodeJS.Timeout>(); // one per queue and due time
  #stop: (() => Promise<void>) | undefined;
  #fallback: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    private readonly workers: { notifyWorker(id: string): void },
    private readonly database: Database,
    private readonly pollingIntervalSeconds: number,
    private readonly logger: FastifyBaseLogger,
  ) {}

  /** Registers a queue's worker: a notification for the queue wakes it. */
  add(queue: string, workerId: string): void {
    this.#workers.set(queue, workerId);
  }

  /** Wakes a queue's worker now: it fetches at once instead of at its next poll. */
  wake(queue: string): void {
    const id = this.#workers.get(queue);
    if (id) this.workers.notifyWorker(id);
  }

  wakeAll(): void {
    for (const queue of this.#workers.keys()) this.wake(queue);
  }

  async start(): Promise<void> {
    if (this.database.kind === 'pglite') {
      const unlisten = await this.database.client.listen(WAKE_CHANNEL, (payload) =>
        this.#onNotification(payload),
      );
      this.#stop = () => unlisten();
      return;
    }
    this.#listenPostgres(this.database.pool.options.connectionString);
  }

  /** LISTENs on a connection of its own, reconnecting with backoff; polls while it is down. */
  #listenPostgres(connectionString: string | undefined): void {
    let client: pg.Client | undefined;
    let retry: NodeJS.Timeout | undefined;
    let delayMs = 500;
    const connect = async () => {
      const next = new pg.Client({ connectionString, connectionTimeoutMillis: 5_000 });
      client = next;
      next.on('notification', (message) => this.#onNotification(message.payload ?? ''));
      next.on('error', (err) => {
        this.logger.warn({ err }, 'job wake-up connection failed; polling until it is back');
        lost(next);
      });
      next.on('end', () => lost(next));
      try {
        await next.connect();
        await next.query(`listen ${WAKE_CHANNEL}`);
        if (this.#stopped) return void next.end().catch(() => {});
        delayMs = 500;
        this.#setFallback(false);
        this.wakeAll(); // whatever was sent while nobody listened
      } catch (err) {
        if (!this.#stopped) this.logger.warn({ err }, 'job wake-up connection failed');
        lost(next);
      }
    };
    const lost = (which: pg.Client) => {
      if (client !== which || this.#stopped) return;
      client = undefined;
      which.end().catch(() => {});
      this.#setFallback(true);
      retry = setTimeout(() => void connect(), delayMs);
      delayMs = Math.min(delayMs * 2, 10_000);
    };
    this.#setFallback(true);
    void connect();
    this.#stop = async () => {
      clearTimeout(retry);
      const open = client;
      client = undefined;
      await open?.end().catch(() => {});
    };
  }

  #setFallback(on: boolean): void {
    clearInterval(this.#fallback);
    this.#fallback = on
      ? setInterval(() => this.wakeAll(), this.pollingIntervalSeconds * 1000).unref()
      : undefined;
  }

  #onNotification(payload: string): void {
    let message: { queue?: unknown; inMs?: unknown };
    try {
      message = JSON.parse(payload) as typeof message;
    } catch {
      return;
    }
    if (typeof message.queue !== 'string') return;
    const inMs = typeof message.inMs === 'number' ? message.inMs : 0;
    if (inMs <= 0) return this.wake(message.queue);
    this.#wakeAt(message.queue, Date.now() + inMs);
  }

  /**
   * A timer for a job that may start later (a retry after its backoff). Jobs due within the
   * same quarter second share one; a fetch takes a batch, and a full batch fetches again.
   */
  #wakeAt(queue: string, at: number): void {
    const due = Math.ceil(at / 250) * 250;
    const key = `${queue} ${due}`;
    if (this.#timers.has(key) || this.#timers.size >= 10_000) return; // the poll finds the rest
    // A little after the job's start: pg-boss fetches jobs whose start is strictly past.
    const timer = setTimeout(
      () => {
        this.#timers.delete(key);
        this.wake(queue);
      },
      Math.max(0, due - Date.now()) + 50,
    );
    timer.unref();
    this.#timers.set(key, timer);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#setFallback(false);
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    await this.#stop?.();
    this.#stop = undefined;
  }
}

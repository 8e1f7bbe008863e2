import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';

/**
 * One fetch-and-handle loop on a queue. `poll` fetches and handles a batch and says whether
 * another is likely waiting; otherwise the loop naps for `intervalMs` or until notified.
 */
export class QueueWorker {
  readonly id = randomUUID();
  /** The loops of the same queue, this one included. */
  siblings: readonly QueueWorker[] = [];
  done: Promise<void> = Promise.resolve();
  #stopping = false;
  #notified = false;
  #wakeUp: (() => void) | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly poll: () => Promise<boolean>,
  ) {}

  start(logger: FastifyBaseLogger): void {
    this.done = this.#loop(logger);
  }

  async #loop(logger: FastifyBaseLogger): Promise<void> {
    while (!this.#stopping) {
      this.#notified = false;
      let more = false;
      try {
        more = await this.poll();
      } catch (err) {
        // pg-boss's fetch answers [] when the database is away; this is anything else.
        logger.warn({ err }, 'job worker poll failed');
      }
      if (!more && !this.#notified && !this.#stopping) await this.#nap();
    }
  }

  #nap(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#wakeUp?.(), this.intervalMs);
      this.#wakeUp = () => {
        clearTimeout(timer);
        this.#wakeUp = undefined;
        resolve();
      };
    });
  }

  /** Waiting for its next poll (not fetching or handling a batch). */
  get napping(): boolean {
    return this.#wakeUp !== undefined;
  }

  notify(): void {
    this.#notified = true;
    this.#wakeUp?.();
  }

  stop(): void {
    this.#stopping = true;
    this.#wakeUp?.();
  }
}

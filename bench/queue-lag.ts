import { formatTable } from './lib.js';

/**
 * Queue lag: from an order's commit to its confirmation email arriving at the loopback SMTP
 * server, through the transactional enqueue, pg-boss polling, rendering and the SMTP hand-off.
 */

/** An order that a load run placed (a 201 response). */
export interface PlacedOrder {
  id: string;
  /**
   * The order's `createdAt` from the response body, in ms: the server's clock on this same
   * machine. It is taken just before the placing transaction begins, so it precedes the commit
   * by that transaction's time (a few ms; more when the run queues on row locks) and the lag
   * reads that much high. The client's response-received time would read low instead (the
   * job may already be running by then); createdAt is the stable, server-side choice.
   */
  createdAtMs: number;
}

/** The orders placed by the load currently running; the runner takes them after each run. */
export class PlacedOrders {
  #orders: PlacedOrder[] = [];
  /** 201 bodies that had no usable `id`/`createdAt` (should stay 0). */
  unreadable = 0;

  /** Records a 201 body of POST /api/v1/orders. */
  add(body: string): void {
    try {
      const { id, createdAt } = JSON.parse(body) as { id?: unknown; createdAt?: unknown };
      const createdAtMs = typeof createdAt === 'string' ? Date.parse(createdAt) : NaN;
      if (typeof id === 'string' && Number.isFinite(createdAtMs)) {
        this.#orders.push({ id, createdAtMs });
        return;
      }
    } catch {
      // counted below
    }
    this.unreadable += 1;
  }

  /** The orders recorded since the last call, and a fresh start. */
  take(): PlacedOrder[] {
    const orders = this.#orders;
    this.#orders = [];
    return orders;
  }
}

/**
 * The order id in a confirmation's Message-ID (`<order-confirmation.<orderId>@<domain>>`, see
 * `messageIdFor` in notifications.service); undefined for any other email (verification...).
 */
export function confirmedOrderId(messageId: string): string | undefined {
  return /^<order-confirmation\.([^@>]+)@/.exec(messageId)?.[1];
}

/** Confirmation emails received so far, by order id, read incrementally from the SMTP log. */
export class Confirmations {
  readonly #arrivals: readonly { messageId: string; at: number }[];
  readonly #byOrder = new Map<string, number>();
  #cursor = 0;

  /** `arrivals`: what the SMTP server received, first copies in arrival order (it grows). */
  constructor(arrivals: readonly { messageId: string; at: number }[]) {
    this.#arrivals = arrivals;
  }

  /** When the confirmation of `orderId` arrived, if it has. */
  arrivedAt(orderId: string): number | undefined {
    for (; this.#cursor < this.#arrivals.length; this.#cursor++) {
      const { messageId, at } = this.#arrivals[this.#cursor]!;
      const id = confirmedOrderId(messageId);
      if (id !== undefined) this.#byOrder.set(id, at);
    }
    return this.#byOrder.get(orderId);
  }
}

export interface LagSummary {
  scenario: string;
  connections: number;
  /**
   * Confirmations of earlier runs' orders (the warm-up's included) still outstanding when
   * this run's load started: a backlog this run's orders queued behind.
   */
  backlogAtStart: number;
  /** Orders the run placed (201s read back) and confirmations that arrived for them. */
  expected: number;
  delivered: number;
  /**
   * Nearest-rank percentiles of receivedAt − createdAt over every expected order. Null when
   * confirmations that had not arrived when the wait ended leave the value open; then
   * `lowerBoundMs` holds what it is at least.
   */
  lagMs: { p50: number | null; p99: number | null; max: number | null };
  lowerBoundMs: { p50?: number; p99?: number; max?: number };
  /** From the end of the load until the last confirmation arrived (or the wait gave up). */
  drainMs: number;
  complete: boolean;
}

/**
 * Waits until the confirmation of every order in `orders` has arrived, or `timeoutMs` after
 * `loadEndedAt`, or an abort; then summarizes the lag. Also returns the orders still waiting.
 */
export async function measureLag(options: {
  scenario: string;
  connections: number;
  backlogAtStart: number;
  orders: readonly PlacedOrder[];
  confirmations: Confirmations;
  loadEndedAt: number;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}): Promise<{ summary: LagSummary; unconfirmed: string[] }> {
  const { orders, confirmations } = options;
  let pending = orders.map((o) => o.id);
  const deadline = options.loadEndedAt + options.timeoutMs;
  for (;;) {
    pending = pending.filter((id) => confirmations.arrivedAt(id) === undefined);
    if (pending.length === 0 || Date.now() >= deadline || options.signal?.aborted) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const gaveUpAt = Date.now();

  // An undelivered order's lag is unknown but at least `gaveUpAt - createdAt`. A percentile
  // is exact when it comes out the same with those orders at that bound and at infinity;
  // otherwise the bound ranking gives a lower bound, so a missing email never flatters it.
  let lastArrival = options.loadEndedAt;
  const delivered: number[] = [];
  const bounds: number[] = [];
  for (const o of orders) {
    const at = confirmations.arrivedAt(o.id);
    if (at === undefined) {
      bounds.push(gaveUpAt - o.createdAtMs);
    } else {
      delivered.push(at - o.createdAtMs);
      lastArrival = Math.max(lastArrival, at);
    }
  }
  const low = [...delivered, ...bounds].sort((a, b) => a - b);
  const high = [...delivered.sort((a, b) => a - b), ...bounds.map(() => Infinity)];
  const lowerBoundMs: LagSummary['lowerBoundMs'] = {};
  const rank = (key: 'p50' | 'p99' | 'max', p: number): number | null => {
    if (low.length === 0) return null;
    const k = Math.max(0, Math.ceil((p / 100) * low.length) - 1);
    if (low[k] === high[k]) return low[k]!;
    lowerBoundMs[key] = low[k]!;
    return null;
  };
  const summary: LagSummary = {
    scenario: options.scenario,
    connections: options.connections,
    backlogAtStart: options.backlogAtStart,
    expected: orders.length,
    delivered: orders.length - pending.length,
    lagMs: { p50: rank('p50', 50), p99: rank('p99', 99), max: rank('max', 100) },
    lowerBoundMs,
    drainMs: (pending.length === 0 ? lastArrival : gaveUpAt) - options.loadEndedAt,
    complete: pending.length === 0,
  };
  return { summary, unconfirmed: pending };
}

export function lagTable(summaries: readonly LagSummary[]): string {
  const cell = (s: LagSummary, key: 'p50' | 'p99' | 'max') => {
    const value = s.lagMs[key];
    if (value !== null) return value;
    const bound = s.lowerBoundMs[key];
    return bound === undefined ? '-' : `>=${bound}`;
  };
  return formatTable(
    ['scenario', 'conns', 'backlog', 'delivered', 'p50 ms', 'p99 ms', 'max ms', 'drain ms'],
    summaries.map((s) => [
      s.scenario,
      s.connections,
      s.backlogAtStart,
      `${s.delivered}/${s.expected}`,
      cell(s, 'p50'),
      cell(s, 'p99'),
      cell(s, 'max'),
      s.drainMs,
    ]),
  );
}

import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/client.js';
import type { Clock } from '../shared/clock.js';

/** The longest an idle gateway sleeps between looking for payments to settle and webhooks to send. */
export const IDLE_TICK_MS = 2_000;

export interface GatewayOptions {
  db: Db;
  port: number;
  host?: string;
  /** Where events are posted; a function when it is known only once Ordo listens (`ordo serve`). */
  webhookUrl: string | (() => string);
  webhookSecret: string;
  /**
   * Where browsers reach the gateway's hosted payment pages (its own origin, never Ordo's):
   * `GATEWAY_PUBLIC_URL`, or the address it listens on.
   */
  publicUrl?: string | (() => string);
  clock: Clock;
  logger: FastifyBaseLogger;
  /** How long `pm_card_processing` stays processing before it succeeds. */
  settleAfterMs?: number;
  /** How often the delivery and settlement loops run while there is work (idle: see IDLE_TICK_MS). */
  tickMs?: number;
}

/**
 * What the background loop knows of work falling due. The parts that write a processing
 * intent or an event tell it here; the loop reads it to decide when to run next.
 */
export interface Schedule {
  stopped: boolean;
  /**
   * The earliest moment this process knows something falls due (a processing payment settles,
   * a delayed or retried webhook). The idle loop sleeps until then, and at most IDLE_TICK_MS:
   * what another gateway process left, or a clock moved by a test, is found within that.
   */
  nextDue: number;
  /**
   * When this process's processing payments settle. The settle query (a scan of the intents
   * by status) runs when one of them is due, or once per IDLE_TICK_MS for the others, not on
   * every tick that delivers webhooks.
   */
  settleTimes: number[];
  /** `performance.now()` of the last settle scan made for the others' payments. */
  lastSweep: number;
  /** Cuts the loop's sleep short, while it sleeps. */
  wake: (() => void) | undefined;
}

/**
 * The gateway's state: its settings and the one mutable part, the schedule. `startGateway`
 * makes one and hands it to every part (intents, idempotency, routes, delivery), so each part
 * can be run on its own with a state a test makes.
 */
export interface GatewayState {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: FastifyBaseLogger;
  readonly webhookUrl: () => string;
  readonly webhookSecret: string;
  readonly publicUrl: () => string;
  readonly settleAfterMs: number;
  readonly tickMs: number;
  readonly idleTickMs: number;
  readonly schedule: Schedule;
}

export function createGatewayState(options: Omit<GatewayOptions, 'port' | 'host'>): GatewayState {
  const { webhookUrl, publicUrl } = options;
  const tickMs = options.tickMs ?? 200;
  return {
    db: options.db,
    clock: options.clock,
    logger: options.logger,
    webhookUrl: typeof webhookUrl === 'string' ? () => webhookUrl : webhookUrl,
    webhookSecret: options.webhookSecret,
    publicUrl: typeof publicUrl === 'function' ? publicUrl : () => publicUrl ?? 'http://127.0.0.1',
    settleAfterMs: options.settleAfterMs ?? 1500,
    tickMs,
    idleTickMs: Math.max(tickMs, IDLE_TICK_MS),
    schedule: {
      stopped: false,
      nextDue: Number.POSITIVE_INFINITY,
      settleTimes: [],
      lastSweep: Number.NEGATIVE_INFINITY,
      wake: undefined,
    },
  };
}

/** Something falls due at `at`: the loop, if it sleeps past then, plans its sleep again. */
export function dueAt(gateway: GatewayState, at: Date): void {
  const { schedule } = gateway;
  if (at.getTime() >= schedule.nextDue) return;
  schedule.nextDue = at.getTime();
  schedule.wake?.();
}

/** A processing intent's settling, remembered so the settle scan runs when it is due. */
export function settlesAt(gateway: GatewayState, at: Date | null): void {
  if (!at) return;
  gateway.schedule.settleTimes.push(at.getTime());
  dueAt(gateway, at);
}

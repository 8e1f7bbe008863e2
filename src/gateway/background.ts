import type { GatewayState } from './gateway.state.js';
import { settleDue } from './intents.js';
import { deliverDue } from './webhook-delivery.js';

// The gateway's one background loop: it settles processing payments and delivers webhooks,
// every tickMs while it finds work; otherwise it sleeps until the schedule's next due moment,
// and at most idleTickMs. An idle gateway costs two queries per IDLE_TICK_MS, not ten a second.

/**
 * Whether this run scans for payments to settle: when one this process confirmed is due, or
 * once per idleTickMs for the others' (real time, not the clock: a test's clock moved back
 * must not stop the sweeps). The due ones are taken off the schedule.
 */
function settleScanDue(gateway: GatewayState, ranAt: number): boolean {
  const { schedule } = gateway;
  const sweep = performance.now() - schedule.lastSweep >= gateway.idleTickMs;
  if (sweep) schedule.lastSweep = performance.now();
  const due = schedule.settleTimes.filter((at) => at <= ranAt).length;
  if (!sweep && due === 0) return false;
  schedule.settleTimes.splice(
    0,
    schedule.settleTimes.length,
    ...schedule.settleTimes.filter((at) => at > ranAt),
  );
  return true;
}

/** One run of the loop: how long to sleep after it. */
export async function runOnce(gateway: GatewayState): Promise<number> {
  const { schedule, clock } = gateway;
  const ranAt = clock.now().getTime();
  const scan = settleScanDue(gateway, ranAt);
  let busy = false;
  try {
    busy = (scan ? await settleDue(gateway) : 0) + (await deliverDue(gateway)) > 0;
  } catch (error) {
    gateway.logger.warn({ err: error }, 'gateway background work failed');
  }
  if (schedule.nextDue <= ranAt) schedule.nextDue = Number.POSITIVE_INFINITY; // this run saw it
  if (busy) return gateway.tickMs;
  const untilDue = schedule.nextDue - clock.now().getTime();
  return Math.min(gateway.idleTickMs, Math.max(gateway.tickMs, untilDue));
}

/** Runs until `stopBackground`; the promise settles once the last run has finished. */
export async function runBackground(gateway: GatewayState): Promise<void> {
  const { schedule } = gateway;
  while (!schedule.stopped) {
    const sleepMs = await runOnce(gateway);
    if (schedule.stopped) break;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, sleepMs);
      schedule.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    schedule.wake = undefined;
  }
}

export function stopBackground(gateway: GatewayState): void {
  gateway.schedule.stopped = true;
  gateway.schedule.wake?.();
}

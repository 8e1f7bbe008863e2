/**
 * The one source of "now". Services take a Clock instead of calling `new Date()`,
 * so tests can move time (token lifetimes, promo windows, order expiry).
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that runs with real time but can be pushed forward, for end-to-end tests. */
export class OffsetClock implements Clock {
  #offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.#offsetMs);
  }

  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}

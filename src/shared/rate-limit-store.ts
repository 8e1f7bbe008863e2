import { createRequire } from 'node:module';
import type {
  FastifyRateLimitOptions,
  FastifyRateLimitStore,
  FastifyRateLimitStoreCtor,
} from '@fastify/rate-limit';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';

/**
 * The rate-limit store: Redis when it answers, so limits are shared by every process; this
 * process's memory while it does not, so a Redis outage never turns into 500s (each process
 * then limits on its own, which is looser by at most the number of processes). It goes back
 * to Redis by itself as soon as Redis answers again.
 */

type Store = FastifyRateLimitStore & {
  read(key: string, cb: Callback, timeWindow: number, max: number): void;
};
type Callback = Parameters<FastifyRateLimitStore['incr']>[1];
type RouteOptions = Parameters<FastifyRateLimitStore['child']>[0];

type StoreClass<A extends unknown[]> = new (...args: A) => Store;

// @fastify/rate-limit's own stores (plain CommonJS, no types of their own).
const require = createRequire(import.meta.url);
const RedisStore = require('@fastify/rate-limit/store/RedisStore.js') as StoreClass<
  [boolean, boolean, Redis, string]
>;
const LocalStore = require('@fastify/rate-limit/store/LocalStore.js') as StoreClass<
  [boolean, boolean, number]
>;

export function resilientStore(
  redis: Redis,
  logger: FastifyBaseLogger,
  nameSpace: string,
): FastifyRateLimitStoreCtor {
  let degraded = false;
  const fellBack = (error: Error) => {
    if (!degraded) logger.warn({ err: error }, 'rate limits in memory while Redis is unavailable');
    degraded = true;
  };

  class ResilientStore implements Store {
    readonly #shared: Store;
    readonly #local: Store;

    constructor(
      params: FastifyRateLimitOptions & {
        continueExceeding?: boolean;
        exponentialBackoff?: boolean;
      },
      stores?: { shared: Store; local: Store },
    ) {
      const continueExceeding = params.continueExceeding ?? false;
      const exponentialBackoff = params.exponentialBackoff ?? false;
      this.#shared =
        stores?.shared ?? new RedisStore(continueExceeding, exponentialBackoff, redis, nameSpace);
      this.#local = stores?.local ?? new LocalStore(continueExceeding, exponentialBackoff, 5000);
    }

    incr(key: string, cb: Callback, timeWindow: number, max: number) {
      this.#use('incr', key, cb, timeWindow, max);
    }

    read(key: string, cb: Callback, timeWindow: number, max: number) {
      this.#use('read', key, cb, timeWindow, max);
    }

    #use(method: 'incr' | 'read', key: string, cb: Callback, timeWindow: number, max: number) {
      if (redis.status !== 'ready') {
        fellBack(new Error(`redis is ${redis.status}`));
        this.#local[method](key, cb, timeWindow, max);
        return;
      }
      this.#shared[method](
        key,
        (error, result) => {
          if (!error) {
            if (degraded) logger.info('rate limits shared in Redis again');
            degraded = false;
            cb(null, result);
            return;
          }
          fellBack(error);
          this.#local[method](key, cb, timeWindow, max);
        },
        timeWindow,
        max,
      );
    }

    child(routeOptions: RouteOptions): Store {
      return new ResilientStore(
        {},
        {
          shared: this.#shared.child(routeOptions) as Store,
          local: this.#local.child(routeOptions) as Store,
        },
      );
    }
  }
  return ResilientStore;
}

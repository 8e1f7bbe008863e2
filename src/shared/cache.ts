import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

/**
 * A cache of values under a version number that writers bump. A value is stored under the
 * version it was read at, so bumping the version retires every value at once: nothing is
 * deleted, readers simply stop asking for the old keys (which expire after `ttlSeconds`).
 *
 * With Redis each version is one key (`INCR` on change, one `MGET` of them all per request)
 * and the values are shared by every process on that Redis; without it all live in this process, which is
 * right for the embedded default (one process owns the database) and for a single process on
 * PostgreSQL. With Redis, each process also keeps the values it has seen in memory: a value
 * stored under a version is never wanted again once the version moves on, so a copy keyed by
 * the version is as fresh as Redis's, and a hit costs no round trip and no JSON parsing.
 */
export interface VersionedCache<T, C extends string = never> {
  /**
   * The values' version and each counter's (see `counters`), read together: one `MGET` on
   * Redis. Read them once per request and pass `values` to `get` and `set`.
   */
  versions(): Promise<Versions<C>>;
  /**
   * Moves a version on. `values` (the default) retires every value stored so far; a counter
   * only moves, for callers that key their own copies by it. Call it after the change has
   * committed.
   */
  bump(counter?: 'values' | C): Promise<void>;
  get(version: number, key: string): Promise<T | undefined>;
  set(version: number, key: string, value: T): Promise<void>;
}

export type Versions<C extends string> = Record<'values' | C, number>;

export interface CacheOptions<T, C extends string = never> {
  /** Keeps apart the caches of different data on one Redis (for example one per database). */
  namespace: string;
  /** In-memory entries kept at most (least recently used go first). */
  maxEntries: number;
  /** In memory, also keep the values' total `weigh` within `maxWeight`. */
  weigh?: (value: T) => number;
  maxWeight?: number;
  /** How long a value of a retired version lingers before it expires. */
  ttlSeconds: number;
  /**
   * Versions kept beside the values' own, moved by other changes than the values' (the
   * catalog's stock, which every order moves, beside its product bodies).
   */
  counters?: readonly C[];
}

const VERSION_TTL_SECONDS = 7 * 24 * 3600;

function memoryValues<T extends object>(options: CacheOptions<T, string>): LRUCache<string, T> {
  const { weigh } = options;
  return new LRUCache<string, T>({
    max: options.maxEntries,
    ttl: options.ttlSeconds * 1000,
    ...(weigh && options.maxWeight
      ? { maxSize: options.maxWeight, sizeCalculation: (value: T) => Math.max(1, weigh(value)) }
      : {}),
  });
}

class MemoryCache<T extends object, C extends string> implements VersionedCache<T, C> {
  readonly #versions: Versions<C>;
  readonly #values: LRUCache<string, T>;

  constructor(options: CacheOptions<T, C>) {
    this.#values = memoryValues(options);
    this.#versions = Object.fromEntries(
      ['values', ...(options.counters ?? [])].map((name) => [name, 0]),
    ) as Versions<C>;
  }

  versions() {
    return Promise.resolve({ ...this.#versions });
  }

  bump(counter: 'values' | C = 'values') {
    this.#versions[counter] += 1;
    // Values of older versions are unreachable from now on: free them at once.
    if (counter === 'values') this.#values.clear();
    return Promise.resolve();
  }

  get(version: number, key: string) {
    return Promise.resolve(this.#values.get(`${version}:${key}`));
  }

  set(version: number, key: string, value: T) {
    if (version === this.#versions.values) this.#values.set(`${version}:${key}`, value);
    return Promise.resolve();
  }
}

class RedisCache<T extends object, C extends string> implements VersionedCache<T, C> {
  /** The counters' names and their keys, `values` first. */
  readonly #counters: readonly ('values' | C)[];
  readonly #versionKeys: string[];
  /** This process's copies of values it read or stored, by version and key. */
  readonly #local: LRUCache<string, T>;

  constructor(
    private readonly redis: Redis,
    private readonly options: CacheOptions<T, C>,
  ) {
    this.#counters = ['values', ...(options.counters ?? [])];
    this.#versionKeys = this.#counters.map((name) =>
      name === 'values' ? `${options.namespace}:version` : `${options.namespace}:version:${name}`,
    );
    this.#local = memoryValues(options);
  }

  async versions() {
    const numbers = await this.redis.mget(...this.#versionKeys);
    return Object.fromEntries(
      this.#counters.map((name, i) => [name, Number(numbers[i] ?? 0)]),
    ) as Versions<C>;
  }

  async bump(counter: 'values' | C = 'values') {
    const key = this.#versionKeys[this.#counters.indexOf(counter)]!;
    // The version key expires long after any value (so a database that is gone leaves no key
    // behind): once it has, the count starts again at 0, and no value of 0 is left by then.
    // A pipeline, not MULTI: one write either way, and each command stands alone (an EXPIRE
    // that failed after its INCR is refreshed by the next bump).
    const results = await this.redis.pipeline().incr(key).expire(key, VERSION_TTL_SECONDS).exec();
    const failed = results?.find(([error]) => error)?.[0];
    if (failed) throw failed;
  }

  async get(version: number, key: string) {
    const local = this.#local.get(this.#key(version, key));
    if (local) return local;
    const text = await this.redis.get(this.#key(version, key));
    if (text === null) return undefined;
    const value = JSON.parse(text) as T;
    this.#local.set(this.#key(version, key), value);
    return value;
  }

  async set(version: number, key: string, value: T) {
    this.#local.set(this.#key(version, key), value);
    await this.redis.set(
      this.#key(version, key),
      JSON.stringify(value),
      'EX',
      this.options.ttlSeconds,
    );
  }

  #key(version: number, key: string) {
    return `${this.options.namespace}:${version}:${key}`;
  }
}

export function createVersionedCache<T extends object, C extends string = never>(
  redis: Redis | undefined,
  options: CacheOptions<T, C>,
): VersionedCache<T, C> {
  return redis ? new RedisCache<T, C>(redis, options) : new MemoryCache<T, C>(options);
}

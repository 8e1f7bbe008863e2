import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

/**
 * A cache of values under a version number that writers bump. A value is stored under the
 * version it was read at, so bumping the version retires every value at once: nothing is
 * deleted, readers simply stop asking for the old keys (which expire after `ttlSeconds`).
 *
 * With Redis the version is one key (`INCR` on change, `GET` once per request) and the values
 * are shared by every process on that Redis; without it both live in this process, which is
 * right for the embedded default (one process owns the database) and for a single process on
 * PostgreSQL. With Redis, each process also keeps the values it has seen in memory: a value
 * stored under a version is never wanted again once the version moves on, so a copy keyed by
 * the version is as fresh as Redis's, and a hit costs no round trip and no JSON parsing.
 */
export interface VersionedCache<T> {
  /** The current version: read it once per request and pass it to `get` and `set`. */
  version(): Promise<number>;
  /** Retires every value stored so far. Call it after the change has committed. */
  bump(): Promise<void>;
  get(version: number, key: string): Promise<T | undefined>;
  set(version: number, key: string, value: T): Promise<void>;
}

export interface CacheOptions<T> {
  /** Keeps apart the caches of different data on one Redis (for example one per database). */
  namespace: string;
  /** In-memory entries kept at most (least recently used go first). */
  maxEntries: number;
  /** In memory, also keep the values' total `weigh` within `maxWeight`. */
  weigh?: (value: T) => number;
  maxWeight?: number;
  /** How long a value of a retired version lingers before it expires. */
  ttlSeconds: number;
}

const VERSION_TTL_SECONDS = 7 * 24 * 3600;

function memoryValues<T extends object>(options: CacheOptions<T>): LRUCache<string, T> {
  const { weigh } = options;
  return new LRUCache<string, T>({
    max: options.maxEntries,
    ttl: options.ttlSeconds * 1000,
    ...(weigh && options.maxWeight
      ? { maxSize: options.maxWeight, sizeCalculation: (value: T) => Math.max(1, weigh(value)) }
      : {}),
  });
}

class MemoryCache<T extends object> implements VersionedCache<T> {
  #version = 0;
  readonly #values: LRUCache<string, T>;

  constructor(options: CacheOptions<T>) {
    this.#values = memoryValues(options);
  }

  version() {
    return Promise.resolve(this.#version);
  }

  bump() {
    this.#version += 1;
    // Values of older versions are unreachable from now on: free them at once.
    this.#values.clear();
    return Promise.resolve();
  }

  get(version: number, key: string) {
    return Promise.resolve(this.#values.get(`${version}:${key}`));
  }

  set(version: number, key: string, value: T) {
    if (version === this.#version) this.#values.set(`${version}:${key}`, value);
    return Promise.resolve();
  }
}

class RedisCache<T extends object> implements VersionedCache<T> {
  readonly #versionKey: string;
  /** This process's copies of values it read or stored, by version and key. */
  readonly #local: LRUCache<string, T>;

  constructor(
    private readonly redis: Redis,
    private readonly options: CacheOptions<T>,
  ) {
    this.#versionKey = `${options.namespace}:version`;
    this.#local = memoryValues(options);
  }

  async version() {
    return Number((await this.redis.get(this.#versionKey)) ?? 0);
  }

  async bump() {
    // The version key expires long after any value (so a database that is gone leaves no key
    // behind): once it has, the count starts again at 0, and no value of 0 is left by then.
    await this.redis
      .multi()
      .incr(this.#versionKey)
      .expire(this.#versionKey, VERSION_TTL_SECONDS)
      .exec();
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

export function createVersionedCache<T extends object>(
  redis: Redis | undefined,
  options: CacheOptions<T>,
): VersionedCache<T> {
  return redis ? new RedisCache<T>(redis, options) : new MemoryCache<T>(options);
}

import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { createVersionedCache, type VersionedCache } from '../../shared/cache.js';

/**
 * The public catalog's read cache. Product bodies (name, price, description, images) are
 * cached under the catalog version, which every product change bumps after it commits; stock
 * and `updatedAt`, which every order changes, are not taken from the cache but read fresh for
 * the page's products in one primary-key query and laid over the cached bodies. So a read
 * after a write never serves an old price, name or image, and an order's stock change shows
 * on the next read, without orders emptying the cache.
 */

export type CacheCtx = Pick<AppContext, 'db' | 'redis' | 'logger'>;

/** A cached list page (or a product, as a page of one) without its fresh fields. */
export interface CatalogEntry<T> {
  items: T[];
  total: number;
}

/**
 * A value expires this long after it was stored: old versions' values go, and after a Redis
 * outage a body cached before an unbumped change is served this long at most.
 */
const TTL_SECONDS = 60;
const MAX_ENTRIES = 5_000;
/** In memory, products held at most over all cached pages (a product body is ~1 to 2 KB). */
const MAX_PRODUCTS = 20_000;

// One cache per Redis client (shared by every process on it), or per database in memory.
const caches = new WeakMap<object, Promise<VersionedCache<CatalogEntry<unknown>>>>();

/**
 * Several databases may share one Redis (tests do), so the Redis keys name the database by
 * what the database says it is, not by the URL a process reached it through: every process of
 * one shop finds the same keys, whatever host name or credentials its URL has.
 */
async function databaseName(ctx: CacheCtx): Promise<string> {
  // Both drivers answer a raw statement with `{ rows }`.
  const { rows } = (await ctx.db.execute<{ name: string; oid: number }>(
    sql`select current_database() as name, oid::int as oid from pg_database where datname = current_database()`,
  )) as { rows: { name: string; oid: number }[] };
  const row = rows[0];
  return row ? `${row.name}:${row.oid}` : 'unknown';
}

function catalogCache<T>(ctx: CacheCtx): Promise<VersionedCache<CatalogEntry<T>>> {
  const owner: object = ctx.redis ?? ctx.db;
  let cache = caches.get(owner);
  if (!cache) {
    const options = {
      maxEntries: MAX_ENTRIES,
      ttlSeconds: TTL_SECONDS,
      weigh: (entry: CatalogEntry<unknown>) => entry.items.length,
      maxWeight: MAX_PRODUCTS,
    };
    cache = ctx.redis
      ? databaseName(ctx).then((name) =>
          createVersionedCache(ctx.redis, { ...options, namespace: `ordo:catalog:${name}` }),
        )
      : Promise.resolve(createVersionedCache(undefined, { ...options, namespace: 'catalog' }));
    // A failed lookup is not kept: the next request tries again.
    cache.catch(() => caches.delete(owner));
    caches.set(owner, cache);
  }
  return cache as Promise<VersionedCache<CatalogEntry<T>>>;
}

// Caches whose last bump failed (Redis down): bumped again before their next read.
const unbumped = new WeakSet<object>();

/**
 * Retires every cached catalog body. Call after the product change has committed. When
 * Redis does not answer, the change stands (it has committed) and this process bumps again
 * before its next cached read; meanwhile reads come from the database (see `readThrough`),
 * and another process may serve bodies cached before the change until they expire (TTL).
 */
export async function catalogChanged(ctx: CacheCtx): Promise<void> {
  const cache = await catalogCache(ctx);
  try {
    await cache.bump();
    unbumped.delete(cache);
  } catch (error) {
    unbumped.add(cache);
    ctx.logger.warn({ err: error }, 'catalog cache version not bumped (Redis unavailable)');
  }
}

export interface Fresh {
  id: string;
  stock: number;
  updatedAt: Date;
}

/** The current version, or undefined when the cache cannot be trusted now (Redis down). */
async function currentVersion(
  ctx: CacheCtx,
  cache: VersionedCache<unknown>,
): Promise<number | undefined> {
  try {
    if (unbumped.has(cache)) {
      await cache.bump();
      unbumped.delete(cache);
    }
    return await cache.version();
  } catch (error) {
    ctx.logger.warn({ err: error }, 'catalog cache unavailable; reading the database');
    return undefined;
  }
}

/**
 * Serves `key` from the cache under the current version, or loads it (reading the version
 * first, so a value loaded during a change is stored under the version that change retires).
 * `fresh` reads stock and updatedAt of the given ids; `overlay` lays them on a cached item.
 * The ETag covers the version, the key and the fresh fields: it changes when a price, name
 * or image changes (version) and when stock changes. Without Redis answering, every read
 * loads from the database: the catalog is slower then, never wrong and never a 5xx.
 */
export async function readThrough<T extends { id: string }>(
  ctx: CacheCtx,
  key: string,
  load: () => Promise<CatalogEntry<T>>,
  fresh: (ids: string[]) => Promise<Fresh[]>,
  overlay: (item: T, fresh: Fresh) => T,
): Promise<{ entry: CatalogEntry<T>; etag: string }> {
  const cache = await catalogCache<T>(ctx);
  const version = await currentVersion(ctx, cache);
  const cached =
    version === undefined ? undefined : await cache.get(version, key).catch(() => undefined);
  let entry: CatalogEntry<T>;
  if (cached) {
    const rows = await fresh(cached.items.map((item) => item.id));
    const byId = new Map(rows.map((row) => [row.id, row]));
    entry = {
      total: cached.total,
      items: cached.items.map((item) => {
        const row = byId.get(item.id);
        return row ? overlay(item, row) : item;
      }),
    };
  } else {
    entry = await load();
    if (version !== undefined) await cache.set(version, key, entry).catch(() => {});
  }
  return { entry, etag: etagOf(version, key, entry.items as unknown as FreshFields[]) };
}

/** Reads that must not come from the cache still get an ETag of the same kind. */
export async function etagUncached(
  ctx: CacheCtx,
  key: string,
  items: readonly FreshFields[],
): Promise<string> {
  return etagOf(await currentVersion(ctx, await catalogCache(ctx)), key, items);
}

interface FreshFields {
  id: string;
  stock: number;
  updatedAt: string;
}

/**
 * Without a version (Redis down) the ETag rests on the rows alone: every product change moves
 * `updatedAt`, so it still changes with a price, a name or an image.
 */
function etagOf(version: number | undefined, key: string, items: readonly FreshFields[]): string {
  const hash = createHash('sha1').update(`${version ?? 'db'}\n${key}\n`);
  for (const item of items) hash.update(`${item.id}:${item.stock}:${item.updatedAt}\n`);
  return `W/"${version ?? 'db'}-${hash.digest('base64url').slice(0, 22)}"`;
}

/** Whether an `If-None-Match` header matches `etag` (weak comparison, lists, `*`). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => opaque(tag) === opaque(etag));
}

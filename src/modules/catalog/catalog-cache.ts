import { createHash } from 'node:crypto';
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

export type CacheCtx = Pick<AppContext, 'db' | 'redis' | 'config'>;

/** A cached list page (or a product, as a page of one) without its fresh fields. */
export interface CatalogEntry<T> {
  items: T[];
  total: number;
}

/** Old versions' values linger this long in Redis before they expire. */
const TTL_SECONDS = 300;
const MAX_ENTRIES = 5_000;

// One cache per Redis client (shared by every process on it), or per database in memory.
const caches = new WeakMap<object, VersionedCache<CatalogEntry<unknown>>>();

function catalogCache<T>(ctx: CacheCtx): VersionedCache<CatalogEntry<T>> {
  const owner: object = ctx.redis ?? ctx.db;
  let cache = caches.get(owner);
  if (!cache) {
    // Several databases may share one Redis (tests do): their catalogs must not mix.
    const database = createHash('sha1')
      .update(ctx.config.databaseUrl ?? 'embedded')
      .digest('hex')
      .slice(0, 16);
    cache = createVersionedCache(ctx.redis, {
      namespace: `ordo:catalog:${database}`,
      maxEntries: MAX_ENTRIES,
      ttlSeconds: TTL_SECONDS,
    });
    caches.set(owner, cache);
  }
  return cache as VersionedCache<CatalogEntry<T>>;
}

/** Retires every cached catalog body. Call after the product change has committed. */
export async function catalogChanged(ctx: CacheCtx): Promise<void> {
  await catalogCache(ctx).bump();
}

export interface Fresh {
  id: string;
  stock: number;
  updatedAt: Date;
}

/**
 * Serves `key` from the cache under the current version, or loads it (reading the version
 * first, so a value loaded during a change is stored under the version that change retires).
 * `fresh` reads stock and updatedAt of the given ids; `overlay` lays them on a cached item.
 * The ETag covers the version, the key and the fresh fields: it changes when a price, name
 * or image changes (version) and when stock changes.
 */
export async function readThrough<T extends { id: string }>(
  ctx: CacheCtx,
  key: string,
  load: () => Promise<CatalogEntry<T>>,
  fresh: (ids: string[]) => Promise<Fresh[]>,
  overlay: (item: T, fresh: Fresh) => T,
): Promise<{ entry: CatalogEntry<T>; etag: string }> {
  const cache = catalogCache<T>(ctx);
  const version = await cache.version();
  const cached = await cache.get(version, key);
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
    await cache.set(version, key, entry);
  }
  return { entry, etag: etagOf(version, key, entry.items as unknown as FreshFields[]) };
}

/** Reads that must not come from the cache still get an ETag of the same kind. */
export async function etagUncached(
  ctx: CacheCtx,
  key: string,
  items: readonly FreshFields[],
): Promise<string> {
  return etagOf(await catalogCache(ctx).version(), key, items);
}

interface FreshFields {
  id: string;
  stock: number;
  updatedAt: string;
}

function etagOf(version: number, key: string, items: readonly FreshFields[]): string {
  const hash = createHash('sha1').update(`${version}\n${key}\n`);
  for (const item of items) hash.update(`${item.id}:${item.stock}:${item.updatedAt}\n`);
  return `W/"${version}-${hash.digest('base64url').slice(0, 22)}"`;
}

/** Whether an `If-None-Match` header matches `etag` (weak comparison, lists, `*`). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => opaque(tag) === opaque(etag));
}

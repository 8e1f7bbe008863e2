import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { LRUCache } from 'lru-cache';
import { createVersionedCache, type VersionedCache, type Versions } from '../../shared/cache.js';

/**
 * The public catalog's read cache. Product bodies (name, price, description, images, options,
 * variants with their prices) are cached under the catalog version, which every product or
 * variant change bumps after it commits. Stock (the product's and each variant's) and
 * `updatedAt`, which every order changes, are read fresh for the page's products in one
 * query and laid over the cached bodies, and the answer (body text and ETag) is
 * kept in this process under both the catalog version and the stock version, which every
 * stock movement bumps after it commits (see `stockChanged`). So a read after a write never
 * serves an old price, name, image or stock level, orders do not empty the cache, and a read
 * while nothing changes costs one round trip to Redis for the versions and nothing else.
 */

export type CacheCtx = Pick<AppContext, 'db' | 'redis' | 'logger'>;

/** A cached list page (or a product, as a page of one) without its fresh fields. */
export interface CatalogEntry<T> {
  items: T[];
  total: number;
}

/** A public catalog read as it is sent: the body's JSON text and its ETag. */
export interface CatalogRead {
  json: string;
  etag: string;
}

/**
 * A value expires this long after it was stored: old versions' values go, and after a Redis
 * outage a body cached before an unbumped change is served this long at most.
 */
const TTL_SECONDS = 60;
const MAX_ENTRIES = 5_000;
/** In memory, products held at most over all cached pages (a product body is ~1 to 2 KB). */
const MAX_PRODUCTS = 20_000;
/**
 * Answers kept in this process, under both versions. They go after this long, so a stock
 * bump lost to a Redis outage or a crash between COMMIT and INCR shows at most this late.
 */
const ANSWER_TTL_MS = 10_000;
/** In memory, the answers' JSON text kept at most over all of them. */
const MAX_ANSWER_CHARS = 16 * 1024 * 1024;

interface Catalog {
  bodies: VersionedCache<CatalogEntry<unknown>, 'stock'>;
  answers: LRUCache<string, CatalogRead>;
}

// One cache per Redis client (shared by every process on it), or per database in memory.
const ownerOf = (ctx: CacheCtx): object => ctx.redis ?? ctx.db;
const caches = new WeakMap<object, Promise<Catalog>>();

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

function catalogCache(ctx: CacheCtx): Promise<Catalog> {
  const owner = ownerOf(ctx);
  let cache = caches.get(owner);
  if (!cache) {
    const options = {
      maxEntries: MAX_ENTRIES,
      ttlSeconds: TTL_SECONDS,
      weigh: (entry: CatalogEntry<unknown>) => entry.items.length,
      maxWeight: MAX_PRODUCTS,
      counters: ['stock'] as const,
    };
    const answers = new LRUCache<string, CatalogRead>({
      max: MAX_ENTRIES,
      ttl: ANSWER_TTL_MS,
      maxSize: MAX_ANSWER_CHARS,
      sizeCalculation: (read) => Math.max(1, read.json.length),
    });
    cache = (
      ctx.redis
        ? databaseName(ctx).then((name) =>
            createVersionedCache(ctx.redis, { ...options, namespace: `ordo:catalog:${name}` }),
          )
        : Promise.resolve(createVersionedCache(undefined, { ...options, namespace: 'catalog' }))
    ).then((bodies) => ({ bodies, answers }));
    // A failed lookup is not kept: the next request tries again.
    cache.catch(() => caches.delete(owner));
    caches.set(owner, cache);
  }
  return cache;
}

type Counter = 'values' | 'stock';

// Versions whose last bump failed (Redis down), by cache owner: bumped again before the
// cache's next read.
const unbumped = new WeakMap<object, Set<Counter>>();

/**
 * Bumps in flight, per cache owner and counter, and the one that will follow them. A bump asked
 * for while one is in flight joins the next, which is sent when the one in flight answers: it
 * starts after the asker's COMMIT, as its own would, so a read after the asker's answer sees a
 * version newer than its change. Under load a burst of orders costs one INCR per round trip to
 * Redis, not one each.
 */
interface BumpGroup {
  running?: Promise<void> | undefined;
  next?: Promise<void> | undefined;
}
const bumps = new WeakMap<object, Map<Counter, BumpGroup>>();

export function groupedBump(
  owner: object,
  counter: Counter,
  send: () => Promise<void>,
): Promise<void> {
  let byCounter = bumps.get(owner);
  if (!byCounter) bumps.set(owner, (byCounter = new Map<Counter, BumpGroup>()));
  let g = byCounter.get(counter);
  if (!g) byCounter.set(counter, (g = {}));
  const group = g;
  const start = (): Promise<void> =>
    (group.running = send().finally(() => {
      group.running = undefined;
    }));
  if (!group.running) return start();
  group.next ??= group.running
    .catch(() => undefined)
    .then(() => {
      group.next = undefined;
      return start();
    });
  return group.next;
}

/** Never throws: it runs after a COMMIT, whose caller must still hear that it committed. */
async function bump(ctx: CacheCtx, counter: Counter): Promise<void> {
  try {
    const { bodies } = await catalogCache(ctx);
    await groupedBump(ownerOf(ctx), counter, () => bodies.bump(counter));
    unbumped.get(ownerOf(ctx))?.delete(counter);
  } catch (error) {
    const failed = unbumped.get(ownerOf(ctx)) ?? new Set<Counter>();
    unbumped.set(ownerOf(ctx), failed.add(counter));
    ctx.logger.warn(
      { err: error, counter },
      'catalog cache version not bumped (Redis unavailable)',
    );
  }
}

/**
 * Retires every cached catalog body. Call after the product change has committed. When
 * Redis does not answer, the change stands (it has committed) and this process bumps again
 * before its next cached read; meanwhile reads come from the database (see `readThrough`),
 * and another process may serve bodies cached before the change until they expire (TTL).
 */
export function catalogChanged(ctx: CacheCtx): Promise<void> {
  return bump(ctx, 'values');
}

/**
 * Retires every answer laid over an older stock level: call once a stock movement (an order,
 * a release, a restock, an adjustment) has committed, before the change's caller answers, so a
 * read after that answer shows the new stock. In a transaction, through afterCommit (moveStock
 * does); after a statement that committed on its own, directly (placing an order does). Never
 * throws, like catalogChanged.
 */
export function stockChanged(ctx: CacheCtx): Promise<void> {
  return bump(ctx, 'stock');
}

/** stockChanged's afterCommit key: a transaction that moves stock many times bumps once. */
export const STOCK_CHANGED = 'catalog stock version';

/** A product's fields that orders change, read fresh on every cached read. */
export interface Fresh {
  id: string;
  stock: number;
  updatedAt: Date;
  /** Each variant's stock, by variant id. */
  variants: Map<string, number>;
}

/** The current versions, or undefined when the cache cannot be trusted now (Redis down). */
async function currentVersions(
  ctx: CacheCtx,
  bodies: Catalog['bodies'],
): Promise<Versions<'stock'> | undefined> {
  try {
    for (const counter of unbumped.get(ownerOf(ctx)) ?? []) {
      await bodies.bump(counter);
      unbumped.get(ownerOf(ctx))?.delete(counter);
    }
    return await bodies.versions();
  } catch (error) {
    ctx.logger.warn({ err: error }, 'catalog cache unavailable; reading the database');
    return undefined;
  }
}

/**
 * Answers `key` from this process's answers under the current versions, or from the cached
 * body with fresh stock laid over it, or loads it (reading the versions first, so a value
 * loaded during a change is stored under the version that change retires). `fresh` reads
 * stock and updatedAt of the given ids; `overlay` lays them on a cached item; `render` makes
 * the body sent. The ETag covers the version, the key and the fresh fields: it changes when a
 * price, name or image changes (version) and when stock changes, and every process computes
 * the same one. Without Redis answering, every read loads from the database: the catalog is
 * slower then, never wrong and never a 5xx.
 */
export async function readThrough<T extends { id: string }>(
  ctx: CacheCtx,
  key: string,
  load: () => Promise<CatalogEntry<T>>,
  fresh: (ids: string[]) => Promise<Fresh[]>,
  overlay: (item: T, fresh: Fresh) => T,
  render: (entry: CatalogEntry<T>) => unknown,
): Promise<CatalogRead> {
  const { bodies, answers } = await catalogCache(ctx);
  const versions = await currentVersions(ctx, bodies);
  if (versions === undefined) return answer(undefined, key, await load(), render);
  const answerKey = `${versions.values}:${versions.stock}:${key}`;
  const known = answers.get(answerKey);
  if (known) return known;

  const cached = (await bodies.get(versions.values, key).catch(() => undefined)) as
    CatalogEntry<T> | undefined;
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
    await bodies.set(versions.values, key, entry).catch(() => {});
  }
  const read = answer(versions.values, key, entry, render);
  answers.set(answerKey, read);
  return read;
}

/**
 * A catalog read that only the catalog version moves (the category tree, which no order
 * changes): its JSON text is cached under the version like a product body, as a one-item entry,
 * and kept in this process's answers. Its ETag is a hash of the text, so it is right, and the
 * same in every process, whether or not the version could be read. `load` answers the body as
 * the route's response schema types it.
 */
export async function readVersioned(
  ctx: CacheCtx,
  key: string,
  load: () => Promise<unknown>,
): Promise<CatalogRead> {
  const textRead = (json: string): CatalogRead => ({
    json,
    etag: `W/"t-${createHash('sha1').update(json).digest('base64url').slice(0, 22)}"`,
  });
  const { bodies, answers } = await catalogCache(ctx);
  const versions = await currentVersions(ctx, bodies);
  if (versions === undefined) return textRead(JSON.stringify(await load()));
  const answerKey = `${versions.values}:text:${key}`;
  const known = answers.get(answerKey);
  if (known) return known;
  const cached = await bodies.get(versions.values, `text:${key}`).catch(() => undefined);
  const text = cached?.items[0];
  const read = textRead(typeof text === 'string' ? text : JSON.stringify(await load()));
  if (typeof text !== 'string') {
    await bodies
      .set(versions.values, `text:${key}`, { items: [read.json], total: 1 })
      .catch(() => {});
  }
  answers.set(answerKey, read);
  return read;
}

function answer<T extends { id: string }>(
  version: number | undefined,
  key: string,
  entry: CatalogEntry<T>,
  render: (entry: CatalogEntry<T>) => unknown,
): CatalogRead {
  return {
    json: JSON.stringify(render(entry)),
    etag: etagOf(version, key, entry.items as unknown as FreshFields[]),
  };
}

/** Reads that must not come from the cache still get an ETag of the same kind. */
export async function etagUncached(
  ctx: CacheCtx,
  key: string,
  items: readonly FreshFields[],
): Promise<string> {
  const versions = await currentVersions(ctx, (await catalogCache(ctx)).bodies);
  return etagOf(versions?.values, key, items);
}

interface FreshFields {
  id: string;
  stock: number;
  updatedAt: string;
  variants?: readonly { id: string; stock: number }[];
}

/**
 * Without a version (Redis down) the ETag rests on the rows alone: every product change moves
 * `updatedAt`, so it still changes with a price, a name or an image.
 */
function etagOf(version: number | undefined, key: string, items: readonly FreshFields[]): string {
  const hash = createHash('sha1').update(`${version ?? 'db'}\n${key}\n`);
  for (const item of items) {
    hash.update(`${item.id}:${item.stock}:${item.updatedAt}\n`);
    for (const variant of item.variants ?? []) hash.update(`${variant.id}:${variant.stock}\n`);
  }
  return `W/"${version ?? 'db'}-${hash.digest('base64url').slice(0, 22)}"`;
}

/** Whether an `If-None-Match` header matches `etag` (weak comparison, lists, `*`). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => opaque(tag) === opaque(etag));
}

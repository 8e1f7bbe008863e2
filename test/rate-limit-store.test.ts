import fastifyRateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { resilientStore } from '../src/shared/rate-limit-store.js';
import { HttpClient } from './helpers/test-app.js';
import { freePort } from './helpers/wait.js';

// The rate-limit store on its own: a count shared in Redis by every process while Redis
// answers, this process's memory while it does not (never a 5xx), and Redis again by itself
// once it answers. Each "process" is an app of its own with its own Redis client, as `ordo api`
// processes are; the limit is 3 a minute on one key.

const MAX = 3;
const redisUrl = process.env.REDIS_URL;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A Redis client made as Ordo makes it (src/context.ts), connected or not. */
async function redisClient(url: string, connect = true): Promise<Redis> {
  const client = new Redis(url, {
    maxRetriesPerRequest: 2,
    enableOfflineQueue: false,
    lazyConnect: true,
  });
  client.on('error', () => {}); // a refused connection is what some tests want
  if (connect) await client.connect();
  cleanups.push(async () => client.disconnect());
  return client;
}

/** An app limited to MAX requests a minute on one key, counted in `resilientStore`. */
async function limitedApp(redis: Redis, nameSpace: string): Promise<HttpClient> {
  const app: FastifyInstance = Fastify();
  await app.register(fastifyRateLimit, {
    global: false,
    store: resilientStore(redis, pino({ level: 'silent' }), nameSpace),
  });
  app.get(
    '/limited',
    { config: { rateLimit: { max: MAX, timeWindow: '1 minute', keyGenerator: () => 'one' } } },
    async () => ({ ok: true }),
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  cleanups.push(() => app.close());
  const { port } = app.server.address() as { port: number };
  return new HttpClient(`http://127.0.0.1:${port}`);
}

const statuses = async (clients: HttpClient[], n: number) => {
  const seen = [];
  for (let i = 0; i < n; i++)
    seen.push((await clients[i % clients.length]!.get('/limited')).status);
  return seen;
};
const nameSpace = () => `ordo:rl-test:${Date.now()}-${Math.random().toString(36).slice(2)}:`;

describe('the rate-limit store', () => {
  it('limits from this process’s memory when Redis cannot be reached: each process allows the limit, then 429, never a 5xx', async () => {
    const nowhere = `redis://127.0.0.1:${await freePort()}`;
    const ns = nameSpace();
    const one = await limitedApp(await redisClient(nowhere, false), ns);
    const two = await limitedApp(await redisClient(nowhere, false), ns);
    expect(await statuses([one], MAX + 2)).toEqual([200, 200, 200, 429, 429]);
    // The other process counts on its own: looser by the number of processes, not unlimited.
    expect(await statuses([two], MAX + 1)).toEqual([200, 200, 200, 429]);
  });

  describe.skipIf(!redisUrl)('with Redis', () => {
    it('shares one count in Redis between processes', async () => {
      const ns = nameSpace();
      const one = await limitedApp(await redisClient(redisUrl!), ns);
      const two = await limitedApp(await redisClient(redisUrl!), ns);
      expect(await statuses([one, two], 2 * MAX)).toEqual([200, 200, 200, 429, 429, 429]);
      const reader = await redisClient(redisUrl!);
      const keys = await reader.keys(`${ns}*`);
      expect(keys).toHaveLength(1);
      expect(Number(await reader.get(keys[0]!))).toBe(2 * MAX);
    });

    it('falls back to memory while its Redis connection is down and shares in Redis again by itself once it is back', async () => {
      const ns = nameSpace();
      const redis = await redisClient(redisUrl!, false);
      const app = await limitedApp(redis, ns);
      const reader = await redisClient(redisUrl!);
      const shared = async () => {
        const keys = await reader.keys(`${ns}*`);
        return keys.length === 0 ? 0 : Number(await reader.get(keys[0]!));
      };
      // Not connected: counted in memory, limited there, nothing in Redis.
      expect(await statuses([app], MAX + 1)).toEqual([200, 200, 200, 429]);
      expect(await shared()).toBe(0);
      // Connected: the next requests are counted in Redis, from zero.
      await redis.connect();
      expect(await statuses([app], 2)).toEqual([200, 200]);
      expect(await shared()).toBe(2);
      // Down again: memory's count (already over the limit this minute) answers.
      redis.disconnect();
      expect(await statuses([app], 1)).toEqual([429]);
      expect(await shared()).toBe(2);
    });
  });
});

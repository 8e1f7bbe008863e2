import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { createContext, createLogger, type RunningContext } from '../src/context.js';
import type { Database } from '../src/db/client.js';
import { dropTestDatabase, openTestDatabase } from './helpers/test-app.js';

// Request logs as a process writes them: the app with request logging on (NODE_ENV is not
// `test`) and the logger `LOG_FORMAT` picks, writing into memory instead of stdout.

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void) {
    this.text += chunk.toString('utf8');
    done();
  }
  lines() {
    return this.text.split('\n').filter((line) => line.trim() !== '');
  }
}

const opened: { app: FastifyInstance; ctx: RunningContext; database: Database; url?: string }[] =
  [];
afterEach(async () => {
  for (const { app, ctx, database, url } of opened.splice(0)) {
    await app.close();
    await ctx.close();
    await database.close();
    await dropTestDatabase(url);
  }
});

async function appLoggingTo(env: Record<string, string>) {
  const config = loadConfig({
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789',
    ...env,
  });
  const out = new Capture();
  const { database, url } = await openTestDatabase();
  const ctx = await createContext(config, {
    database,
    migrate: false,
    logger: createLogger(config, out),
  });
  const app = await buildApp(ctx);
  opened.push({ app, ctx, database, ...(url ? { url } : {}) });
  return { app, out };
}

describe('request logs', () => {
  it('are JSON lines by default, each with the request id, which the response carries', async () => {
    const { app, out } = await appLoggingTo({});
    // A caller's id is kept when it is a plain token, so logs join across services.
    const given = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'lb-7f3a.9' } });
    expect(given.headers['x-request-id']).toBe('lb-7f3a.9');
    // One that is not (a space in it) is replaced by a fresh one, which the problem names too.
    const odd = await app.inject({
      url: '/api/v1/products/nope',
      headers: { 'x-request-id': 'two words' },
    });
    const fresh = odd.headers['x-request-id'] as string;
    expect(fresh).toMatch(/^req_/);
    expect(odd.json()).toMatchObject({ code: 'NOT_FOUND', requestId: fresh });

    const lines = out.lines().map((line) => JSON.parse(line) as Record<string, unknown>);
    const of = (id: string, msg: string) => lines.find((l) => l.requestId === id && l.msg === msg);
    expect(of('lb-7f3a.9', 'incoming request')).toMatchObject({
      level: 30,
      service: 'ordo',
      req: { method: 'GET', url: '/healthz' },
    });
    const done = of('lb-7f3a.9', 'request completed');
    expect(done).toMatchObject({ res: { statusCode: 200 } });
    expect(typeof done?.responseTime).toBe('number');
    expect(of(fresh, 'request completed')).toMatchObject({ res: { statusCode: 404 } });
    expect(lines.some((l) => l.requestId === 'two words')).toBe(false);
  });

  it('are readable lines with LOG_FORMAT=pretty, the request id first', async () => {
    const { app, out } = await appLoggingTo({ LOG_FORMAT: 'pretty' });
    await app.inject({ url: '/healthz', headers: { 'x-request-id': 'tty-42' } });
    const lines = out.lines();
    expect(lines.some((l) => l.startsWith('{'))).toBe(false);
    expect(lines).toContainEqual(
      expect.stringMatching(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[tty-42\] request completed$/),
    );
    // The details follow on their own indented lines.
    expect(out.text).toMatch(/\[tty-42\] request completed\n\s+res: \{\n\s+"statusCode": 200/);
  });

  it('LOG_FORMAT is json or pretty; anything else is one line naming it', () => {
    expect(loadConfig({}).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    let error: unknown;
    try {
      loadConfig({ LOG_FORMAT: 'yaml' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(['LOG_FORMAT: expected json or pretty']);
  });
});

#!/usr/bin/env node
import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createContext, type RunningContext } from './context.js';
import { ensureAdmin } from './modules/auth/auth.service.js';
import { SYSTEM_ACTOR } from './modules/auth/system-actor.js';
import { passwordWeakness } from './modules/auth/password-strength.js';
import { seedCatalog } from './modules/catalog/catalog.service.js';
import { listEmails } from './modules/notifications/notifications.service.js';
import { backup, restore } from './ops/backup.js';
import { serveClusterMetrics } from './shared/metrics.js';

const USAGE = `Usage: ordo <command> [options]

Commands:
  serve                       HTTP API, job worker and built-in payment gateway in one process (default)
  api [--processes N]         HTTP API only, N processes (PostgreSQL only)
  worker                      job worker only: emails, expiry, housekeeping (PostgreSQL only)
  gateway                     the built-in payment gateway alone, on GATEWAY_PORT (PostgreSQL only)
  mail [--limit N]            print the most recent emails (the embedded inbox)
  migrate                     apply database migrations and exit
  seed                        fill an empty catalog with demo products
  create-admin --email E --password P [--name N]
                              create an admin account, or promote an existing one
  backup FILE                 write the embedded database to FILE (refused while a server runs)
  restore FILE [--force]      load FILE into DATA_DIR (--force replaces a database there)

Configuration comes from environment variables; see .env.example.`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
      processes: { type: 'string' },
      limit: { type: 'string' },
      force: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0] ?? 'serve';
  if (values.help || command === 'help') {
    console.log(USAGE);
    return 0;
  }

  const config = loadConfig();
  switch (command) {
    case 'serve':
      return serve(config, { seedEmpty: !config.databaseUrl, worker: true });
    case 'api':
      return api(config, Number(values.processes ?? 1));
    case 'worker':
      return worker(config);
    case 'gateway':
      return gateway(config);
    case 'mail':
      return withContext(config, async (ctx) => {
        const { items, total } = await listEmails(
          ctx,
          {},
          { page: 1, pageSize: Number(values.limit ?? 10) },
        );
        for (const email of items.reverse()) {
          console.log(
            `--- ${email.sentAt}  ${email.kind}  ${email.messageId}\nTo: ${email.to}\nSubject: ${email.subject}\n\n${email.text}`,
          );
        }
        console.log(`(${items.length} of ${total} emails)`);
      });
    case 'migrate':
      return withContext(config, async (ctx) => {
        ctx.logger.info('migrations applied');
      });
    case 'seed':
      return withContext(config, async (ctx) => {
        const created = await seedCatalog(ctx, SYSTEM_ACTOR);
        console.log(
          created ? `created ${created} demo products` : 'catalog not empty; nothing seeded',
        );
      });
    case 'create-admin': {
      const { email, password } = values;
      if (!email || !password || password.length < 8) {
        console.error('create-admin needs --email and --password (at least 8 characters)');
        return 2;
      }
      const weakness = await passwordWeakness(password, [email, values.name]);
      if (weakness) {
        console.error(`create-admin: this password ${weakness}; choose another one`);
        return 2;
      }
      return withContext(config, async (ctx) => {
        const { user, created } = await ensureAdmin(ctx, { email, password, name: values.name });
        console.log(`${created ? 'created' : 'promoted'} admin ${user.email} (${user.id})`);
      });
    }
    case 'backup':
      return backup(config, positionals[1]);
    case 'restore':
      return restore(config, positionals[1], { force: values.force ?? false });
    default:
      console.error(`unknown command: ${command}\n\n${USAGE}`);
      return 2;
  }
}

async function withContext(
  config: Config,
  run: (ctx: RunningContext) => Promise<void>,
): Promise<number> {
  const ctx = await createContext(config);
  try {
    await run(ctx);
    return 0;
  } finally {
    await ctx.close();
  }
}

async function serve(
  config: Config,
  options: { seedEmpty: boolean; worker: boolean },
): Promise<number> {
  // `ordo serve` runs the built-in gateway in-process, posting webhooks back to this process
  // (at the port it listens on, known once it does).
  const inProcessGateway = options.worker && config.paymentProvider === 'builtin';
  const ctx = await createContext(
    config,
    inProcessGateway
      ? {
          gateway: {
            webhookUrl: () =>
              config.paymentWebhookUrl ??
              `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/v1/webhooks/payments/builtin`,
          },
        }
      : {},
  );
  if (options.seedEmpty) {
    const created = await seedCatalog(ctx, SYSTEM_ACTOR);
    if (created) ctx.logger.info({ created }, 'first start: demo catalog created');
  }
  const app = await buildApp(ctx);
  const stopped = untilShutdown(ctx, async () => {
    await app.close();
    if (options.worker) await ctx.jobs.stop();
  });
  await app.listen({ port: config.port, host: config.host });
  if (options.worker) await ctx.jobs.startWorker(ctx);
  return stopped;
}

async function gateway(config: Config): Promise<number> {
  if (!config.databaseUrl) {
    console.error(
      'ordo gateway runs on PostgreSQL only: set DATABASE_URL (ordo serve runs the gateway in-process)',
    );
    return 2;
  }
  // Its own process: listen on HOST (0.0.0.0 in a container), so API and worker processes on
  // other hosts reach it at GATEWAY_URL.
  const ctx = await createContext(config, { gateway: { host: config.host } });
  return untilShutdown(ctx, async () => {});
}

async function worker(config: Config): Promise<number> {
  if (!config.databaseUrl) {
    console.error(
      'ordo worker runs on PostgreSQL only: set DATABASE_URL (ordo serve runs the worker in-process)',
    );
    return 2;
  }
  const ctx = await createContext(config);
  const stopped = untilShutdown(ctx, () => ctx.jobs.stop());
  await ctx.jobs.startWorker(ctx);
  ctx.logger.info('worker started');
  return stopped;
}

/**
 * Settles on SIGTERM or SIGINT, once the process has stopped taking work, finished (or handed
 * back) what was running and closed: with 0, or 1 when that failed. A long-running command
 * returns this, so `main` exits when it settles.
 */
function untilShutdown(ctx: RunningContext, drain: () => Promise<void>): Promise<number> {
  // A dependency going away must not end a long-running process: a promise the job runtime
  // (pg-boss) leaves rejected when PostgreSQL drops its connection is logged, and the runtime
  // and the pool recover when the database is back (test/faults/database-restart.test.ts).
  process.on('unhandledRejection', (error) => {
    ctx.logger.error({ err: error }, 'unhandled rejection; the process keeps running');
  });
  return new Promise((resolve) => {
    const stop = once(async (signal: string) => {
      ctx.logger.info({ signal }, 'shutting down');
      try {
        await drain();
        await ctx.close();
        resolve(0);
      } catch (error) {
        ctx.logger.error({ err: error }, 'unclean shutdown');
        resolve(1);
      }
    });
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
  });
}

async function api(config: Config, processes: number): Promise<number> {
  if (!config.databaseUrl) {
    console.error(
      'ordo api runs on PostgreSQL only: set DATABASE_URL (the embedded database has one writer; use ordo serve)',
    );
    return 2;
  }
  if (!Number.isInteger(processes) || processes < 1 || processes > 64) {
    console.error('--processes must be a whole number from 1 to 64');
    return 2;
  }
  if (processes > 1 && cluster.isPrimary) return supervise(processes);
  return serve(config, { seedEmpty: false, worker: false });
}

/**
 * The primary of `ordo api --processes N`: keeps N API processes running (a crashed one is
 * replaced), sums their metrics when one of them is scraped, forwards SIGTERM and SIGINT to
 * them, and settles with 0 once they have all exited.
 */
function supervise(processes: number): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    // A scrape of /metrics lands on one process, which asks here for the sum over all of them.
    serveClusterMetrics();
    for (let i = 0; i < processes; i++) cluster.fork();
    const alive = () => Object.keys(cluster.workers ?? {}).length;
    cluster.on('exit', (worker, code, signal) => {
      const deliberate = stopping || code === 0 || signal === 'SIGTERM' || signal === 'SIGINT';
      if (!deliberate) {
        console.error(
          `api process ${worker.process.pid} exited (${signal ?? code}); starting another`,
        );
        cluster.fork();
      } else if (stopping && alive() === 0) resolve(0);
    });
    const forward = (signal: NodeJS.Signals) => () => {
      stopping = true;
      if (alive() === 0) resolve(0);
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill(signal);
    };
    process.on('SIGTERM', forward('SIGTERM'));
    process.on('SIGINT', forward('SIGINT'));
  });
}

function once<T extends unknown[]>(fn: (...args: T) => Promise<void>) {
  let running: Promise<void> | undefined;
  return (...args: T) => (running ??= fn(...args));
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) {
      for (const line of error.problems) console.error(`config: ${line}`);
    } else {
      console.error(error instanceof Error ? error.message : error);
    }
    process.exit(1);
  },
);

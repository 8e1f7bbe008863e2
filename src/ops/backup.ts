import { existsSync } from 'node:fs';
import { readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Config } from '../config.js';
import { lockDataDir } from '../db/data-dir-lock.js';

/**
 * `ordo backup FILE` and `ordo restore FILE` for the embedded database (PGlite under
 * DATA_DIR/pglite). Both take DATA_DIR's lock first, so neither runs beside a server: the
 * embedded database has one writer, and a copy taken under a running server could be torn.
 * They refuse instead, naming the process to stop. On PostgreSQL they refuse too: pg_dump and
 * pg_restore are the tools there.
 *
 * A backup is PGlite's data directory dump (a gzipped tar), taken after a CHECKPOINT, written
 * to FILE through a temporary file and a rename, so FILE is never half written. It holds the
 * whole database (catalog, orders, payments, jobs, the email log, the gateway's state) and not
 * DATA_DIR/jwt-secret, which signs sessions and emailed links: keep that file with the backup.
 *
 * Each returns the process's exit code: 0 done, 1 refused or failed (why is on stderr), 2 a
 * usage error (no FILE, or DATABASE_URL set).
 */

type Out = { log(line: string): void; error(line: string): void };

class Refused extends Error {}

const pgliteDir = (config: Config) => join(config.dataDir, 'pglite');

function usable(config: Config, command: 'backup' | 'restore', file: string | undefined, out: Out) {
  if (config.databaseUrl) {
    out.error(
      command === 'backup'
        ? 'ordo backup is for the embedded database; with DATABASE_URL use pg_dump (for example pg_dump --format=custom --file=ordo.dump "$DATABASE_URL")'
        : 'ordo restore is for the embedded database; with DATABASE_URL use pg_restore (for example pg_restore --clean --if-exists --dbname="$DATABASE_URL" ordo.dump)',
    );
    return false;
  }
  if (!file) {
    out.error(`ordo ${command} needs a FILE: ordo ${command} FILE`);
    return false;
  }
  return true;
}

/** DATA_DIR's lock, or a Refused naming the process that holds it. */
function lock(config: Config, command: 'backup' | 'restore'): () => void {
  try {
    return lockDataDir(config.dataDir);
  } catch (error) {
    const holder = /\(pid (\d+)\)/.exec(error instanceof Error ? error.message : '')?.[1];
    if (!holder) throw error;
    throw new Refused(
      `ordo ${command}: DATA_DIR ${config.dataDir} is in use by a running Ordo process (pid ${holder}). ` +
        `The embedded database has one writer and a ${command} must not race it: stop that process (SIGTERM), ` +
        `run ordo ${command} again, then start it.`,
    );
  }
}

async function run(out: Out, work: () => Promise<void>): Promise<number> {
  try {
    await work();
    return 0;
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    out.error(error.message);
    return 1;
  }
}

export async function backup(
  config: Config,
  file: string | undefined,
  out: Out = console,
): Promise<number> {
  if (!usable(config, 'backup', file, out)) return 2;
  const target = resolve(file!);
  return run(out, async () => {
    const unlock = lock(config, 'backup');
    try {
      if (!existsSync(join(pgliteDir(config), 'PG_VERSION'))) {
        throw new Refused(
          `ordo backup: there is no embedded database in ${pgliteDir(config)}: nothing to back up`,
        );
      }
      if (!existsSync(dirname(target))) {
        throw new Refused(`ordo backup: the folder ${dirname(target)} does not exist`);
      }
      const client = await PGlite.create({ dataDir: pgliteDir(config) });
      let dump: Blob;
      let orders: number;
      try {
        // Every page on disk, so the copy needs no recovery when it is restored.
        await client.exec('CHECKPOINT');
        orders = await countOrders(client);
        dump = await client.dumpDataDir('gzip');
      } finally {
        await client.close();
      }
      const partial = `${target}.partial-${process.pid}`;
      try {
        await writeFile(partial, Buffer.from(await dump.arrayBuffer()), { mode: 0o600 });
        await rename(partial, target);
      } finally {
        await rm(partial, { force: true });
      }
      out.log(`backed up ${pgliteDir(config)} to ${target} (${dump.size} bytes, ${orders} orders)`);
      out.log(`keep ${join(config.dataDir, 'jwt-secret')} with it: the backup does not hold it`);
    } finally {
      unlock();
    }
  });
}

export async function restore(
  config: Config,
  file: string | undefined,
  options: { force: boolean },
  out: Out = console,
): Promise<number> {
  if (!usable(config, 'restore', file, out)) return 2;
  const source = resolve(file!);
  return run(out, async () => {
    const unlock = lock(config, 'restore');
    try {
      const current = pgliteDir(config);
      const occupied = existsSync(current) && (await readdir(current)).length > 0;
      if (occupied && !options.force) {
        throw new Refused(
          `ordo restore: ${current} already holds a database. Pass --force to replace it (it is kept beside, as ${current}.before-restore-<time>).`,
        );
      }
      let bytes: Buffer;
      try {
        bytes = await readFile(source);
      } catch (error) {
        throw new Refused(`ordo restore: cannot read ${source} (${(error as Error).message})`);
      }
      // Unpacked and checked beside the current database; it takes its place only when whole.
      const incoming = `${current}.restoring-${process.pid}`;
      await rm(incoming, { recursive: true, force: true });
      let orders: number;
      try {
        let client: PGlite;
        try {
          client = await PGlite.create({
            dataDir: incoming,
            loadDataDir: new Blob([new Uint8Array(bytes)]),
          });
        } catch (error) {
          throw new Refused(
            `ordo restore: ${source} is not a backup of the embedded database (${(error as Error).message})`,
          );
        }
        try {
          orders = await countOrders(client).catch(() => {
            throw new Refused(`ordo restore: ${source} is a database, but not an Ordo one`);
          });
        } finally {
          await client.close();
        }
        if (occupied) {
          const aside = `${current}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
          await rename(current, aside);
          out.log(`the database that was in ${current} is now in ${aside}`);
        } else {
          await rm(current, { recursive: true, force: true });
        }
        await rename(incoming, current);
      } finally {
        await rm(incoming, { recursive: true, force: true });
      }
      out.log(`restored ${source} into ${current} (${orders} orders); start Ordo to use it`);
      if (!config.jwtSecret && !existsSync(join(config.dataDir, 'jwt-secret'))) {
        out.log(
          `${join(config.dataDir, 'jwt-secret')} is missing: put back the one kept with the backup, or a new one is generated at start (everyone signs in again; emailed links stop working)`,
        );
      }
    } finally {
      unlock();
    }
  });
}

async function countOrders(client: PGlite): Promise<number> {
  const result = await client.query<{ n: number }>('select count(*)::int as n from orders');
  return result.rows[0]!.n;
}

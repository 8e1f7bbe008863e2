import { writeFile, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { prepareDatabase } from '../../src/context.js';
import { openDatabase, type Database } from '../../src/db/client.js';

const prepare = (database: Database) =>
  prepareDatabase(database, loadConfig({ NODE_ENV: 'test' }), pino({ level: 'silent' }));

declare module 'vitest' {
  export interface ProvidedContext {
    /** PostgreSQL: the migrated template database each test file copies. */
    pgTemplate: string;
    /** PGlite: a dump of a migrated data directory each test file restores. */
    pgliteDump: string;
    runId: string;
  }
}

/**
 * Migrates once per run. On PostgreSQL (DATABASE_URL set) into a template database that each
 * test file clones; on PGlite into a data-directory dump that each test file restores.
 */
export default async function setup(project: TestProject) {
  const runId = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  project.provide('runId', runId);
  const url = process.env.DATABASE_URL;

  if (url) {
    const template = `ordo_tmpl_${runId}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${template}`);
    const database = await openDatabase({ databaseUrl: withDatabase(url, template), poolSize: 2 });
    await prepare(database);
    await database.close();
    project.provide('pgTemplate', template);
    project.provide('pgliteDump', '');
    return async () => {
      const { rows } = await admin.query<{ datname: string }>(
        `select datname from pg_database where datname like $1`,
        [`ordo_%${runId}%`],
      );
      for (const { datname } of rows) {
        await admin.query(`drop database if exists ${datname} with (force)`);
      }
      await admin.end();
    };
  }

  const dir = await mkdtemp(join(tmpdir(), 'ordo-test-'));
  const database = await openDatabase({});
  await prepare(database);
  if (database.kind !== 'pglite') throw new Error('expected PGlite');
  const dump = await database.client.dumpDataDir('none');
  await database.close();
  const path = join(dir, 'migrated.tar');
  await writeFile(path, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgTemplate', '');
  project.provide('pgliteDump', path);
  return () => rm(dir, { recursive: true, force: true });
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

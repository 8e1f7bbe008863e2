import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { prepareDatabase } from '../src/context.js';
import { openDatabase, queryRows, type Database } from '../src/db/client.js';
import {
  restoreEmbeddedTemplate,
  templateFingerprint,
  writeEmbeddedTemplate,
} from '../src/db/embedded-template.js';
import { openTestDatabase } from './helpers/test-app.js';

// A fresh DATA_DIR starts from a template (`npm run build` writes it): restored, it must be the
// database a normal first start would have migrated, and it is used only when it matches.

const config = loadConfig({ NODE_ENV: 'test' });
const logger = pino({ level: 'silent' });

/** Everything the migrations and the job install decide, as comparable rows. */
async function shape(database: Database) {
  const q = <T>(query: ReturnType<typeof sql>) => queryRows<T>(database.db, query);
  const schemas = sql`('public', 'pgboss', 'gateway', 'drizzle')`;
  return {
    migrations: await q(sql`select hash, created_at from drizzle.__drizzle_migrations order by id`),
    columns:
      await q(sql`select table_schema, table_name, column_name, data_type, is_nullable, column_default
      from information_schema.columns where table_schema in ${schemas}
       and table_name not like 'j%' order by 1, 2, 3`),
    indexes: await q(sql`select schemaname, tablename, indexname, indexdef from pg_indexes
      where schemaname in ${schemas} and tablename not like 'j%' order by 1, 2, 3`),
    triggers: await q(sql`select tgname, tgrelid::regclass::text as rel from pg_trigger
      where not tgisinternal and tgrelid::regclass::text not like 'pgboss.j%' order by 1, 2`),
    pgboss: await q(sql`select version from pgboss.version`),
    queues: await q(sql`select name, retry_limit, retry_delay, retry_backoff, expire_seconds
      from pgboss.queue order by name`),
  };
}

describe.skipIf(process.env.DATABASE_URL)('embedded template', () => {
  let dir: string;
  let templateDir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ordo-template-'));
    templateDir = join(dir, 'template');
    // Built on the run's migrated dump (initdb is slow), through the build's own steps.
    const dump = new Blob([await readFile(inject('pgliteDump'))]);
    await writeEmbeddedTemplate(async (dataDir) => {
      const database = await openDatabase({ dataDir, loadDataDir: dump });
      try {
        await prepareDatabase(database, config, logger);
      } finally {
        await database.close();
      }
    }, templateDir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a data directory restored from it has the schema, migrations and queues of a normal migrate', async () => {
    const dataDir = join(dir, 'restored');
    expect(restoreEmbeddedTemplate(dataDir, templateDir)).toBe(true);
    const restored = await openDatabase({ dataDir });
    const normal = (await openTestDatabase()).database;
    try {
      await prepareDatabase(restored, config, logger); // what a start runs after the restore
      const [got, want] = [await shape(restored), await shape(normal)];
      expect(got.migrations.length).toBeGreaterThan(0);
      expect(got.queues.length).toBeGreaterThan(0);
      expect(got).toEqual(want);
    } finally {
      await restored.close();
      await normal.close();
    }
  });

  it('is used only for an empty data directory, and only when its fingerprint is current', () => {
    // A data directory that holds anything is left alone.
    const used = join(dir, 'used');
    mkdirSync(used);
    writeFileSync(join(used, 'PG_VERSION'), '17\n');
    expect(restoreEmbeddedTemplate(used, templateDir)).toBe(false);
    expect(readdirSync(used)).toEqual(['PG_VERSION']);

    // A template built from other migrations (or engine versions) is not used.
    writeFileSync(join(templateDir, 'fingerprint'), `${'0'.repeat(64)}\n`);
    const fresh = join(dir, 'fresh');
    expect(restoreEmbeddedTemplate(fresh, templateDir)).toBe(false);
    expect(existsSync(fresh)).toBe(false);

    writeFileSync(join(templateDir, 'fingerprint'), `${templateFingerprint()}\n`);
    expect(restoreEmbeddedTemplate(fresh, templateDir)).toBe(true);
    expect(readdirSync(fresh)).toContain('PG_VERSION');
    // No staging copy is left beside it.
    expect(readdirSync(dir).filter((name) => name.includes('restoring'))).toEqual([]);
  });
});

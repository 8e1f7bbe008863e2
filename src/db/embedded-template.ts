import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrationsFolder } from './client.js';

/**
 * A migrated embedded data directory, built once by `npm run build` (build-embedded-template.ts)
 * and copied into a fresh DATA_DIR at first start: initdb, Ordo's migrations and pg-boss's
 * schema and queues are done already, so a first start costs what a restart does.
 *
 * The template is used only when its fingerprint (the migration files, the pg-boss schema
 * version and the PGlite version it was built with) is the current one; otherwise the data
 * directory is created and migrated as before. Migrations and the job install still run after
 * a restore: they find nothing to do, or bring queue settings in line with the config.
 */

// Resolves from src/db and dist/db alike: the template is a build output in dist/.
export const embeddedTemplateDir = fileURLToPath(
  new URL('../../dist/embedded-template', import.meta.url),
);

const require = createRequire(import.meta.url);

/** What a template must have been built from to be used: the migrations and both engines' versions. */
export function templateFingerprint(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(migrationsFolder)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    hash.update(file).update(readFileSync(join(migrationsFolder, file)));
  }
  hash.update(readFileSync(join(migrationsFolder, 'meta', '_journal.json')));
  hash.update(`pg-boss schema ${(require('pg-boss/version.json') as { schema: number }).schema}`);
  hash.update(`pglite ${packageVersion('@electric-sql/pglite')}`);
  return hash.digest('hex');
}

function packageVersion(name: string): string {
  // The package's own package.json is not exported; find it above its entry point.
  let dir = dirname(require.resolve(name));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string })
    .version;
}

const DATA = 'pgdata';
const FINGERPRINT = 'fingerprint';

/**
 * Copies the template into `dataDir` when `dataDir` holds no database yet and the template
 * matches this build. The copy goes to a sibling directory first and is renamed into place,
 * so an interrupted restore leaves no half database behind. Returns whether it restored.
 */
export function restoreEmbeddedTemplate(
  dataDir: string,
  templateDir: string = embeddedTemplateDir,
): boolean {
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) return false;
  if (!isUsableTemplate(templateDir)) return false;
  const staging = `${dataDir}.restoring-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  cpSync(join(templateDir, DATA), staging, { recursive: true });
  rmSync(dataDir, { recursive: true, force: true }); // an empty directory, if any
  renameSync(staging, dataDir);
  return true;
}

function isUsableTemplate(templateDir: string): boolean {
  try {
    return (
      existsSync(join(templateDir, DATA, 'PG_VERSION')) &&
      readFileSync(join(templateDir, FINGERPRINT), 'utf8').trim() === templateFingerprint()
    );
  } catch {
    return false;
  }
}

/**
 * Writes a template: `build(dir)` creates and prepares a database in `dir` and closes it.
 * Replaces an older template only once the new one is complete.
 */
export async function writeEmbeddedTemplate(
  build: (dataDir: string) => Promise<void>,
  templateDir: string = embeddedTemplateDir,
): Promise<void> {
  const staging = `${templateDir}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    await build(join(staging, DATA));
    writeFileSync(join(staging, FINGERPRINT), `${templateFingerprint()}\n`);
    rmSync(templateDir, { recursive: true, force: true });
    renameSync(staging, templateDir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * `npm run build` runs this (as dist/db/build-embedded-template.js): it builds the migrated
 * embedded data directory a fresh DATA_DIR starts from (embedded-template.ts).
 */
import { pino } from 'pino';
import { loadConfig } from '../config.js';
import { prepareDatabase } from '../context.js';
import { openDatabase } from './client.js';
import { embeddedTemplateDir, writeEmbeddedTemplate } from './embedded-template.js';

const started = Date.now();
await writeEmbeddedTemplate(async (dataDir) => {
  // The defaults: a process whose config differs updates its queues at start.
  const config = loadConfig({});
  const database = await openDatabase({ dataDir });
  try {
    await prepareDatabase(database, config, pino({ level: 'warn' }));
  } finally {
    await database.close();
  }
});
console.log(`embedded template: ${embeddedTemplateDir} (${Date.now() - started} ms)`);

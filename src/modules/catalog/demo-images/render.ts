/**
 * Renders the demo catalog's drawings (`*.svg`, one per product, named by lower-case sku)
 * into the WebP files the seed uploads. Run it after changing a drawing:
 *   npx tsx src/modules/catalog/demo-images/render.ts
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const dir = fileURLToPath(new URL('.', import.meta.url));

for (const name of (await readdir(dir)).filter((f) => f.endsWith('.svg')).sort()) {
  const webp = await sharp(await readFile(dir + name))
    .webp({ quality: 82 })
    .toBuffer();
  await writeFile(dir + name.replace(/\.svg$/, '.webp'), webp);
  console.log(`${name.replace(/\.svg$/, '.webp')} ${webp.length} bytes`);
}

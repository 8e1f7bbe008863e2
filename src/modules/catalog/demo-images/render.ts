/**
 * Renders the demo catalog's drawings (`*.svg`, one per product, named by lower-case sku) into
 * the WebP file an admin would upload (`<sku>.webp`), and that file through the upload pipeline
 * (processImage) into the variants the seed stores (`rendered/<sku>-<width>x<height>.webp`).
 * The seed reads the variants as they are, so a first start never loads sharp (about 150 MB
 * of resident memory that stays). Run it after changing a drawing or the pipeline:
 *   npx tsx src/modules/catalog/demo-images/render.ts
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { processImage } from '../image-processing.js';

const dir = fileURLToPath(new URL('.', import.meta.url));
const rendered = `${dir}rendered/`;

await rm(rendered, { recursive: true, force: true });
await mkdir(rendered);
for (const name of (await readdir(dir)).filter((f) => f.endsWith('.svg')).sort()) {
  const sku = name.replace(/\.svg$/, '');
  const webp = await sharp(await readFile(dir + name))
    .webp({ quality: 82 })
    .toBuffer();
  await writeFile(`${dir}${sku}.webp`, webp);
  const { variants } = await processImage(webp);
  for (const v of variants)
    await writeFile(`${rendered}${sku}-${v.width}x${v.height}.webp`, v.bytes);
  console.log(
    `${sku}.webp ${webp.length} bytes; variants ${variants.map((v) => `${v.width}:${v.bytes.length}`).join(' ')}`,
  );
}

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const web = fileURLToPath(new URL('./web', import.meta.url));

/**
 * Writes .br and .gz beside each script, stylesheet and SVG of the build, once, at build time:
 * the server sends them to browsers that accept them (@fastify/static `preCompressed`), so no
 * request pays for compression.
 */
function precompress(): Plugin {
  return {
    name: 'ordo-precompress',
    apply: 'build',
    writeBundle(options, bundle) {
      const dir = options.dir ?? '';
      for (const file of Object.keys(bundle)) {
        if (!/\.(js|css|svg)$/.test(file)) continue;
        const path = join(dir, file);
        const output = bundle[file];
        const source =
          output?.type === 'chunk' ? Buffer.from(output.code) : Buffer.from(output?.source ?? '');
        if (source.length < 1024) continue;
        writeFileSync(`${path}.gz`, gzipSync(source, { level: 9 }));
        writeFileSync(
          `${path}.br`,
          brotliCompressSync(source, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
      }
    },
  };
}

/**
 * The web UI: one app, two route trees (storefront at `/`, back office at `/admin`); the back
 * office's pages are separate chunks loaded when first opened. The build goes to dist/ui,
 * beside the compiled server (dist/web is the server's own src/web).
 */
export default defineConfig({
  root: web,
  plugins: [react(), tailwindcss(), precompress()],
  build: {
    outDir: fileURLToPath(new URL('./dist/ui', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
  },
  server: {
    // `npm run dev:web`: the UI with hot reload, the API from `npm run dev` on port 3000.
    proxy: Object.fromEntries(
      ['/api', '/images', '/docs', '/openapi.json'].map((path) => [path, 'http://127.0.0.1:3000']),
    ),
  },
});

import { fileURLToPath } from 'node:url';
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const web = fileURLToPath(new URL('./web', import.meta.url));

/**
 * The web UI: one app, two route trees (storefront at `/`, back office at `/admin`); the back
 * office's pages are separate chunks loaded when first opened. The build goes to dist/ui,
 * beside the compiled server (dist/web is the server's own src/web).
 */
export default defineConfig({
  root: web,
  plugins: [react(), tailwindcss()],
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

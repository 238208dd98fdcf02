import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const workspace = fileURLToPath(new URL('../..', import.meta.url));
/** Where the dev server forwards /api: the API started by `npm start` unless API_URL says otherwise. */
const api = process.env.API_URL ?? 'http://localhost:3000';

export default defineConfig({
  root,
  // Relative asset URLs: the API serves the build at `/`, and a hash router needs no server-side routes.
  base: './',
  plugins: [react()],
  // The workspace's typed API client library and pure domain, as apps/admin/tsconfig.json maps them.
  resolve: {
    alias: {
      '@consortium/api-client': `${workspace}libs/api-client/src/index.ts`,
      '@consortium/domain': `${workspace}libs/domain/src/index.ts`,
    },
  },
  build: {
    outDir: `${workspace}dist/apps/admin`,
    emptyOutDir: true,
    sourcemap: true,
    // react-admin with Material UI makes one chunk of about 850 kB (270 kB gzipped): expected for an admin app.
    chunkSizeWarningLimit: 1200,
  },
  server: {
    port: 4200,
    proxy: { '/api': { target: api, changeOrigin: true } },
  },
  preview: {
    port: 4300,
    proxy: { '/api': { target: api, changeOrigin: true } },
  },
});

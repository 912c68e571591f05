import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** The admin console: built into dist/console (beside the compiled server) and served under /console. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: '../dist/console',
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    // `npx vite --config web/vite.config.ts` for live reload, with openwx on :3000 behind it.
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/emulator': 'http://127.0.0.1:3000',
      '/console/info.json': 'http://127.0.0.1:3000',
    },
  },
});

import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: resolve(import.meta.dirname, 'renderer'),
  base: '/',
  plugins: [react()],
  build: {
    outDir: resolve(import.meta.dirname, 'dist/renderer'),
    emptyOutDir: true,
    // No inline scripts: the Content-Security-Policy allows only our own files.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1024,
  },
});

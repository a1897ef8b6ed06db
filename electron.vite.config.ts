import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'

export default defineConfig({
  main: {
    build: {
      // electron-store is ESM-only; bundle it into the CommonJS main process.
      externalizeDeps: { exclude: ['electron-store'] },
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/electron/main.ts'),
          // File imports run on a worker thread started from this script (directories/import-thread.ts).
          'import-worker': resolve(__dirname, 'src/main/headless/import-worker.ts'),
          // The diagnostics' rule side is read on a worker thread started from this script (diagnostics/thread.ts).
          'diagnostics-worker': resolve(__dirname, 'src/main/headless/diagnostics-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: { rollupOptions: { input: { index: resolve(__dirname, 'src/preload/index.ts') } } },
  },
  renderer: {
    root: 'src/renderer',
    build: { minify: true, rollupOptions: { input: resolve(__dirname, 'src/renderer/index.html') } },
    plugins: [react()],
  },
})

// Builds the CLI (with the headless host) and the benchmarks as Node bundles in out/cli,
// separate from the Electron build because they run under plain Node without Electron.
import { resolve } from 'node:path'
import { builtinModules } from 'node:module'
import { defineConfig } from 'vite'

export default defineConfig({
  build: {
    ssr: true,
    outDir: 'out/cli',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: true,
    rollupOptions: {
      input: {
        index: resolve(import.meta.dirname, 'src/main/headless/cli.ts'),
        bench: resolve(import.meta.dirname, 'bench/run.ts'),
        // File imports run on a worker thread started from this script (directories/import-thread.ts).
        'import-worker': resolve(import.meta.dirname, 'src/main/headless/import-worker.ts'),
        // The diagnostics' rule side is read on a worker thread started from this script (diagnostics/thread.ts).
        'diagnostics-worker': resolve(import.meta.dirname, 'src/main/headless/diagnostics-worker.ts'),
        // The IdP fake and the raw-insert comparison the sync benchmark runs in child processes.
        'graph-fake': resolve(import.meta.dirname, 'test/fakes/graph/main.ts'),
        'sync-raw': resolve(import.meta.dirname, 'bench/sync-raw.ts'),
      },
      // playwright-core (the UI benchmark's browser driver) loads its own files at run time.
      external: ['better-sqlite3', 'playwright-core', ...builtinModules, ...builtinModules.map(m => `node:${m}`)],
      output: { format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs' },
    },
  },
  ssr: { noExternal: true, external: ['better-sqlite3', 'playwright-core'] },
})

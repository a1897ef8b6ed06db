// Where the built diagnostics thread's script is (headless/diagnostics-worker.ts bundled): beside
// the entry (out/cli/diagnostics-worker.cjs, out/main/diagnostics-worker.js) or one folder up from a
// shared chunk (out/cli/chunks/…). Run from source (tests), there is none and the diagnostics are
// read in the main thread.
import { existsSync } from 'node:fs'
import { join } from 'node:path'

export function builtDiagnosticsWorker(dir: string = __dirname): string | undefined {
  const candidates = ['diagnostics-worker.cjs', 'diagnostics-worker.js'].flatMap(f => [
    join(dir, f),
    join(dir, '..', f),
  ])
  return candidates.find(p => existsSync(p))
}

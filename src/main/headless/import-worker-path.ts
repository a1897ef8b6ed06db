// Where the built import thread's script is (headless/import-worker.ts bundled): beside the
// entry (out/cli/import-worker.cjs, out/main/import-worker.js) or one folder up from a shared chunk
// (out/cli/chunks/…). Run from source (tests), there is none and imports run in the main thread.
import { existsSync } from 'node:fs'
import { join } from 'node:path'

export function builtImportWorker(dir: string = __dirname): string | undefined {
  const candidates = ['import-worker.cjs', 'import-worker.js'].flatMap(f => [join(dir, f), join(dir, '..', f)])
  return candidates.find(p => existsSync(p))
}

// Builds test/fakes/crash-child.ts into one CommonJS file and runs it as a child process, for the
// kill -9 tests: the child SIGKILLs itself at a named crash point (JIT_CRASH_AT=<point>:<n>).
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { builtinModules } from 'node:module'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { build } from 'vite'

/** Bundles the child into `outDir`; the script's path. */
export async function buildCrashChild(outDir: string): Promise<string> {
  await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      ssr: true,
      outDir,
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      rollupOptions: {
        input: { child: resolve(import.meta.dirname, '../fakes/crash-child.ts') },
        external: ['better-sqlite3', ...builtinModules, ...builtinModules.map(m => `node:${m}`)],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
    ssr: { noExternal: true, external: ['better-sqlite3'] },
  })
  return join(outDir, 'child.cjs')
}

/** Runs the child to its end: the lines it printed and the signal that ended it (null: it exited). */
export async function runCrashChild(
  script: string,
  env: Record<string, string>,
): Promise<{ lines: string[]; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...env, NODE_PATH: resolve(import.meta.dirname, '../../node_modules') },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const lines: string[] = []
  createInterface({ input: child.stdout }).on('line', l => lines.push(l))
  const [, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null]
  return { lines, signal }
}

/** A process id no process has: that of one that has just exited (a process killed mid-sync). */
export function goneProcessId(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString())
}

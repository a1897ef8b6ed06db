// The secrets file: written atomically (temp + fsync + rename), locked against a concurrent
// writer in another process (the CLI), never left half-written.
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join, resolve } from 'node:path'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFileSecretStore, withFileLock } from '../../src/main/secrets/file-store'
import { tempDir } from '../helpers/workspace'

const bundle = tempDir('jit-secrets-writer-')
const dirs: { remove(): void }[] = [bundle]
let writer: string

beforeAll(async () => {
  await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      ssr: true,
      outDir: bundle.path,
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      rollupOptions: {
        input: { writer: resolve(import.meta.dirname, '../fakes/secrets-writer.ts') },
        external: [...builtinModules, ...builtinModules.map(m => `node:${m}`)],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
    ssr: { noExternal: true },
  })
  writer = join(bundle.path, 'writer.cjs')
}, 60_000)
afterAll(() => {
  for (const d of dirs) d.remove()
})

const folder = () => {
  const d = tempDir()
  dirs.push(d)
  return d.path
}

describe('the secrets file', () => {
  it('loses no write when another process writes at the same time', async () => {
    const dir = folder()
    const N = 150
    const child = spawn(process.execPath, [writer], {
      env: { ...process.env, JIT_DIR: dir, JIT_KEYS: String(N), JIT_PREFIX: 'cli' },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const done = new Promise<string>(res => {
      let out = ''
      child.stdout.on('data', (d: Buffer) => (out += d.toString()))
      child.on('exit', () => res(out))
    })
    const app = createFileSecretStore(dir)
    for (let i = 0; i < N; i++) await app.set(`app-${i}`, `value-${i}`)
    expect(await done).toContain('DONE')
    const all = JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')) as Record<string, string>
    for (let i = 0; i < N; i++) {
      expect(all[`app-${i}`]).toBe(`value-${i}`)
      expect(all[`cli-${i}`]).toBe(`value-${i}`)
    }
    expect(readdirSync(dir).sort()).toEqual(['secrets.json'])
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600)
  }, 60_000)

  it('waits for a held lock and breaks one left by a writer that died', async () => {
    const dir = folder()
    const lock = join(dir, 'secrets.json.lock')
    writeFileSync(lock, '99999')
    let waited = 0
    const store = createFileSecretStore(dir, {
      sleep: async () => {
        waited++
        // The other writer finishes after a few polls.
        if (waited === 3) rmSync(lock)
      },
    })
    await store.set('a', 'b')
    expect(waited).toBe(3)
    expect(await store.get('a')).toBe('b')
    expect(existsSync(lock)).toBe(false)
    const stale = join(dir, 'stale.lock')
    writeFileSync(stale, '1')
    utimesSync(stale, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000))
    expect(await withFileLock(stale, () => 'ran')).toBe('ran')
  })
})

// The workspace is its owner's alone: folder 0700, database and its -wal/-shm 0600, secrets 0600;
// an older workspace left readable is tightened when it is opened.
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createStore } from '../../src/main/store'
import { createFileSecretStore } from '../../src/main/secrets'
import { tempDir } from '../helpers/workspace'

const mode = (p: string) => statSync(p).mode & 0o777
const dirs: { remove(): void }[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove()
})

describe.skipIf(process.platform === 'win32')('workspace file modes', () => {
  it('creates the folder 0700 and the database, WAL and SHM 0600 even under a permissive umask', () => {
    const t = tempDir()
    dirs.push(t)
    const dir = join(t.path, 'workspace')
    const old = process.umask(0o002)
    try {
      const store = createStore(join(dir, 'jit-mapper.db'))
      expect(mode(dir)).toBe(0o700)
      for (const f of ['jit-mapper.db', 'jit-mapper.db-wal', 'jit-mapper.db-shm'])
        if (existsSync(join(dir, f))) expect([f, mode(join(dir, f))]).toEqual([f, 0o600])
      expect(existsSync(join(dir, 'jit-mapper.db-wal'))).toBe(true)
      store.close()
    } finally {
      process.umask(old)
    }
  })

  it('tightens an existing readable workspace when it is opened', () => {
    const t = tempDir()
    dirs.push(t)
    const dir = join(t.path, 'old')
    mkdirSync(dir)
    createStore(join(dir, 'jit-mapper.db')).close()
    chmodSync(dir, 0o755)
    chmodSync(join(dir, 'jit-mapper.db'), 0o644)
    const store = createStore(join(dir, 'jit-mapper.db'))
    expect(mode(dir)).toBe(0o700)
    expect(mode(join(dir, 'jit-mapper.db'))).toBe(0o600)
    store.close()
  })

  it('keeps secrets.json 0600 and tightens one left readable', async () => {
    const t = tempDir()
    dirs.push(t)
    const secrets = createFileSecretStore(t.path)
    await secrets.set('a', 'b')
    expect(mode(join(t.path, 'secrets.json'))).toBe(0o600)
    chmodSync(join(t.path, 'secrets.json'), 0o644)
    expect(await secrets.get('a')).toBe('b')
    expect(mode(join(t.path, 'secrets.json'))).toBe(0o600)
  })
})

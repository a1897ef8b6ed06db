// A file import writes on a thread of its own, in one transaction that holds the database's write
// lock for seconds at 100,000 users. The app's own writes meanwhile wait for it as promises and its
// queries go on (src/main/write-gate.ts); before, a write met the lock in SQLite, whose busy handler
// froze the main thread for 5 s and then failed with "database is locked". The stand-in import
// thread here takes the write lock, says it is writing, and keeps the lock until the test lets go.
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../../src/main/app'
import { tempDir } from '../../helpers/workspace'

const driver = createRequire(__filename).resolve('better-sqlite3')

/** An import thread that holds the write lock until `release` exists, then fails as a refused file. */
const standInImport = (release: string) => `
const { parentPort, workerData } = require('node:worker_threads')
const { existsSync } = require('node:fs')
const Database = require(${JSON.stringify(driver)})
const db = new Database(require('node:path').join(workerData.dataDir, 'jit-mapper.db'))
db.exec('BEGIN IMMEDIATE')
parentPort.postMessage({ progress: 'parsed', users: 1 })
const pause = new Int32Array(new SharedArrayBuffer(4))
while (!existsSync(${JSON.stringify(release)})) Atomics.wait(pause, 0, 0, 10)
db.exec('ROLLBACK')
db.close()
parentPort.postMessage({ ok: false, error: { code: 'IMPORT_INVALID', message: 'Row 2 is bad', details: {} } })
`

describe('writes while an import thread writes', () => {
  const dirs: { remove(): void }[] = []
  let app: App | null = null
  afterEach(() => {
    app?.close()
    app = null
    dirs.splice(0).forEach(d => d.remove())
  })

  /** An app whose import thread is the stand-in, with an import started and its write lock taken. */
  const importing = async (writeWaitMs?: number) => {
    const dir = tempDir()
    dirs.push(dir)
    const scripts = tempDir()
    dirs.push(scripts)
    const release = join(scripts.path, 'release')
    const worker = join(scripts.path, 'import-worker.cjs')
    writeFileSync(worker, standInImport(release))
    app = createApp({ dataDir: dir.path, importWorker: worker, writeWaitMs })
    const live = app
    const directoryId = live.services.directories.createFileDirectory('Staff')
    const writing = new Promise<void>(resolve => {
      const off = live.on('directories/syncProgress', p => {
        if (p.message?.endsWith('users read; writing them')) {
          off()
          resolve()
        }
      })
    })
    const imported = live.invoke('directories/import', {
      directoryId,
      format: 'csv',
      content: 'userPrincipalName\na@x.test',
      mode: 'update',
    })
    await writing
    return { live, imported, release: () => writeFileSync(release, '') }
  }

  it('a mutation waits for the import without stopping queries, then succeeds', async () => {
    const { live, imported, release } = await importing()

    const order: string[] = []
    const mutation = live.invoke('policies/setSettings', { graceSyncs: 3 }).then(r => {
      order.push('mutation')
      return r
    })
    const query = await live.invoke('policies/settings', {})
    order.push('query')
    expect(query.ok).toBe(true)
    expect(order).toEqual(['query'])

    release()
    const done = await imported
    expect(done.ok ? null : done.error.code).toBe('IMPORT_INVALID')
    const saved = await mutation
    expect(saved).toMatchObject({ ok: true, value: { graceSyncs: 3 } })
    expect(order).toEqual(['query', 'mutation'])
  })

  it('refuses a mutation that waited its limit with CONFLICT, and writes nothing', async () => {
    const { live, imported, release } = await importing(50)
    const before = await live.invoke('policies/settings', {})
    const refused = await live.invoke('policies/setSettings', { graceSyncs: 3 })
    expect(refused.ok ? null : refused.error).toMatchObject({ code: 'CONFLICT', message: /still writing/ })
    release()
    await imported
    expect(await live.invoke('policies/settings', {})).toEqual(before)
  })
})

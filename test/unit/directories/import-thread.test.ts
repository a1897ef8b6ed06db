// The import runner's side of the thread protocol: an outcome resolves, an expected failure comes
// back as its AppError, and a thread that stops without answering is an error. The thread here is
// a stand-in script that answers as headless/import-worker.ts does.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { importOnThread, importReply, type ImportJob } from '../../../src/main/directories'
import type { ImportOutcome } from '../../../src/main/directories/service'
import { AppError } from '../../../src/shared/errors'
import { tempDir } from '../../helpers/workspace'

const dirs: { remove(): void }[] = []
afterEach(() => dirs.splice(0).forEach(d => d.remove()))

function script(body: string): string {
  const dir = tempDir()
  dirs.push(dir)
  const path = join(dir.path, 'worker.cjs')
  writeFileSync(path, `const { parentPort, workerData } = require('node:worker_threads')\n${body}`)
  return path
}

const JOB: ImportJob = {
  dataDir: '/nowhere',
  directoryId: 'd1',
  format: 'csv',
  content: 'userPrincipalName\na@x.test',
  mode: 'update',
  confirmRemovals: false,
}

describe('importing on a thread', () => {
  it('hands the job to the thread and resolves with its outcome', async () => {
    const run = importOnThread(
      script(
        `parentPort.postMessage({ ok: true, outcome: { run: { id: 'r1', directoryId: workerData.directoryId, content: workerData.content } }, changedUserIds: 'u1\\nu2' })`,
      ),
    )
    expect(await run(JOB)).toEqual({
      run: { id: 'r1', directoryId: 'd1', content: 'userPrincipalName\na@x.test' },
      changedUserIds: ['u1', 'u2'],
    })
  })

  it('hands the changed users over as the worker joined them, none included', async () => {
    const run = { id: 'r1' } as ImportOutcome['run']
    for (const changedUserIds of [[], ['u1'], ['u1', 'u2', 'u3']]) {
      const reply = importReply({ run, changedUserIds })
      const thread = importOnThread(script(`parentPort.postMessage(${JSON.stringify(reply)})`))
      expect(await thread(JOB)).toEqual({ run, changedUserIds })
    }
  })

  it("rejects with the thread's expected failure, code, message and details intact", async () => {
    const run = importOnThread(
      script(
        `parentPort.postMessage({ ok: false, error: { code: 'IMPORT_INVALID', message: 'Row 2 is bad', details: { errors: [{ row: 2 }] } } })`,
      ),
    )
    const e = await run(JOB).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(AppError)
    expect(e).toMatchObject({ code: 'IMPORT_INVALID', message: 'Row 2 is bad', details: { errors: [{ row: 2 }] } })
  })

  it('rejects when the thread throws or stops without answering', async () => {
    await expect(importOnThread(script(`throw new Error('disk gone')`))(JOB)).rejects.toThrow('disk gone')
    await expect(importOnThread(script(`process.exit(3)`))(JOB)).rejects.toThrow(
      'The import thread stopped (exit code 3) before it answered.',
    )
  })
})

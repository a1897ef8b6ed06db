// The diagnostics thread's runner: it posts one request, receives the rows with their buffers
// transferred, and a thread that fails or stops rejects the request and is replaced by the next.
import { Worker } from 'node:worker_threads'
import { afterEach, describe, expect, it } from 'vitest'
import { readsOnThread, type DiagnosticsThread } from '../../../src/main/diagnostics/thread'

/** A thread that answers each request as `body` says (plain CommonJS, run with eval). */
const thread = (body: string): { runner: DiagnosticsThread; started: () => number } => {
  let n = 0
  const runner = readsOnThread(() => {
    n++
    return new Worker(
      `const { parentPort } = require('node:worker_threads'); let asked = 0; parentPort.on('message', request => { asked++; ${body} })`,
      {
        eval: true,
      },
    )
  })
  return { runner, started: () => n }
}

/** Answers the device side only, its `until` the request's `now` and the request's number. */
const ANSWER = `
  const offsets = Uint32Array.from([0, 2, 2 + String(asked).length])
  const cause = Int32Array.from([0, 0])
  const devices = { until: request.now + '#' + asked, text: 'u1' + asked, offsets, causes: [], cause, fields: {} }
  parentPort.postMessage({ ok: true, data: { rules: null, devices } }, [offsets.buffer, cause.buffer])`

const request = { now: '2026-12-07T02:00:00.000Z', rulesRevision: '4.2' }

let open: DiagnosticsThread[] = []
afterEach(() => {
  for (const r of open) r.close()
  open = []
})
const make = (body: string) => {
  const t = thread(body)
  open.push(t.runner)
  return t
}

describe('the diagnostics thread runner', () => {
  it('posts a request and receives the answer with its typed arrays, on one thread for many requests', async () => {
    const { runner, started } = make(ANSWER)
    const { devices: first } = await runner.compute(request)
    expect(first.until).toBe('2026-12-07T02:00:00.000Z#1')
    expect(first.cause).toBeInstanceOf(Int32Array)
    expect([...first.offsets]).toEqual([0, 2, 3])
    expect(first.text.slice(first.offsets[1], first.offsets[2])).toBe('1')
    expect((await runner.compute(request)).devices.until).toBe('2026-12-07T02:00:00.000Z#2')
    expect(started()).toBe(1)
  })

  it('rejects a second request while one is read', async () => {
    const { runner } = make(ANSWER)
    const first = runner.compute(request)
    await expect(runner.compute(request)).rejects.toThrow(/already reading/)
    await first
  })

  it("rejects with the thread's error, and keeps the thread", async () => {
    const { runner, started } = make(`parentPort.postMessage({ ok: false, error: 'no such table: users' })`)
    await expect(runner.compute(request)).rejects.toThrow('The diagnostics thread failed: no such table: users')
    await expect(runner.compute(request)).rejects.toThrow(/no such table/)
    expect(started()).toBe(1)
  })

  it('rejects when the thread throws or exits, and starts a new one for the next request', async () => {
    const thrown = make(`throw new Error('boom')`)
    await expect(thrown.runner.compute(request)).rejects.toThrow('boom')
    await expect(thrown.runner.compute(request)).rejects.toThrow('boom')
    expect(thrown.started()).toBe(2)
    const exited = make(`process.exit(3)`)
    await expect(exited.runner.compute(request)).rejects.toThrow(
      'The diagnostics thread stopped (exit code 3) before it answered.',
    )
  })

  it('rejects the request in flight when closed, and every request after', async () => {
    const { runner } = make(`setTimeout(() => {}, 60_000)`)
    const waiting = runner.compute(request)
    runner.close()
    await expect(waiting).rejects.toThrow('The diagnostics thread was closed.')
    await expect(runner.compute(request)).rejects.toThrow('The diagnostics thread is closed.')
  })
})

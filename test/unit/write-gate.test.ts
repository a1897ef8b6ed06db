import { describe, expect, it } from 'vitest'
import { createWriteGate } from '../../src/main/write-gate'

const deferred = () => {
  let resolve!: () => void
  let reject!: (e: Error) => void
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

describe('the write gate', () => {
  it('is clear at once when nothing holds it', async () => {
    const gate = createWriteGate()
    expect(gate.held).toBe(false)
    await gate.clear()
  })

  it('keeps a waiting write back until the holder settles, and gives the holder its result', async () => {
    const gate = createWriteGate()
    const job = deferred()
    const held = gate.hold(job.promise)
    const order: string[] = []
    const waiting = gate.clear().then(() => order.push('write'))
    await Promise.resolve()
    expect(gate.held).toBe(true)
    order.push('holder settles')
    job.resolve()
    await held
    await waiting
    expect(order).toEqual(['holder settles', 'write'])
    expect(gate.held).toBe(false)
  })

  it('opens when the holder fails, and passes the failure to the holder only', async () => {
    const gate = createWriteGate()
    const job = deferred()
    const held = gate.hold(job.promise)
    const waiting = gate.clear()
    job.reject(new Error('the import failed'))
    await expect(held).rejects.toThrow('the import failed')
    await expect(waiting).resolves.toBeUndefined()
    expect(gate.held).toBe(false)
  })

  it('waits for a holder that arrives while it waited for the one before', async () => {
    const gate = createWriteGate()
    const first = deferred()
    const second = deferred()
    void gate.hold(first.promise)
    let done = false
    const waiting = gate.clear().then(() => {
      done = true
    })
    void gate.hold(second.promise)
    first.resolve()
    await first.promise
    await Promise.resolve()
    await Promise.resolve()
    expect(done).toBe(false)
    second.resolve()
    await waiting
    expect(done).toBe(true)
  })

  it('gives up after its limit with CONFLICT when the holder never ends, and still waits for one that does', async () => {
    const gate = createWriteGate()
    const never = new Promise<void>(() => {})
    void gate.hold(never)
    await expect(gate.clear(20)).rejects.toMatchObject({ code: 'CONFLICT', details: { waitedMs: 20 } })
    expect(gate.held).toBe(true)

    const other = createWriteGate()
    const job = deferred()
    void other.hold(job.promise)
    const waiting = other.clear(60_000)
    job.resolve()
    await expect(waiting).resolves.toBeUndefined()
  })
})

// Device requests write (a check-in, an acknowledgement, an enrollment), so while the app's import
// thread holds the write lock each one waits on the app's write gate (src/main/write-gate.ts)
// instead of meeting the lock in SQLite on the main thread; it is answered once the import is done.
import { afterEach, describe, expect, it } from 'vitest'
import { createWriteGate } from '../../../src/main/write-gate'
import { request } from '../../fakes/https-client'
import { openDevicesWorld, type DevicesWorld } from '../../helpers/devices-world'

describe('device requests while an import writes', () => {
  let w: DevicesWorld | null = null
  afterEach(async () => {
    await w?.close()
    w = null
  })

  it('waits for the import to finish, then answers', async () => {
    const gate = createWriteGate()
    let asked!: () => void
    const wasAsked = new Promise<void>(resolve => {
      asked = resolve
    })
    const world = await openDevicesWorld({
      writable: () => {
        asked()
        return gate.clear()
      },
    })
    w = world
    let release!: () => void
    void gate.hold(
      new Promise<void>(resolve => {
        release = resolve
      }),
    )
    const order: string[] = []
    const answered = request(`${world.ingress.url}/enroll/start`, { ca: world.pki.caPem }).then(r => {
      order.push('answered')
      return r
    })
    await wasAsked
    order.push('released')
    release()
    const r = await answered
    expect(r.status).toBe(400)
    expect(order).toEqual(['released', 'answered'])
  }, 60_000)

  it('asks the device to retry (503, Retry-After) once it has waited its limit', async () => {
    const gate = createWriteGate()
    void gate.hold(new Promise<void>(() => {}))
    const world = await openDevicesWorld({ writable: () => gate.clear(20) })
    w = world
    const r = await request(`${world.ingress.url}/enroll/start`, { ca: world.pki.caPem })
    expect(r.status).toBe(503)
    expect(r.headers['retry-after']).toBe('30')
    expect(JSON.parse(r.body).error).toMatchObject({ code: 'CONFLICT', message: /still writing/ })
  }, 60_000)
})

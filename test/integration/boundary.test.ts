import Database from 'better-sqlite3'
import { request } from 'node:http'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startHost, type Host } from '../../src/main/headless/host'
import type { Result } from '../../src/shared/errors'
import { openWorkspace, seedSmallOrganisation, tempDir, type TestWorkspace } from '../helpers/workspace'

let ws: TestWorkspace
let host: Host
let logged: { message: string; fields?: Record<string, unknown> }[]
const cleanups: (() => void | Promise<void>)[] = []

beforeEach(async () => {
  logged = []
  ws = openWorkspace({
    log: { info() {}, warn() {}, error: (message, fields) => void logged.push({ message, fields }) },
  })
  seedSmallOrganisation(ws)
  const renderer = tempDir('renderer-')
  host = await startHost({ app: ws.app, rendererDir: renderer.path })
  cleanups.push(() => renderer.remove())
})
afterEach(async () => {
  await host.close()
  ws.close()
  for (const c of cleanups.splice(0)) await c()
})

function overHost(channel: string, args: unknown): Promise<{ status: number; body: Result<unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: host.port,
        path: `/__ipc/${channel}`,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-jit-mapper': '1', 'x-jit-mapper-secret': host.secret },
      },
      res => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => (body += d))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(body) as Result<unknown> }))
      },
    )
    req.on('error', reject)
    req.end(JSON.stringify(args))
  })
}

describe('one error boundary for every transport', () => {
  it('answers a broken database with INTERNAL and a logged reference, the same in-process and over the host', async () => {
    const other = new Database(ws.app.dbPath)
    other.exec('ALTER TABLE devices RENAME TO devices_moved_away')
    other.close()

    const direct = await ws.app.invoke('devices/list', {})
    const hosted = await overHost('devices/list', {})

    expect(hosted.status).toBe(200)
    for (const answer of [direct, hosted.body]) {
      expect(answer.ok).toBe(false)
      if (answer.ok) continue
      expect(answer.error.code).toBe('INTERNAL')
      expect(answer.error.message).toMatch(/unexpected error in devices\/list \(reference [0-9a-f]{8}\)/)
      expect(answer.error.message).toContain('no such table')
    }
    const references = logged.filter(l => l.message === 'unexpected error').map(l => l.fields?.['reference'])
    expect(references).toHaveLength(2)
    expect(references).toEqual(
      [direct, hosted.body].map(a => (a.ok ? undefined : (a.error.details as { reference: string }).reference)),
    )
    expect(String(logged[0]?.fields?.['error'])).toMatch(/SqliteError[\s\S]*at /)
  })

  it('still answers expected failures as values with their own codes', async () => {
    const direct = await ws.app.invoke('devices/get', { deviceId: 'nope' })
    const hosted = await overHost('devices/get', { deviceId: 'nope' })
    expect(direct).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    expect(hosted.body).toEqual(direct)
    expect(logged).toEqual([])
  })
})

// Credentials go through the secrets port only: never into SQLite, API answers or logs.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../../src/main/app'
import { CHANNELS } from '../../../src/shared/channels'
import type { DirectoryDetail } from '../../../src/shared/domain'
import { DirectoryData } from '../../fakes/directory-data'
import type { GraphFake } from '../../fakes/graph/server'
import { type EntraApp, graphRoutes, startEntraGraph } from '../../helpers/directory'
import { fakeClock, tempDir } from '../../helpers/workspace'

const SECRET = 'Sup3r~Secret.Value-that-must-never-leak'
/** A secret long and odd enough that finding it anywhere means it leaked. */
const REGISTRATION: EntraApp = { tenantId: 'contoso.example', clientId: 'client', clientSecret: SECRET }
let graph: GraphFake
let dir: ReturnType<typeof tempDir>
let app: App
const logged: string[] = []

beforeEach(async () => {
  graph = await startEntraGraph({ data: new DirectoryData({ users: 30, groups: 4 }), registration: REGISTRATION })
  dir = tempDir()
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    logged.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`)
  app = createApp({
    dataDir: dir.path,
    clock: fakeClock(),
    http: graphRoutes(graph),
    log: { info: log('info'), warn: log('warn'), error: log('error') },
  })
})

afterEach(async () => {
  app.close()
  await graph.close()
  dir.remove()
})

describe('directory credentials', () => {
  it('never reach SQLite, any API answer or the log, and live in an owner-only file', async () => {
    const answers: string[] = []
    const call = async (channel: string, args: unknown) => {
      const r = await app.invoke(channel, args)
      answers.push(JSON.stringify(r))
      return r
    }
    const connected = await call('directories/connect', {
      kind: 'entra',
      name: 'Contoso',
      settings: { tenantId: REGISTRATION.tenantId, clientId: REGISTRATION.clientId },
      secrets: { clientSecret: SECRET },
    })
    expect(connected.ok).toBe(true)
    const id = (connected as { value: DirectoryDetail }).value.directory.id
    expect(((await call('directories/sync', { directoryId: id })) as { ok: boolean }).ok).toBe(true)
    await call('directories/test', { directoryId: id })
    // A wrong secret later: the failure message must not echo either value.
    await call('directories/setCredentials', {
      directoryId: id,
      settings: {},
      secrets: { clientSecret: `${SECRET}-old` },
    })
    await call('directories/sync', { directoryId: id })
    await call('directories/setCredentials', { directoryId: id, settings: {}, secrets: { clientSecret: SECRET } })
    for (const channel of CHANNELS.filter(
      c => c.endsWith('/list') || c.endsWith('/summary') || c === 'directories/get',
    ))
      await call(channel, { directoryId: id })

    const detail = (await call('directories/get', { directoryId: id })) as { value: DirectoryDetail }
    expect(detail.value.secretsStored).toEqual(['clientSecret'])
    expect(detail.value.secretsWarning).toMatch(/not encrypted by the operating system/)
    for (const a of answers) expect(a).not.toContain(SECRET)
    for (const line of logged) expect(line).not.toContain(SECRET)

    app.close()
    const files = readdirSync(dir.path)
    for (const f of files.filter(x => x.startsWith('jit-mapper.db')))
      expect(readFileSync(join(dir.path, f)).includes(SECRET)).toBe(false)
    expect(files).toContain('secrets.json')
    expect(statSync(join(dir.path, 'secrets.json')).mode & 0o777).toBe(0o600)
    expect(readFileSync(join(dir.path, 'secrets.json'), 'utf8')).toContain(SECRET)
    app = createApp({ dataDir: dir.path })
  })

  it('refuses a credential name the kind does not take, so nothing secret lands in settings', async () => {
    const r = await app.invoke('directories/connect', {
      kind: 'okta',
      name: 'Okta',
      settings: { orgUrl: 'https://contoso.okta.com', apiToken: SECRET },
      secrets: {},
    })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.message).not.toContain(SECRET)
    expect(app.services.store.directories.list()).toEqual([])
  })
})

// A refused connect or credential save names each field it refuses as { path, message }, the
// shape the Directories page marks fields from (renderer pages/directories/refusal.ts).
import { afterEach, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../../src/main/app'
import type { DirectoryDetail } from '../../../src/shared/domain'
import { fakeClock, tempDir } from '../../helpers/workspace'

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c()
})

function open(): App {
  const dir = tempDir()
  const app = createApp({ dataDir: dir.path, clock: fakeClock() })
  cleanups.push(() => {
    app.close()
    dir.remove()
  })
  return app
}

describe('refused directory settings and credentials', () => {
  it.each([
    {
      case: 'a setting that is not valid',
      args: {
        kind: 'google' as const,
        name: 'Workspace',
        settings: { serviceAccountEmail: 'not-an-address', subject: 'admin@contoso.example' },
        secrets: {},
      },
      path: 'serviceAccountEmail',
      field: 'serviceAccountEmail',
    },
    {
      case: 'a credential the kind does not take',
      args: {
        kind: 'entra' as const,
        name: 'Contoso',
        settings: { tenantId: 'contoso.example', clientId: 'app' },
        secrets: { apiToken: 'x' },
      },
      path: 'apiToken',
      field: undefined,
    },
  ])('names the field of $case', async ({ args, path, field }) => {
    const r = await open().invoke('directories/connect', args)
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('BAD_INPUT')
    expect(r.error.details?.['field']).toBe(field)
    expect(r.error.details?.['fields']).toEqual([{ path, message: expect.any(String) }])
  })

  it('names the field of a refused credential save, and keeps what was stored', async () => {
    const app = open()
    const connected = await app.invoke('directories/connect', {
      kind: 'okta',
      name: 'Okta',
      settings: { orgUrl: 'https://example.okta.com' },
      secrets: { apiToken: 'token' },
    })
    if (!connected.ok) throw new Error(connected.error.message)
    const directoryId = (connected.value as DirectoryDetail).directory.id
    const r = await app.invoke('directories/setCredentials', {
      directoryId,
      settings: { orgUrl: 'http://example.okta.com' },
      secrets: {},
    })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.details?.['fields']).toEqual([{ path: 'orgUrl', message: expect.any(String) }])
    expect((await app.services.directories.detail(directoryId)).settings['orgUrl']).toBe('https://example.okta.com')
  })
})

// An Okta org URL that would carry the API token in clear (http://) is refused at connect,
// before anything is stored; the Okta fake is reached over HTTPS, so no loopback exception exists.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openWorkspace, type TestWorkspace } from '../helpers/workspace'

const TOKEN = '00secret-okta-token-7c1e'
let ws: TestWorkspace
beforeEach(() => {
  ws = openWorkspace()
})
afterEach(() => ws.close())

describe('connecting Okta', () => {
  it.each([
    'http://contoso.okta.com',
    'http://127.0.0.1:8080',
    'https://contoso-admin.okta.com',
    'https://user:pass@contoso.okta.com',
    'ftp://contoso.okta.com',
  ])('refuses %s at connect and stores no token', async orgUrl => {
    const e = await ws.callError('directories/connect', {
      kind: 'okta',
      name: 'Okta',
      settings: { orgUrl },
      secrets: { apiToken: TOKEN },
    })
    expect(e.code).toBe('BAD_INPUT')
    expect(e.details).toMatchObject({ field: 'orgUrl' })
    expect(ws.app.services.store.directories.list()).toEqual([])
    const secrets = join(ws.dir, 'secrets.json')
    expect(existsSync(secrets) ? readFileSync(secrets, 'utf8') : '').not.toContain(TOKEN)
  })

  it('refuses an http URL when the credentials are changed later, too', async () => {
    const id = await ws.call('directories/connect', {
      kind: 'okta',
      name: 'Okta',
      settings: { orgUrl: 'https://contoso.okta.com' },
      secrets: { apiToken: TOKEN },
    })
    const e = await ws.callError('directories/setCredentials', {
      directoryId: id,
      settings: { orgUrl: 'http://contoso.okta.com' },
      secrets: {},
    })
    expect(e.code).toBe('BAD_INPUT')
  })
})

// The diagnostic bundle (exports/bundle, `jit-mapper diagnose --bundle`): what a field tech hands
// over carries the diagnostics with root causes, why-chains, commands, sync history and log tails,
// and no secret — not a payload's password, nor a credential that slipped into a log line.
import { mkdirSync, statSync, writeFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CliIo } from '../../../src/main/headless/cli-io'
import { runCli } from '../../../src/main/headless/commands'
import type { PolicyDraft } from '../../../src/shared/policy'
import { BUNDLE_FORMAT } from '../../../src/shared/triage'
import { openWorkspace, seedSmallOrganisation, type TestWorkspace } from '../../helpers/workspace'

const WIFI_PASSWORD = 'Corr3ct-Horse-Battery'
const PRIVATE_KEY = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----'
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGV4In0.c2lnbmF0dXJlLWJ5dGVz'
const BEARER = 'Bearer ya29.a0AfH6SMBx-0123456789'
const CLIENT_SECRET = 'Qm9vdHN0cmFwLXNlY3JldA'

let ws: TestWorkspace
let org: ReturnType<typeof seedSmallOrganisation>
beforeEach(() => {
  ws = openWorkspace()
  org = seedSmallOrganisation(ws)
})
afterEach(() => ws.close())

const wifi = (groupId: string): PolicyDraft => ({
  name: 'Office Wi-Fi',
  description: '',
  priority: 10,
  platforms: ['ios'],
  items: [
    {
      kind: 'profile',
      identifier: 'com.example.office-wifi',
      name: 'Office',
      platform: null,
      settings: { type: 'wifi', ssid: 'Office', security: 'WPA2', password: WIFI_PASSWORD },
      removeOnUnassign: false,
    },
  ],
  targets: [{ groupId, mode: 'include' }],
})

/** A workspace with a device whose Wi-Fi install is overdue, and logs where secrets slipped in. */
async function troubledWorkspace() {
  expect((await ws.call('policies/apply', { change: { kind: 'policy', draft: wifi(org.groups.Sales) } })).status).toBe(
    'applied',
  )
  const { device } = await ws.call('devices/enroll', {
    serial: 'BUNDLE-1',
    platform: 'ios',
    userPrincipalName: 'alex@example.test',
  })
  ws.clock.advance(24 * 3_600_000)
  const logs = join(ws.dir, 'logs')
  mkdirSync(logs, { recursive: true })
  writeFileSync(
    join(logs, 'desktop.log'),
    [
      JSON.stringify({ level: 30, msg: 'device enrolled', deviceId: device.id }),
      JSON.stringify({ level: 40, msg: `a note that quotes the Wi-Fi password ${WIFI_PASSWORD}` }),
      JSON.stringify({ level: 50, msg: 'IdP call failed', clientSecret: CLIENT_SECRET, header: BEARER }),
      `not JSON: GET https://idp.example/token?client_secret=${CLIENT_SECRET}&x=1 id_token ${JWT}`,
      `a key pasted by mistake ${PRIVATE_KEY}`,
    ].join('\n'),
  )
  return device
}

const SECRETS = [WIFI_PASSWORD, CLIENT_SECRET, JWT, 'ya29.a0AfH6SMBx', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC']

describe('the diagnostic bundle', () => {
  it('carries diagnostics by device with their root cause, why-chains, commands, sync history and logs', async () => {
    const device = await troubledWorkspace()
    const file = await ws.call('exports/bundle', {})
    expect(file.mimeType).toBe('application/json')
    const bundle = JSON.parse(file.content)
    expect(bundle.format).toBe(BUNDLE_FORMAT)
    expect(bundle.diagnostics.total).toBeGreaterThan(0)
    expect(bundle.diagnostics.byDevice).toContainEqual(
      expect.objectContaining({
        deviceId: device.id,
        rootCause: expect.objectContaining({ kind: 'push-not-configured' }),
      }),
    )
    const carried = bundle.devices.find((d: { id: string }) => d.id === device.id)
    expect(carried.why.map((p: { policy: string }) => p.policy)).toContain('Office Wi-Fi')
    expect(carried.recentCommands.map((c: { type: string }) => c.type)).toContain('install_profile')
    expect(bundle.syncHistory.length).toBeGreaterThan(0)
    expect(bundle.logs.map((l: { file: string }) => l.file)).toEqual(['desktop.log'])
    expect(bundle.logs[0].lines).toHaveLength(5)
  })

  it('holds no secret: not the Wi-Fi password, not a credential that reached a log line', async () => {
    await troubledWorkspace()
    const { content } = await ws.call('exports/bundle', {})
    for (const secret of SECRETS) expect(content).not.toContain(secret)
    expect(content).toContain('[secret removed]')
  })

  it('is written by `jit-mapper diagnose --bundle FILE`, readable by its owner only', async () => {
    await troubledWorkspace()
    const out: string[] = []
    const err: string[] = []
    const io: CliIo = { out: l => out.push(l), err: l => err.push(l), env: {}, untilStopped: async () => {} }
    const path = join(ws.dir, 'bundle.json')
    ws.app.close()
    expect(await runCli(['diagnose', '--data-dir', ws.dir, '--bundle', path], io)).toBe(0)
    expect(out.join('\n')).toMatch(/Wrote the diagnostic bundle/)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    const content = readFileSync(path, 'utf8')
    expect(JSON.parse(content).format).toBe(BUNDLE_FORMAT)
    for (const secret of SECRETS) expect(content).not.toContain(secret)
  })
})

// PAYLOAD_LATENCY remediated from the UI: a device that does not acknowledge past its deadline
// shows in Diagnostics with one-click Re-push; the device page cancels a command. The real
// services, the built renderer over the loopback host, headless Chromium; waits on selectors.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../src/main/app'
import { loadDemo } from '../../src/main/demo'
import { createRecordingPush } from '../fakes/recording-push'
import { testPki } from '../fakes/pki'
import { openAppInBrowser } from '../helpers/browser'

describe('remediating PAYLOAD_LATENCY in the browser', () => {
  let dataDir: string
  let app: App
  let host: { url: string; close(): Promise<void> }
  let browser: Browser
  let page: Page
  let deviceId: string
  /** Commands the enrollment queued: each goes overdue on its own. */
  let queuedAtEnrollment = 0
  let offset = 0
  const push = createRecordingPush()
  const problems: string[] = []

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'jit-mapper-e2e-devices-'))
    app = createApp({ dataDir, push, clock: { now: () => new Date(Date.now() + offset) } })
    loadDemo(app)
    const r = await app.services.devices.enroll({
      serial: 'E2E-LATE',
      platform: 'ios',
      userPrincipalName: 'alex.morgan@northwind.example',
      name: 'Late iPhone',
      pushToken: 'aabbcc',
    })
    deviceId = r.device.id
    queuedAtEnrollment = r.commands.length
    ;({ host, browser, page } = await openAppInBrowser(app, problems))
  })

  const open = (hash: string) => page.goto(`${new URL(host.url).origin}/${hash}`)

  afterAll(async () => {
    await browser?.close()
    await host?.close()
    app?.close()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  it('re-pushes from Diagnostics, which clears the overdue commands', async () => {
    offset = 6 * 60_000
    await open('#/diagnostics')
    const list = page.getByRole('list', { name: 'PAYLOAD_LATENCY diagnostics' })
    const late = list.getByRole('listitem').filter({ hasText: 'Late iPhone' })
    await late.first().waitFor()
    expect(await late.count()).toBe(queuedAtEnrollment)
    await late.first().getByText('not acknowledged in time').waitFor()
    const before = push.wakeups.length
    await late.first().getByRole('group', { name: 'Remediations' }).getByRole('button', { name: 'Re-push' }).click()
    await list.getByRole('listitem').filter({ hasText: 'Late iPhone' }).first().waitFor({ state: 'detached' })
    expect(push.wakeups.length).toBe(before + 1)
    expect(push.wakeups.at(-1)).toMatchObject({ deviceId, pushToken: 'aabbcc' })
  })

  it('cancels a command from the device page, with its state and reason', async () => {
    await open(`#/devices/${deviceId}`)
    const rows = page.getByRole('table', { name: 'Commands' }).getByRole('row')
    const install = rows.filter({ hasText: 'install_app' }).filter({ hasText: 'Salesforce' })
    await install.getByText('2 pushes').waitFor()
    await install.getByRole('button', { name: 'Cancel' }).click()
    await install.getByText('Cancelled by the admin').waitFor()
    await install.getByText('cancelled', { exact: true }).waitFor()
    const stored = app.services.store.devices.commands(deviceId).find(c => c.type === 'install_app')
    expect(stored).toMatchObject({ state: 'cancelled', error: 'Cancelled by the admin' })
    await page.getByRole('toolbar', { name: 'Device actions' }).getByRole('button', { name: 'Scan Device' }).click()
    const scan = rows.filter({ hasText: 'device_information' })
    await scan.waitFor()
    await scan.getByRole('button', { name: 'Acknowledge' }).click()
    await scan.getByText('acknowledged', { exact: true }).waitFor()
    await open('#/devices')
    await page.getByRole('img', { name: /Delivery latency of 1 acknowledged command/ }).waitFor()
    expect(problems).toEqual([])
  })

  it('saves a push certificate and warns that it expires within 30 days', async () => {
    const cert = testPki().pushExpiring(new Date(Date.now() + 10 * 86400_000))
    await open('#/devices')
    const form = page.getByRole('form', { name: 'Upload APNs push certificate' })
    await form.getByLabel('MDM push certificate (PEM)').fill(cert.certPem)
    await form.getByLabel('Its private key (PEM)').fill(cert.keyPem)
    await form.getByRole('button', { name: 'Save push certificate' }).click()
    const facts = page.getByRole('definition').filter({ hasText: cert.topic })
    await facts.getByText('expires within 30 days').waitFor()
    await expect.poll(() => form.getByLabel('Its private key (PEM)').inputValue()).toBe('')
    expect(problems).toEqual([])
  })
})

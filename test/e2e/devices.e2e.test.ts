// PAYLOAD_LATENCY remediated from the UI: a device that does not acknowledge past its deadline
// shows in Diagnostics with one-click Re-push; the device page cancels a command. The real
// services, the built renderer over the loopback host, headless Chromium; waits on selectors.
import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import type { Host } from '../../src/main/headless/host'
import { createRecordingPush } from '../fakes/recording-push'
import { testPki } from '../fakes/pki'
import { e2eTest } from '../helpers/e2e'

let offset = 0
const push = createRecordingPush()
const test = e2eTest.extend(
  'e2e',
  { scope: 'file' },
  {
    demo: true,
    app: { push, clock: { now: () => new Date(Date.now() + offset) } },
  },
)

test.describe('remediating PAYLOAD_LATENCY in the browser', () => {
  let deviceId: string
  /** Commands the enrollment queued: each goes overdue on its own. */
  let queuedAtEnrollment = 0

  test.beforeAll(async ({ app }) => {
    const r = await app.services.devices.enroll({
      serial: 'E2E-LATE',
      platform: 'ios',
      userPrincipalName: 'alex.morgan@northwind.example',
      name: 'Late iPhone',
      pushToken: 'aabbcc',
    })
    deviceId = r.device.id
    queuedAtEnrollment = r.commands.length
  })

  const open = (page: Page, host: Host, hash: string) => page.goto(`${new URL(host.url).origin}/${hash}`)

  test('re-pushes from Diagnostics, which clears the overdue commands', async ({ page, host }) => {
    offset = 6 * 60_000
    await open(page, host, '#/diagnostics')
    const cause = page
      .getByRole('list', { name: 'PAYLOAD_LATENCY causes' })
      .getByRole('listitem')
      .filter({ hasText: 'not acknowledged in time' })
      .first()
    await cause.getByRole('button', { name: /^Show/ }).click()
    const list = cause.getByRole('list', { name: /^PAYLOAD_LATENCY diagnostics/ })
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

  test('cancels a command from the device page, with its state and reason', async ({ page, app, host, problems }) => {
    await open(page, host, `#/devices/${deviceId}`)
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
    await open(page, host, '#/devices')
    await page.getByRole('img', { name: /Delivery latency of 1 acknowledged command/ }).waitFor()
    expect(problems).toEqual([])
  })

  test('shows what the device reported: OS, model, storage, supervision, FileVault, apps, profiles, users', async ({
    page,
    app,
    host,
    problems,
  }) => {
    const mac = await app.services.devices.enroll({
      serial: 'E2E-MAC',
      platform: 'macos',
      userPrincipalName: 'alex.morgan@northwind.example',
      name: 'Reporting Mac',
    })
    const { store } = app.services
    const at = new Date().toISOString()
    store.apple.putFacts(mac.device.id, {
      osVersion: '15.1',
      buildVersion: '24B83',
      modelName: 'MacBook Air',
      productName: 'Mac15,12',
      capacityGb: 494.38,
      availableGb: 201.5,
      supervised: true,
      encrypted: false,
      informationAt: at,
      apps: [{ identifier: 'com.salesforce.chatter', name: 'Salesforce', version: '4.1' }],
      appsAt: at,
      profiles: [{ identifier: 'com.jitmapper.restrictions', name: 'Restrictions', uuid: 'R-1' }],
      profilesAt: at,
    })
    store.apple.putUserChannel(
      mac.device.id,
      { channel: 'U-1', shortName: 'alex', longName: 'Alex Morgan', pushToken: 'aa', pushTopic: 't', pushMagic: 'm' },
      at,
    )
    await open(page, host, `#/devices/${mac.device.id}`)
    const facts = page.getByRole('definition')
    await facts.filter({ hasText: '15.1 (24B83)' }).waitFor()
    await facts.filter({ hasText: 'MacBook Air (Mac15,12)' }).waitFor()
    await facts.filter({ hasText: '201.5 GB free of 494.4 GB' }).waitFor()
    await page.getByRole('term').filter({ hasText: 'FileVault' }).waitFor()
    await page.getByRole('table', { name: 'Managed apps on the device' }).getByText('com.salesforce.chatter').waitFor()
    await page
      .getByRole('table', { name: 'Managed profiles on the device' })
      .getByText('Restrictions', { exact: true })
      .waitFor()
    await page.getByRole('table', { name: 'Users on this device' }).getByText('Alex Morgan').waitFor()
    expect(problems).toEqual([])
  })

  test('saves a push certificate on Settings, warns that it expires within 30 days, and never shows it back', async ({
    page,
    host,
    problems,
  }) => {
    const cert = testPki().pushExpiring(new Date(Date.now() + 10 * 86400_000))
    await open(page, host, '#/settings')
    const form = page.getByRole('form', { name: 'Upload APNs push certificate' })
    await form.getByLabel('MDM push certificate (PEM)').fill(cert.certPem)
    await form.getByLabel('Its private key (PEM)').fill(cert.keyPem)
    await form.getByRole('button', { name: 'Save push certificate' }).click()
    const facts = page.getByRole('definition').filter({ hasText: cert.topic })
    await facts.getByText('expires within 30 days').waitFor()
    // Stored: the form gives way to "Replace", and the key is nowhere on the page.
    await form.waitFor({ state: 'detached' })
    const keyBody = cert.keyPem.split('\n')[1] as string
    expect(await page.content()).not.toContain(keyBody)
    await page.getByRole('button', { name: 'Replace push certificate' }).click()
    const replacing = page.getByRole('form', { name: 'Upload APNs push certificate' })
    expect(await replacing.getByLabel('Its private key (PEM)').inputValue()).toBe('')
    await page.getByRole('group', { name: 'Replace push certificate' }).getByRole('button', { name: 'Cancel' }).click()
    await page.getByRole('button', { name: 'Replace push certificate' }).waitFor()
    expect(problems).toEqual([])
  })
})

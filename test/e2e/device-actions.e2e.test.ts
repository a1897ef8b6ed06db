// Device actions and the Diagnostics page's bulk remediation in the real renderer over the loopback
// host, headless Chromium: an action confirmed (the serial typed for a wipe), queued and shown in
// the command history; actions a device can't run listed with their reason; diagnostics by device
// with their root cause; bulk Re-push and Scan Device answering what was queued and what was refused.
import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import type { Host } from '../../src/main/headless/host'
import { createRecordingPush } from '../fakes/recording-push'
import { e2eTest } from '../helpers/e2e'

// Every command is late at once (1 ms to acknowledge), so PAYLOAD_LATENCY shows up without waiting.
const test = e2eTest.extend(
  'e2e',
  { scope: 'file' },
  { demo: true, app: { push: createRecordingPush(), ackDeadlineMs: 1 } },
)

const open = (page: Page, host: Host, hash: string) => page.goto(`${new URL(host.url).origin}/${hash}`)

test.describe('device actions', () => {
  test('locks a supervised iPhone with a message: confirmed, queued, in its command history', async ({
    app,
    host,
    page,
    problems,
  }) => {
    const { device } = await app.services.devices.enroll({
      serial: 'E2E-LOCK',
      platform: 'ios',
      userPrincipalName: 'fleur.obrien@northwind.example',
    })
    app.services.store.apple.putFacts(device.id, { supervised: true, osVersion: '17.4' })
    await open(page, host, `#/devices/${device.id}`)
    const actions = page.getByRole('group', { name: 'Remote actions' })
    await actions.getByRole('button', { name: 'Lock', exact: true }).click()
    const form = page.getByRole('form', { name: `Lock ${device.name}` })
    await form.getByLabel('Message on the screen').fill('Please call IT on 100')
    await form.getByRole('button', { name: `Lock ${device.name}` }).click()
    await page
      .getByRole('status')
      .filter({ hasText: `Lock queued for ${device.name}` })
      .waitFor()
    await page.getByRole('table', { name: 'Commands' }).getByRole('row').filter({ hasText: 'device_lock' }).waitFor()
    const lock = app.services.store.devices.commands(device.id).find(c => c.type === 'device_lock')
    expect(lock?.payload).toMatchObject({ message: 'Please call IT on 100' })
    expect(app.services.store.audit.list({ action: 'devices/lock' }).map(a => a.subject)).toEqual([device.id])
    expect(problems).toEqual([])
  })

  test('wipes only once the serial number is typed', async ({ app, host, page, problems }) => {
    const { device } = await app.services.devices.enroll({
      serial: 'E2E-WIPE',
      platform: 'ios',
      userPrincipalName: 'fleur.obrien@northwind.example',
    })
    await open(page, host, `#/devices/${device.id}`)
    await page.getByRole('group', { name: 'Remote actions' }).getByRole('button', { name: 'Wipe' }).click()
    const form = page.getByRole('form', { name: `Wipe ${device.name}` })
    const submit = form.getByRole('button', { name: `Wipe ${device.name}` })
    expect(await submit.isDisabled()).toBe(true)
    await form.getByLabel('Type the serial number E2E-WIPE to confirm').fill('E2E-WIP')
    expect(await submit.isDisabled()).toBe(true)
    await form.getByLabel('Type the serial number E2E-WIPE to confirm').fill('E2E-WIPE')
    await submit.click()
    await page
      .getByRole('status')
      .filter({ hasText: `Wipe queued for ${device.name}` })
      .waitFor()
    expect(app.services.store.devices.commands(device.id).filter(c => c.type === 'erase_device')).toHaveLength(1)
    expect(problems).toEqual([])
  })

  test('lists what a Mac cannot do, with the reason', async ({ app, host, page, problems }) => {
    const { device } = await app.services.devices.enroll({
      serial: 'E2E-MAC',
      platform: 'macos',
      userPrincipalName: 'fleur.obrien@northwind.example',
    })
    await open(page, host, `#/devices/${device.id}`)
    await page.getByText(/Not available on this device/).click()
    const refused = page.getByRole('list', { name: 'Unavailable actions' })
    await refused.getByText(/Clear passcode.*not available on macOS/).waitFor()
    await refused.getByText(/Enable Lost Mode.*not available on macOS/).waitFor()
    expect(problems).toEqual([])
  })
})

test.describe('diagnostics by device', () => {
  test('names the root cause and answers a bulk Re-push and Scan with what was queued and refused', async ({
    app,
    host,
    page,
    problems,
  }) => {
    const { device } = await app.services.devices.enroll({
      serial: 'E2E-LATE',
      platform: 'ios',
      userPrincipalName: 'alex.morgan@northwind.example',
    })
    await open(page, host, '#/diagnostics')
    await page.getByRole('radio', { name: 'By device' }).check()
    const rows = page.getByRole('list', { name: 'Devices with diagnostics' })
    const row = rows.getByRole('listitem').filter({ hasText: device.name }).first()
    await row.getByText(/APNs is not configured/).waitFor()
    await row.getByRole('checkbox', { name: `Select ${device.name}` }).check()
    const bulk = page.getByRole('toolbar', { name: 'Bulk remediation' })
    await bulk.getByRole('button', { name: /Re-push 1 device/ }).click()
    const repushed = page.getByRole('status', { name: 'Re-push result' })
    await repushed.getByText(/APNs is not configured/).waitFor()
    await repushed.getByText(/nothing queued/).waitFor()
    await bulk.getByRole('button', { name: /Scan 1 device/ }).click()
    const scanned = page.getByRole('status', { name: 'Scan Device result' })
    await scanned.getByText(/queued for 1 device \(4 commands\)/).waitFor()
    expect(app.services.store.audit.list({ action: 'devices/scan' }).map(a => a.subject)).toContain(device.id)
    expect(problems).toEqual([])
  })
})

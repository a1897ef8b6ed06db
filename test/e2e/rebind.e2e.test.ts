// A held re-enrollment on the device page: someone else enrolled the device's serial without
// proof from its current identity; the admin sees who asked, and approves or rejects. The real
// services, the built renderer over the loopback host, headless Chromium; waits on selectors.
import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import type { App } from '../../src/main/app'
import type { Host } from '../../src/main/headless/host'
import { AppError } from '../../src/shared/errors'
import { createRecordingPush } from '../fakes/recording-push'
import { e2eTest } from '../helpers/e2e'

const test = e2eTest.extend('e2e', { scope: 'file' }, { demo: true, app: { push: createRecordingPush() } })

/** Enrolls the serial to alex, then has another user enroll it without proof (held). */
const heldDevice = async (app: App, serial: string, by: string): Promise<string> => {
  const first = await app.services.devices.enroll({
    serial,
    platform: 'ios',
    userPrincipalName: 'alex.morgan@northwind.example',
  })
  const held = await app.services.devices
    .enroll({ serial, platform: 'ios', userPrincipalName: by, rebind: 'hold' })
    .then(() => null)
    .catch((e: unknown) => e)
  expect(held).toBeInstanceOf(AppError)
  return first.device.id
}

const open = (page: Page, host: Host, deviceId: string) =>
  page.goto(`${new URL(host.url).origin}/#/devices/${encodeURIComponent(deviceId)}`)

test.describe('a held re-enrollment on the device page', () => {
  test('shows who asked and moves the device on approval', async ({ app, host, page, problems }) => {
    const deviceId = await heldDevice(app, 'E2E-REBIND-1', 'fleur.obrien@northwind.example')
    await open(page, host, deviceId)
    const table = page.getByRole('table', { name: 'Re-enrollments' })
    const row = table.getByRole('row').filter({ hasText: 'fleur.obrien@northwind.example' })
    await row.getByText('held').waitFor()
    await row.getByRole('button', { name: 'Approve' }).click()
    await row.getByText('approved').waitFor()
    await page.getByRole('link', { name: 'fleur.obrien@northwind.example' }).first().waitFor()
    expect(app.services.devices.get(deviceId).device.userPrincipalName).toBe('fleur.obrien@northwind.example')
    expect(problems).toEqual([])
  })

  test('leaves the device with its user on rejection', async ({ app, host, page, problems }) => {
    const deviceId = await heldDevice(app, 'E2E-REBIND-2', 'omar.sanchez@northwind.example')
    await open(page, host, deviceId)
    const row = page
      .getByRole('table', { name: 'Re-enrollments' })
      .getByRole('row')
      .filter({ hasText: 'omar.sanchez@northwind.example' })
    await row.getByRole('button', { name: 'Reject' }).click()
    await row.getByText('rejected').waitFor()
    expect(await row.getByRole('button', { name: 'Approve' }).count()).toBe(0)
    expect(app.services.devices.get(deviceId).device.userPrincipalName).toBe('alex.morgan@northwind.example')
    expect(problems).toEqual([])
  })
})

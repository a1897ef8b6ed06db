// A held re-enrollment on the device page: someone else enrolled the device's serial without
// proof from its current identity; the admin sees who asked, and approves or rejects. The real
// services, the built renderer over the loopback host, headless Chromium; waits on selectors.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../src/main/app'
import { loadDemo } from '../../src/main/headless/demo'
import { AppError } from '../../src/shared/errors'
import { createRecordingPush } from '../fakes/recording-push'
import { openAppInBrowser } from '../helpers/browser'

describe('a held re-enrollment on the device page', () => {
  let dataDir: string
  let app: App
  let host: { url: string; close(): Promise<void> }
  let browser: Browser
  let page: Page
  const problems: string[] = []

  /** Enrolls the serial to alex, then has another user enroll it without proof (held). */
  const heldDevice = async (serial: string, by: string): Promise<string> => {
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

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'jit-mapper-e2e-rebind-'))
    app = createApp({ dataDir, push: createRecordingPush() })
    loadDemo(app)
    ;({ host, browser, page } = await openAppInBrowser(app, problems))
  })
  afterAll(async () => {
    await browser?.close()
    await host?.close()
    app?.close()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  const open = (deviceId: string) => page.goto(`${new URL(host.url).origin}/#/devices/${encodeURIComponent(deviceId)}`)

  it('shows who asked and moves the device on approval', async () => {
    const deviceId = await heldDevice('E2E-REBIND-1', 'fleur.obrien@northwind.example')
    await open(deviceId)
    const table = page.getByRole('table', { name: 'Re-enrollments' })
    const row = table.getByRole('row').filter({ hasText: 'fleur.obrien@northwind.example' })
    await row.getByText('held').waitFor()
    await row.getByRole('button', { name: 'Approve' }).click()
    await row.getByText('approved').waitFor()
    await page.getByRole('link', { name: 'fleur.obrien@northwind.example' }).first().waitFor()
    expect(app.services.devices.get(deviceId).device.userPrincipalName).toBe('fleur.obrien@northwind.example')
    expect(problems).toEqual([])
  })

  it('leaves the device with its user on rejection', async () => {
    const deviceId = await heldDevice('E2E-REBIND-2', 'omar.sanchez@northwind.example')
    await open(deviceId)
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

// Automated Device Enrollment in the admin UI: on Settings the admin downloads the public
// certificate, uploads the server token Apple encrypted to it, sees the account, and syncs; the
// Devices page then lists the device Apple assigned, "assigned, not enrolled", with its profile.
// The real services against the DEP fake, the built renderer over the loopback host, headless Chromium.
import { readFileSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import type { Host } from '../../src/main/headless/host'
import { startFakeDep } from '../fakes/dep/server'
import { e2eTest, screenshot } from '../helpers/e2e'

const dep = await startFakeDep()
const test = e2eTest.extend('e2e', { scope: 'file' }, { demo: true, app: { adeBaseUrl: dep.url } })

const open = (page: Page, host: Host, hash: string) => page.goto(`${new URL(host.url).origin}/${hash}`)

test.afterAll(async () => {
  await dep.close()
})

test('connects Apple Business Manager, syncs, and shows ADE devices before they enroll', async ({
  page,
  host,
  app,
  problems,
  responses,
}) => {
  await app.call('ingress/save', {
    address: '127.0.0.1',
    port: 8443,
    publicUrl: 'https://mdm.example.test',
    startAtLaunch: false,
    oidc: { issuer: 'https://idp.example.test', clientId: 'c', tenantId: null, hostedDomain: null, caPem: null },
  })
  dep.addDevice({ serial_number: 'F2LE2EADE1', model: 'iPhone 16' })

  await open(page, host, '#/settings')
  const panel = page
    .getByRole('region', { name: 'Automated Device Enrollment' })
    .or(page.locator('section', { has: page.getByRole('heading', { name: 'Automated Device Enrollment' }) }))
  await panel.getByText('not connected').waitFor()

  const downloaded = page.waitForEvent('download')
  await panel.getByRole('button', { name: 'Download public certificate' }).click()
  const pem = readFileSync((await (await downloaded).path()) as string, 'utf8')
  expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----/)

  const form = page.getByRole('form', { name: 'Upload ADE server token' })
  await form.locator('input[type=file]').setInputFiles({
    name: 'JIT_Mapper_Token.p7m',
    mimeType: 'application/pkcs7-mime',
    buffer: Buffer.from(dep.serverTokenFile(pem)),
  })
  await form.getByRole('button', { name: 'Upload server token' }).click()
  await panel.getByText('connected', { exact: true }).waitFor()
  await panel.getByText('Example Org', { exact: false }).first().waitFor()

  await panel.getByRole('button', { name: 'Sync now' }).click()
  await panel.getByText('1 added, 1 assigned the default profile (full list)').waitFor()
  await panel.getByText('https://mdm.example.test/ade/enroll').waitFor()
  await screenshot(page, 'ade-settings')

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click()
  const table = page.getByRole('table', { name: 'ADE devices' })
  const row = table.getByRole('row').filter({ hasText: 'F2LE2EADE1' })
  await row.getByText('assigned, not enrolled').waitFor()
  await row.getByText('JIT Mapper').waitFor()
  await screenshot(page, 'ade-devices')

  // The token's secrets never reach the page.
  expect(responses.join('\n')).not.toContain(dep.token.access_secret)
  expect(responses.join('\n')).not.toContain(dep.token.consumer_secret)
  expect(problems).toEqual([])
})

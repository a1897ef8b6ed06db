// The Settings page runs the device ingress: settings saved, a certificate made for the LAN, Start
// and the URL devices use, a port in use explained, and no secret shown back. The real services,
// the built renderer over the loopback host, headless Chromium.
import { connect } from 'node:tls'
import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import type { Host } from '../../src/main/headless/host'
import { startFakeIdp, type FakeIdp } from '../fakes/idp'
import { testPki } from '../fakes/pki'
import { e2eTest as test, screenshot } from '../helpers/e2e'
import { freePort, occupyPort } from '../helpers/ports'

const pki = testPki()
let idp: FakeIdp

const open = (page: Page, host: Host, hash: string) => page.goto(`${new URL(host.url).origin}/${hash}`)

/** A TLS handshake with the ingress, trusting only `ca`: the certificate's SHA-256 fingerprint. */
const presented = (port: number, ca: string) =>
  new Promise<string>((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, ca }, () => {
      const fp = s.getPeerCertificate().fingerprint256
      s.destroy()
      resolve(fp)
    })
    s.on('error', reject)
  })

test.describe('the Settings page serves devices', () => {
  test.beforeAll(async () => {
    idp = await startFakeIdp(pki)
  })
  test.afterAll(async ({ app }) => {
    await app.services.serving.stop()
    await idp.close()
  })

  test('configures, starts and stops the ingress, and says why a start failed', async ({
    page,
    host,
    app,
    problems,
    responses,
  }) => {
    await open(page, host, '#/')
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click()
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor()
    const status = page
      .getByRole('definition')
      .filter({ hasText: /stopped|running|failed/ })
      .first()
    await status.getByText('stopped').waitFor()
    await page
      .getByRole('list', { name: 'Ingress warnings' })
      .getByText(/No sign-in provider/)
      .waitFor()

    const port = await freePort()
    const form = page.getByRole('form', { name: 'Ingress settings' })
    await form.getByLabel('Listen address').fill('127.0.0.1')
    await form.getByLabel('Port', { exact: true }).fill(String(port))
    await form.getByLabel('Issuer URL').fill(idp.issuer)
    await form.getByLabel('Client id').fill(idp.clientId)
    await form.getByLabel('Client secret', { exact: true }).fill('e2e-client-secret-value')
    await form.getByLabel('IdP CA certificates (PEM, optional)').fill(pki.caPem)
    await form.getByRole('button', { name: 'Save ingress settings' }).click()
    await form.getByText('Saved.').waitFor()
    await expect.poll(() => form.getByLabel('Client secret', { exact: true }).inputValue()).toBe('')
    await expect
      .poll(() => form.getByLabel('Client secret', { exact: true }).getAttribute('placeholder'))
      .toContain('stored')

    const generate = page.getByRole('form', { name: 'Generate a certificate for the LAN' })
    await generate.getByLabel(/Names devices use/).fill('127.0.0.1, localhost')
    await generate.getByRole('button', { name: 'Generate a certificate for the LAN' }).click()
    await page.getByTestId('certificate-names').getByText('127.0.0.1, localhost').waitFor()

    await page.getByRole('button', { name: 'Start' }).click()
    await page.getByTestId('ingress-url').getByText(`https://127.0.0.1:${port}`).waitFor()
    await status.getByText('running').waitFor()
    const info = await app.call('ingress/get', {})
    expect(await presented(port, info.certificate?.trustPem as string)).toBe(info.certificate?.fingerprint)
    await screenshot(page, 'settings-ingress-running')

    await page.getByRole('button', { name: 'Stop' }).click()
    await page.getByTestId('ingress-url').getByText('not serving').waitFor()

    // Another program takes the port: Start says so, on the page and in the status.
    const taken = await occupyPort()
    try {
      await form.getByLabel('Port', { exact: true }).fill(String(taken.port))
      await form.getByRole('button', { name: 'Save ingress settings' }).click()
      await form.getByText('Saved.').waitFor()
      await page.getByRole('button', { name: 'Start' }).click()
      await page
        .getByRole('alert')
        .getByText(new RegExp(`Port ${taken.port} on 127.0.0.1 is in use`))
        .waitFor()
      await page.getByTestId('ingress-error').getByText('INGRESS_PORT_IN_USE').waitFor()
    } finally {
      await taken.close()
    }

    const answered = responses.join('\n')
    expect(answered).not.toContain('PRIVATE KEY')
    expect(answered).not.toContain('e2e-client-secret-value')
    expect(problems).toEqual([])
  })
})

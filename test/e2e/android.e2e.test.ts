// Settings → Android Enterprise in the built renderer: the service account saved (its key never
// shown back), the bound enterprise, a QR enrollment token for a user, and after the device
// provisions, Sync Android shows it compliant on its policy version. Against the AMAPI fake.
import { generateKeyPairSync } from 'node:crypto'
import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import type { Host } from '../../src/main/headless/host'
import type { HttpPort } from '../../src/main/ports'
import { AMAPI_ORIGIN, GOOGLE_OAUTH_ORIGIN, startAmapiFake, type AmapiFake } from '../fakes/amapi/server'
import { e2eTest, screenshot } from '../helpers/e2e'

const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
})
const SA_EMAIL = 'jit-mapper@northwind-emm.iam.gserviceaccount.com'
const SA = JSON.stringify({ project_id: 'northwind-emm', client_email: SA_EMAIL, private_key: keys.privateKey })
const ENTERPRISE = 'enterprises/LCnorthwind'
const USER = 'haruto.harris@northwind.example'

let amapi: AmapiFake | null = null
/** Google's hosts go to the fake; nothing else leaves the machine. */
const http: HttpPort = {
  fetch(url, init) {
    const u = new URL(url)
    if (!amapi || (u.origin !== AMAPI_ORIGIN && u.origin !== GOOGLE_OAUTH_ORIGIN))
      return Promise.reject(new Error(`e2e: refusing ${u.origin}`))
    return fetch(`${amapi.url}${u.pathname}${u.search}`, init)
  },
}
const test = e2eTest.extend('e2e', { scope: 'file' }, { demo: true, app: { http } })

const open = (page: Page, host: Host) => page.goto(`${new URL(host.url).origin}/#/settings`)

test.describe('Settings → Android Enterprise', () => {
  test.beforeAll(async ({ app }) => {
    amapi = await startAmapiFake({
      projectId: 'northwind-emm',
      serviceAccountEmail: SA_EMAIL,
      publicKey: keys.publicKey,
      now: () => new Date(),
    })
    // Bound as the signup flow leaves it (that flow has its own integration test).
    amapi.enterprises.set(ENTERPRISE, { name: ENTERPRISE, enterpriseDisplayName: 'Northwind', signinDetails: [] })
    app.services.store.android.putEnterprise({
      projectId: 'northwind-emm',
      name: ENTERPRISE,
      displayName: 'Northwind',
      signupName: null,
      signupState: null,
      signinUrl: 'https://mdm.northwind.example:8443/android/enterprise/signin',
      signinToken: null,
      boundAt: new Date().toISOString(),
      devicePageToken: null,
      polledAt: null,
    })
  })
  test.afterAll(async () => {
    await amapi?.close()
  })

  test('saves the service account, makes a QR code for a user, and shows the device compliant', async ({
    page,
    host,
    problems,
    responses,
  }) => {
    await open(page, host)
    const panel = page.getByRole('region', { name: 'Android Enterprise' })
    await panel.getByText(ENTERPRISE).waitFor()
    await panel.getByText('not configured').waitFor()

    const form = panel.getByRole('form', { name: 'Android Enterprise service account' })
    await form.getByLabel(/Service account key/).fill(SA)
    await form.getByRole('button', { name: 'Save service account' }).click()
    await panel.getByText(SA_EMAIL).waitFor()

    const token = panel.getByRole('form', { name: 'Android enrollment token' })
    await token.getByLabel(/User \(principal name\)/).fill(USER)
    await token.getByRole('button', { name: 'Make enrollment QR code' }).click()
    const qr = token.getByRole('img', { name: `Enrollment QR code for ${USER}` })
    await qr.waitFor()
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;utf8,/)

    const devices = panel.getByRole('table', { name: 'Android Enterprise devices' })
    await devices.getByText('waiting to provision').waitFor()
    const [issued] = [...(amapi as AmapiFake).tokens.values()]
    ;(amapi as AmapiFake).provision(issued?.value as string, { serial: 'NW-PIXEL-1' })
    await panel.getByRole('button', { name: 'Sync Android' }).click()
    await devices.getByText('compliant').waitFor()
    await devices.getByText('NW-PIXEL-1').waitFor()
    await screenshot(page, 'settings-android-enterprise')

    expect(responses.some(r => r.includes('PRIVATE KEY'))).toBe(false)
    expect(problems).toEqual([])
  })
})

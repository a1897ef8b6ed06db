// The policy-targeting UI end to end on the demo organisation: edit a policy with the what-if
// preview and conflict view before saving, and approve a change the circuit breaker held.
import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import { screenshot, e2eTest as test } from '../helpers/e2e'

test.describe('policy targeting in the browser', () => {
  const deviceIds: string[] = []

  test.beforeAll(async ({ app }) => {
    // Three Sales devices, and a breaker that holds withdrawals from more than two devices.
    const sales = app.services.store.users
      .list('Sales', 1000, 0)
      .rows.filter(u => u.department === 'Sales')
      .slice(0, 3)
    for (const [i, u] of sales.entries()) {
      const r = await app.invoke('devices/enroll', {
        serial: `E2E-SALES-${i}`,
        platform: 'ios',
        userPrincipalName: u.userPrincipalName,
        name: `Sales phone ${i}`,
      })
      if (!r.ok) throw new Error(r.error.message)
      deviceIds.push((r.value as { device: { id: string } }).device.id)
    }
    const set = await app.invoke('policies/setSettings', { breakerDevices: 2, breakerShare: 1 })
    if (!set.ok) throw new Error(set.error.message)
  })

  async function openPolicies(page: Page): Promise<void> {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Policies', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: 'Policies', exact: true }).waitFor()
  }

  async function editSalesCrm(page: Page) {
    const card = page.getByRole('article', { name: 'Sales CRM Deployment', exact: true })
    await card.getByRole('button', { name: 'Edit' }).click()
    const editor = card.getByRole('form', { name: 'Edit Sales CRM Deployment' })
    await editor.waitFor()
    return editor
  }

  test('adds a restriction to Sales CRM Deployment, previews the devices and the conflict, then saves', async ({
    page,
    app,
  }) => {
    await openPolicies(page)
    const editor = await editSalesCrm(page)
    await editor.getByRole('button', { name: 'Add restriction' }).click()
    const item = editor.getByRole('group', { name: /Item 6: restriction/ })
    await item.getByLabel('Restriction').selectOption('allowCamera')
    await item.getByLabel('Value').selectOption('false')
    const queuedBefore = app.services.store.devices.commands(deviceIds[0] as string).length
    await editor.getByRole('button', { name: 'Preview changes' }).click()

    const preview = editor.getByRole('region', { name: 'What-if preview' })
    await preview.getByRole('status').filter({ hasText: '3 device(s) change' }).waitFor()
    await preview
      .getByRole('table', { name: 'Device changes' })
      .getByRole('row')
      .filter({ hasText: 'Sales phone 0' })
      .filter({ hasText: 'resent' })
      .waitFor()
    const conflict = editor
      .getByRole('region', { name: 'Conflict view' })
      .getByRole('row')
      .filter({ hasText: 'Allow camera' })
      .first()
    await conflict.filter({ hasText: 'most restrictive wins' }).waitFor()
    expect(await conflict.innerText()).toContain('Baseline Security')
    await screenshot(page, 'policy-editor')
    // A preview writes nothing: no command was queued yet.
    expect(app.services.store.devices.commands(deviceIds[0] as string)).toHaveLength(queuedBefore)

    await editor.getByRole('button', { name: 'Save policy' }).click()
    await page
      .getByRole('status')
      .filter({ hasText: 'Saved Sales CRM Deployment: 3 device(s) got commands.' })
      .waitFor()
    expect(app.services.store.devices.commands(deviceIds[0] as string)[0]).toMatchObject({
      type: 'apply_restrictions',
      payload: { settings: expect.objectContaining({ allowCamera: false }) },
    })
  })

  test("previews a policy's Apple profile, keeps its Wi-Fi password hidden, and marks a field a save refused", async ({
    page,
    app,
  }) => {
    await openPolicies(page)
    const card = page.getByRole('article', { name: 'Marketing Suite', exact: true })
    await card.getByRole('button', { name: 'Edit' }).click()
    const editor = card.getByRole('form', { name: 'Edit Marketing Suite' })
    const wifi = editor.getByRole('group', { name: /Item 5: profile Marketing Wi-Fi/ })
    await wifi.getByLabel('Password is stored').waitFor()
    expect(await page.content()).not.toContain('northwind-demo-wifi')

    await editor.getByRole('button', { name: 'Preview profiles' }).click()
    const preview = editor.getByRole('region', { name: 'Profile preview' })
    await preview.getByText('com.apple.wifi.managed').first().waitFor()
    expect(await preview.getByRole('group', { name: 'Android profile' }).count()).toBe(0)
    expect(await preview.innerText()).not.toContain('northwind-demo-wifi')

    await wifi.getByLabel('SSID').fill('')
    await editor.getByRole('button', { name: 'Save policy' }).click()
    // The refused field is marked and described by its problem, in words, not by an internal path.
    const ssid = wifi.getByLabel('SSID')
    await expect.poll(() => ssid.getAttribute('aria-invalid')).toBe('true')
    // The keyboard is taken to the field to fix.
    expect(await ssid.evaluate(el => el === document.activeElement)).toBe(true)
    const describedBy = (await ssid.getAttribute('aria-describedby')) as string
    const message = await page.locator(`[id="${describedBy}"]`).innerText()
    expect(message).not.toBe('')
    await editor.getByRole('alert').getByText('Item 5, SSID').waitFor()
    expect(await editor.innerText()).not.toMatch(/items\.\d|settings\.ssid/)
    const stored = app.services.policies.list().find(p => p.name === 'Marketing Suite')
    expect(stored?.items.find(i => i.name === 'Marketing Wi-Fi')?.settings['ssid']).toBe('NW-Marketing')
    await editor.getByRole('button', { name: 'Cancel' }).click()
  })

  test("asks for a Mac's per-app VPN app signatures, marks them when missing, and previews the app mapping", async ({
    page,
    app,
  }) => {
    await openPolicies(page)
    const card = page.getByRole('article', { name: 'Developer Tools', exact: true })
    await card.getByRole('button', { name: 'Edit' }).click()
    const editor = card.getByRole('form', { name: 'Edit Developer Tools' })
    await editor.getByRole('button', { name: 'Add profile' }).click()
    const item = editor.getByRole('group', { name: /Item 3: profile/ })
    await item.getByLabel('Profile name').fill('CRM VPN')
    await item.getByLabel('Identifier').fill('com.northwind.vpn.mac')
    await item.getByLabel('Profile type').selectOption('vpn')
    await item.getByLabel('VPN type').selectOption('IKEv2')
    await item.getByLabel('Server', { exact: true }).fill('vpn.northwind.example')
    await item.getByLabel('Shared secret').fill('s')
    await item.getByLabel('Per-app VPN').check()
    await item.getByLabel(/Apps using it/).fill('com.salesforce.chatter')
    const requirement = item.getByLabel(/com\.salesforce\.chatter: designated requirement \(macOS\)/)
    const signing = item.getByLabel(/com\.salesforce\.chatter: signing identifier \(macOS\)/)
    await editor.getByRole('button', { name: 'Save policy' }).click()
    await expect.poll(() => requirement.getAttribute('aria-invalid')).toBe('true')
    const describedBy = (await requirement.getAttribute('aria-describedby')) as string
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toMatch(/code signature/)

    await requirement.fill('identifier "com.salesforce.chatter"')
    await signing.fill('com.salesforce.chatter')
    await editor.getByRole('button', { name: 'Preview profiles' }).click()
    await editor
      .getByRole('region', { name: 'Profile preview' })
      .getByText('com.apple.vpn.managed.appmapping')
      .first()
      .waitFor()
    await editor.getByRole('button', { name: 'Save policy' }).click()
    await expect.poll(() => app.services.policies.list().find(p => p.name === 'Developer Tools')?.items.length).toBe(3)
    const saved = app.services.policies.list().find(p => p.name === 'Developer Tools')
    expect(saved?.items.find(i => i.name === 'CRM VPN')?.settings['macosApps']).toEqual([
      {
        identifier: 'com.salesforce.chatter',
        designatedRequirement: 'identifier "com.salesforce.chatter"',
        signingIdentifier: 'com.salesforce.chatter',
      },
    ])
  })

  test('previews what a hypothetical Sales manager in Germany would get', async ({ page }) => {
    await page.getByRole('button', { name: 'Try a user' }).click()
    const form = page.getByRole('form', { name: 'Hypothetical user' })
    await form.getByLabel('department').fill('Sales')
    await form.getByLabel('jobTitle').fill('Manager')
    await form.getByLabel('usageLocation').fill('DE')
    await form.getByRole('button', { name: 'What would they get?' }).click()
    const row = page
      .getByRole('region', { name: 'What-if preview' })
      .getByRole('table', { name: 'Device changes' })
      .getByRole('row')
      .filter({ hasText: 'A new iOS device' })
    await row.filter({ hasText: '+Sales' }).filter({ hasText: '+EU Staff' }).filter({ hasText: 'Salesforce' }).waitFor()
  })

  test('adds an app with its App Store id to the inventory, and marks a bad id at its field', async ({ page, app }) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Apps', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: 'Apps', exact: true }).waitFor()
    const form = page.getByRole('form', { name: 'Add an app' })
    const id = form.getByLabel('Bundle or package id')
    await id.fill('not an id')
    await form.getByLabel('App name').fill('Zoom')
    await form.getByLabel('App Store id').fill('546505307')
    await form.getByRole('button', { name: 'Add app' }).click()
    await expect.poll(() => id.getAttribute('aria-invalid')).toBe('true')
    const describedBy = (await id.getAttribute('aria-describedby')) as string
    expect(await page.locator(`[id="${describedBy}"]`).innerText()).toMatch(/"not an id" is not a bundle or package id/)
    await id.fill('us.zoom.videomeetings')
    await form.getByRole('button', { name: 'Add app' }).click()
    const row = page
      .getByRole('table', { name: 'Apps' })
      .getByRole('row')
      .filter({ hasText: 'us.zoom.videomeetings' })
      .filter({ hasText: 'Zoom' })
    await row.filter({ hasText: '546505307' }).waitFor()
    expect(
      app.services.policies.inventory().find(a => a.identifier === 'us.zoom.videomeetings' && a.platform === 'ios')
        ?.storeId,
    ).toBe(546505307)

    // Each app says which policies assign it and how.
    const salesforce = page
      .getByRole('table', { name: 'Apps' })
      .getByRole('row')
      .filter({ hasText: 'com.salesforce.chatter' })
      .first()
    await salesforce.getByText('Sales CRM Deployment').waitFor()
    expect(await salesforce.getByText(/^(required|available)$/).count()).toBeGreaterThan(0)
  })

  test('offers no App Store id for an Android app', async ({ page }) => {
    const form = page.getByRole('form', { name: 'Add an app' })
    await form.getByLabel('Platform').selectOption('android')
    await form.getByLabel('App Store id').waitFor({ state: 'detached' })
    await form.getByLabel('Platform').selectOption('ios')
    await form.getByLabel('App Store id').waitFor()
  })

  test('holds removing the Sales target, shows the difference, and sends it on approval', async ({
    page,
    app,
    host,
    problems,
  }) => {
    await openPolicies(page)
    const editor = await editSalesCrm(page)
    await editor.getByRole('button', { name: 'Remove target Sales' }).click()
    await editor.getByRole('button', { name: 'Preview changes' }).click()
    await editor.getByRole('region', { name: 'What-if preview' }).getByText('would be held').waitFor()
    await editor.getByRole('button', { name: 'Save policy' }).click()
    await page.getByRole('status').filter({ hasText: 'Held for approval' }).waitFor()

    const held = page.getByRole('region', { name: 'Held changes' })
    const difference = held.getByRole('table', { name: 'Held difference' })
    await difference.getByRole('row').filter({ hasText: 'Sales phone 1' }).waitFor()
    expect(await difference.getByRole('row').count()).toBe(4)
    expect(app.services.store.policies.list().find(p => p.name === 'Sales CRM Deployment')?.targets).toHaveLength(1)

    await held.getByRole('button', { name: 'Approve' }).click()
    await held.waitFor({ state: 'detached' })
    expect(app.services.store.policies.list().find(p => p.name === 'Sales CRM Deployment')?.targets).toEqual([])

    await page.goto(`${host.url}#/devices/${encodeURIComponent(deviceIds[1] as string)}`)
    await page.getByRole('heading', { level: 1, name: 'Sales phone 1' }).waitFor()
    const history = page.getByRole('list', { name: 'Assignment history' })
    await history
      .getByRole('listitem')
      .filter({ hasText: 'withdrawn' })
      .filter({ hasText: 'Sales CRM Deployment' })
      .first()
      .waitFor()
    const effective = page.getByRole('list', { name: 'Policies and why' })
    await effective
      .getByRole('listitem')
      .filter({ hasText: 'Baseline Security' })
      .filter({ hasText: 'assigned' })
      .waitFor()
    await screenshot(page, 'device-why')
    expect(problems).toEqual([])
  })
})

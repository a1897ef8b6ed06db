// Day-to-day administration in the real renderer over the loopback host, headless Chromium:
// the health board, rename and delete (with what-if) of policies, groups and apps, a device's
// rename, move and unbind with every policy's why, a directory's credentials and removal, the
// audit log and the CSV exports. Each test waits on what the admin sees, never on time.
import { readFileSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import type { Host } from '../../src/main/headless/host'
import { createRecordingPush } from '../fakes/recording-push'
import { e2eTest } from '../helpers/e2e'

const test = e2eTest.extend('e2e', { scope: 'file' }, { demo: true, app: { push: createRecordingPush() } })

const open = (page: Page, host: Host, hash: string) => page.goto(`${new URL(host.url).origin}/${hash}`)

test.describe('administration', () => {
  test('the overview names what needs attention, each linked to where it is fixed', async ({
    app,
    host,
    page,
    problems,
  }) => {
    await app.services.devices.enroll({
      serial: 'E2E-HEALTH',
      platform: 'ios',
      userPrincipalName: 'fleur.obrien@northwind.example',
    })
    await open(page, host, '#/')
    const health = page.getByRole('list', { name: 'Health' })
    await health.getByText('APNs is not configured').waitFor()
    expect(await health.getByText(/Apple devices? cannot be woken/).count()).toBe(1)
    await page.getByRole('img', { name: /Over the last 14 days: \d+ enrollments and \d+ deliveries/ }).waitFor()
    await health.getByRole('link', { name: 'APNs is not configured' }).click()
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor()
    await page.getByRole('form', { name: 'Upload APNs push certificate' }).waitFor()
    expect(problems).toEqual([])
  })

  test('renames a policy, then deletes it after its what-if', async ({ app, host, page, problems }) => {
    await open(page, host, '#/policies')
    const card = page.getByRole('article', { name: 'Developer Tools' })
    await card.getByRole('button', { name: 'Rename' }).click()
    const form = page.getByRole('form', { name: 'Rename policy Developer Tools' })
    await form.getByLabel('New name').fill('Dev Tools')
    await form.getByRole('button', { name: 'Save name' }).click()
    await page.getByRole('status').filter({ hasText: 'Renamed to Dev Tools' }).waitFor()
    const renamed = page.getByRole('article', { name: 'Dev Tools' })
    await renamed.getByRole('button', { name: 'Delete' }).click()
    const panel = page.getByRole('region', { name: 'Delete policy Dev Tools' })
    await panel.getByRole('region', { name: 'What-if preview' }).waitFor()
    await panel.getByRole('button', { name: 'Delete Dev Tools' }).click()
    await page.getByRole('status').filter({ hasText: 'Deleted Dev Tools' }).waitFor()
    expect(app.services.policies.list().map(p => p.name)).not.toContain('Dev Tools')
    expect(app.services.store.audit.list({ action: 'policies/' }).map(e => e.action)).toEqual(
      expect.arrayContaining(['policies/rename', 'policies/delete']),
    )
    expect(problems).toEqual([])
  })

  test('moves focus into a delete preview and closes it with Escape', async ({ host, page, problems }) => {
    await open(page, host, '#/policies')
    await page.getByRole('article', { name: 'Baseline Security' }).getByRole('button', { name: 'Delete' }).click()
    const panel = page.getByRole('region', { name: 'Delete policy Baseline Security' })
    await panel.waitFor()
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Delete policy Baseline Security',
    )
    await page.keyboard.press('Escape')
    await panel.waitFor({ state: 'detached' })
    expect(problems).toEqual([])
  })

  test('renames a rule group and deletes it; its policy loses the target', async ({ app, host, page, problems }) => {
    const groupId = app.services.store.groups.idByName('US Staff') as string
    await open(page, host, `#/groups/${groupId}`)
    await page.getByRole('button', { name: 'Rename' }).click()
    await page.getByRole('form', { name: 'Rename group US Staff' }).getByLabel('New name').fill('US Employees')
    await page.getByRole('button', { name: 'Save name' }).click()
    await page.getByRole('heading', { level: 1, name: 'US Employees' }).waitFor()
    await page.getByRole('button', { name: 'Delete' }).click()
    const panel = page.getByRole('region', { name: 'Delete group US Employees' })
    await panel.getByRole('region', { name: 'What-if preview' }).waitFor()
    await panel.getByRole('button', { name: /^Delete US Employees|held for approval/ }).click()
    await page.getByRole('heading', { level: 1, name: 'Groups' }).waitFor()
    expect(app.services.store.groups.get(groupId)).toBeUndefined()
    expect(problems).toEqual([])
  })

  test('renames an app in the inventory and removes it from every policy', async ({ app, host, page, problems }) => {
    await open(page, host, '#/apps')
    const apps = page.getByRole('table', { name: 'Apps' })
    const row = apps.getByRole('row').filter({ hasText: 'com.hubspot.ios' })
    await row.getByRole('button', { name: 'Rename' }).click()
    await row.getByLabel('New name').fill('HubSpot CRM')
    await row.getByRole('button', { name: 'Save name' }).click()
    await row.getByText('HubSpot CRM').waitFor()
    await row.getByRole('button', { name: 'Remove' }).click()
    const panel = page.getByRole('region', { name: 'Remove app HubSpot CRM (iOS)' })
    await panel.getByRole('region', { name: 'What-if preview' }).waitFor()
    await panel.getByRole('button', { name: /^Remove HubSpot CRM \(iOS\)|held for approval/ }).click()
    await page
      .getByRole('status')
      .filter({ hasText: /Removed HubSpot CRM|Held for approval/ })
      .waitFor()
    await apps.getByRole('row').filter({ hasText: 'com.hubspot.ios' }).waitFor({ state: 'detached' })
    const suite = app.services.policies.list().find(p => p.name === 'Marketing Suite')
    expect(suite?.items.map(i => i.identifier)).not.toContain('com.hubspot.ios')
    expect(problems).toEqual([])
  })

  test('shows every policy with its why on a device, then renames, moves and unbinds it', async ({
    app,
    host,
    page,
    problems,
  }) => {
    const { device } = await app.services.devices.enroll({
      serial: 'E2E-LIFE',
      platform: 'ios',
      userPrincipalName: 'fleur.obrien@northwind.example',
    })
    await open(page, host, `#/devices/${device.id}`)
    const why = page.getByRole('list', { name: 'Policies and why' })
    const marketing = why.getByRole('listitem').filter({ hasText: 'Marketing Suite' })
    await marketing.getByText('not assigned', { exact: true }).waitFor()
    await marketing.getByText('Not assigned: the user is not in Marketing (department is Sales).').waitFor()

    await page.getByRole('button', { name: 'Rename' }).click()
    await page.getByLabel('New name').fill('Front desk iPhone')
    await page.getByRole('button', { name: 'Save name' }).click()
    await page.getByRole('heading', { level: 1, name: 'Front desk iPhone' }).waitFor()

    await page.getByRole('button', { name: 'Move to another user' }).click()
    const move = page.getByRole('form', { name: 'Move to another user' })
    await move.getByLabel('New user (sign-in name)').fill('nobody@northwind.example')
    await move.getByRole('button', { name: 'Move device' }).click()
    await move.getByRole('alert').filter({ hasText: 'No user nobody@northwind.example' }).waitFor()
    await move.getByLabel('New user (sign-in name)').fill('haruto.harris@northwind.example')
    await move.getByRole('button', { name: 'Move device' }).click()
    await page
      .getByRole('status')
      .filter({ hasText: 'Moved Front desk iPhone to haruto.harris@northwind.example' })
      .waitFor()

    await page.getByRole('button', { name: 'Unbind from user' }).click()
    await page
      .getByRole('region', { name: 'Unbind device' })
      .getByRole('button', { name: 'Unbind Front desk iPhone' })
      .click()
    await page.getByText('not bound').waitFor()
    expect(app.services.devices.get(device.id).device.userId).toBeNull()
    expect(app.services.store.audit.list({ action: 'devices/' }).map(e => e.action)).toEqual(
      expect.arrayContaining(['devices/rename', 'devices/rebind', 'devices/unbind']),
    )
    expect(problems).toEqual([])
  })

  test('edits a directory’s credentials and removes it after the preview', async ({ app, host, page, problems }) => {
    const directoryId = await app.services.directories.connect({
      kind: 'okta',
      name: 'Okta test',
      settings: { orgUrl: 'https://example.okta.com' },
      secrets: {},
    })
    await open(page, host, '#/directories')
    const card = page.getByRole('article', { name: 'Okta test' })
    await card.getByText('none stored').waitFor()
    await card.getByRole('button', { name: 'Edit credentials' }).click()
    const form = card.getByRole('form', { name: 'Credentials of Okta test' })
    await form.getByLabel(/API token .*\(not stored\)/).fill('00secret-token')
    await form.getByRole('button', { name: 'Save credentials' }).click()
    await card.getByRole('status').filter({ hasText: 'Stored credentials: apiToken' }).waitFor()
    expect((await app.services.directories.detail(directoryId)).secretsStored).toEqual(['apiToken'])

    await card.getByRole('button', { name: 'Remove directory' }).click()
    const panel = page.getByRole('region', { name: 'Remove directory Okta test' })
    await panel.getByText(/Removing Okta test removes 0 user\(s\)/).waitFor()
    await panel.getByRole('button', { name: 'Remove Okta test' }).click()
    await page.getByRole('status').filter({ hasText: 'Removed Okta test' }).waitFor()
    expect(app.services.directories.list().map(d => d.name)).not.toContain('Okta test')
    expect(problems).toEqual([])
  })

  test('refuses to connect Okta with no credential at all', async ({ host, page, problems }) => {
    await open(page, host, '#/directories')
    const form = page.getByRole('form', { name: 'Connect a directory' })
    await form.getByLabel('Identity provider').selectOption('okta')
    await form.getByLabel('Name').fill('Okta without token')
    await form.getByLabel('Org URL').fill('https://example.okta.com')
    await form.getByRole('button', { name: 'Connect' }).click()
    await form.getByRole('alert').filter({ hasText: 'Okta needs an API token' }).waitFor()
    expect(problems).toEqual([])
  })

  test('filters the audit log and exports what it shows as CSV', async ({ app, host, page, problems }) => {
    const { device } = await app.services.devices.enroll({
      serial: 'E2E-AUDIT',
      platform: 'android',
      userPrincipalName: 'oliver.harris@northwind.example',
    })
    app.services.devices.rename(device.id, 'Audited tablet')
    await open(page, host, '#/')
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click()
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor()
    await page.getByLabel('Action').fill('devices/rename')
    const table = page.getByRole('table', { name: 'Audit log' })
    await table.getByRole('row').filter({ hasText: 'Audited tablet' }).waitFor()
    await page
      .getByRole('status')
      .filter({ hasText: /^\d+ entries match\.$/ })
      .waitFor()
    expect(await table.getByRole('row').filter({ hasText: 'devices/enroll' }).count()).toBe(0)
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ])
    expect(download.suggestedFilename()).toMatch(/^jit-mapper-audit-\d{4}-\d{2}-\d{2}\.csv$/)
    const csv = readFileSync(await download.path(), 'utf8')
    expect(csv.split('\r\n')[0]).toBe('id,at,actor,action,subject,details')
    expect(csv).toContain('Audited tablet')
    expect(csv).not.toContain('devices/enroll')
    expect(problems).toEqual([])
  })

  test('exports users with their groups and devices from their lists', async ({ host, page, problems }) => {
    await open(page, host, '#/users')
    const [users] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export users with groups (CSV)' }).click(),
    ])
    const text = readFileSync(await users.path(), 'utf8')
    expect(text.split('\r\n')[0]).toBe('id,userPrincipalName,displayName,directory,department,jobTitle,country,groups')
    expect(text).toMatch(/fleur\.obrien@northwind\.example,.*All Staff;.*Sales/)
    await open(page, host, '#/devices')
    const [devices] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export policy status (CSV)' }).click(),
    ])
    expect(readFileSync(await devices.path(), 'utf8').split('\r\n')[0]).toBe(
      'device,serial,platform,userPrincipalName,policy,status,why',
    )
    expect(problems).toEqual([])
  })
})

// The demo organisation end to end: the real services on a temp SQLite file, the built
// renderer (out/renderer, from `electron-vite build`) served by the loopback host, driven in
// headless Chromium. Every wait is on a selector or an event, never on time.
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { expect } from 'vitest'
import { screenshot, e2eTest as test } from '../helpers/e2e'

const ROOT = resolve(__dirname, '../..')

const ALEX = 'alex.morgan@northwind.example'
// A second member of Sales in the demo directory.
const FLEUR = 'fleur.obrien@northwind.example'
// Demo users whose directory record has no department.
const WITHOUT_DEPARTMENT = [
  'giulia.roy@northwind.example',
  'amara.martinez@northwind.example',
  'omar.sanchez@northwind.example',
]

test.describe('the demo organisation in the browser', () => {
  const nav = (page: Page, name: string) =>
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true })

  async function openSection(page: Page, name: string): Promise<void> {
    await nav(page, name).click()
    await page.getByRole('heading', { level: 1, name, exact: true }).waitFor()
  }

  const policyCard = (page: Page, name: string) => page.getByRole('article', { name, exact: true })

  const targetRow = (page: Page, policy: Locator, group: string) =>
    policy
      .getByRole('table', { name: 'Targets' })
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: group, exact: true }) })

  const commandRows = (page: Page, ...texts: (string | RegExp)[]) =>
    texts.reduce<Locator>(
      (rows, t) => rows.filter({ hasText: t }),
      page.getByRole('table', { name: 'Commands' }).getByRole('row'),
    )

  /** Enrolls through the Devices page form and opens the new device's page. */
  async function enroll(page: Page, serial: string, userPrincipalName: string, name: string): Promise<void> {
    await openSection(page, 'Devices')
    await page.getByRole('button', { name: 'Enroll a device' }).click()
    const form = page.getByRole('form', { name: 'Enroll device' })
    await form.getByLabel('Serial number').fill(serial)
    await form.getByLabel('Platform').selectOption('ios')
    await form.getByLabel('User principal name').fill(userPrincipalName)
    await form.getByLabel('Device name').fill(name)
    await form.getByRole('button', { name: 'Enroll device' }).click()
    const result = form.getByRole('status').filter({ hasText: `Enrolled ${name}` })
    await result.waitFor()
    await result.getByRole('link', { name, exact: true }).click()
    await page.getByRole('heading', { level: 1, name, exact: true }).waitFor()
  }

  /** From a device page: open its user and change the department through the edit form. */
  async function moveDeviceUserTo(page: Page, department: string): Promise<void> {
    const userLink = page.getByRole('region', { name: 'Device', exact: true }).getByRole('link')
    await userLink.click()
    await page.getByRole('button', { name: 'Edit attributes' }).click()
    const form = page.getByRole('form', { name: 'Edit attributes' })
    await form.getByLabel('department', { exact: true }).fill(department)
    await form.getByRole('button', { name: 'Save attributes' }).click()
    await form.waitFor({ state: 'detached' })
    await page
      .getByRole('table', { name: 'Attributes' })
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: 'department', exact: true }) })
      .filter({ hasText: department })
      .waitFor()
    await page
      .getByRole('table', { name: 'Group memberships' })
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: department, exact: true }) })
      .waitFor()
  }

  async function openUsersDevice(page: Page, name: string): Promise<void> {
    await page.getByRole('table', { name: 'Devices of this user' }).getByRole('link', { name, exact: true }).click()
    await page.getByRole('heading', { level: 1, name, exact: true }).waitFor()
  }

  test('removes the Sales target of Sales CRM Deployment and adds it back through the form', async ({ page }) => {
    await openSection(page, 'Policies')
    const crm = policyCard(page, 'Sales CRM Deployment')
    await targetRow(page, crm, 'Sales').getByRole('button', { name: 'Remove' }).click()
    await targetRow(page, crm, 'Sales').waitFor({ state: 'detached' })
    await crm.getByText('Not targeted').waitFor()

    const form = crm.getByRole('form', { name: 'Add target to Sales CRM Deployment' })
    await form.getByLabel('Group').selectOption({ label: 'Sales' })
    await form.getByLabel('Mode').selectOption('include')
    await form.getByRole('button', { name: 'Add target' }).click()
    await targetRow(page, crm, 'Sales').filter({ hasText: 'include' }).waitFor()
  })

  test("enrolls alex.morgan's iPhone and queues Salesforce from Sales CRM Deployment", async ({ page }) => {
    await enroll(page, 'ALEX-IPHONE-01', ALEX, 'Alex iPhone')
    await page
      .getByRole('table', { name: 'Policy assignments' })
      .getByRole('row')
      .filter({ hasText: 'Sales CRM Deployment' })
      .filter({ hasText: 'com.salesforce.chatter' })
      .waitFor()
    await commandRows(page, 'install_app', 'Salesforce', /queued|pushed/).waitFor()
  })

  /** A sync: re-import the user's directory row with the new department through the Directories page. */
  async function syncDepartment(page: Page, userPrincipalName: string, department: string): Promise<void> {
    const csv = readFileSync(join(ROOT, 'resources/demo/users.csv'), 'utf8').split('\n')
    const header = (csv[0] as string).split(',')
    const row = (csv.find(l => l.includes(`,${userPrincipalName},`)) as string).split(',')
    row[header.indexOf('department')] = department
    await openSection(page, 'Directories')
    const form = page.getByRole('form', { name: 'Import users' })
    await form.getByLabel('Content').fill(`${csv[0]}\n${row.join(',')}\n`)
    await form.getByRole('button', { name: 'Import' }).click()
    await form.getByRole('status').filter({ hasText: 'Imported:' }).waitFor()
  }

  test('moves alex.morgan to Marketing: Marketing Suite installs are queued at once, Sales CRM waits for the next sync', async ({
    page,
  }) => {
    await moveDeviceUserTo(page, 'Marketing')
    await openUsersDevice(page, 'Alex iPhone')
    await commandRows(page, 'install_app', 'Adobe Express', /queued|pushed/).waitFor()
    await commandRows(page, 'install_app', 'HubSpot', /queued|pushed/).waitFor()
    await page
      .getByRole('table', { name: 'Policy assignments' })
      .getByRole('row')
      .filter({ hasText: 'Marketing Suite' })
      .first()
      .waitFor()
    // Leaving Sales withdraws only once a later sync confirms it (safe withdrawal), so nothing is removed yet.
    expect(await commandRows(page, 'remove_app').count()).toBe(0)
    expect(await commandRows(page, 'install_app', 'Salesforce').count()).toBe(1)
    await page
      .getByRole('list', { name: 'Policies and why' })
      .getByRole('listitem')
      .filter({ hasText: 'Sales CRM Deployment' })
      .filter({ hasText: 'pending withdrawal' })
      .waitFor()
  })

  test('removes Salesforce from a second Sales user moved to Marketing once the flag is set and a sync confirms the move', async ({
    page,
    app,
  }) => {
    await enroll(page, 'FLEUR-IPHONE-01', FLEUR, 'Fleur iPhone')
    await commandRows(page, 'install_app', 'Salesforce').waitFor()
    // The phone fetches and installs what it was sent (only a delivered app is ever removed).
    const fleurs = (await app.call('devices/list', {})).filter(d => d.serial === 'FLEUR-IPHONE-01')
    for (const d of fleurs)
      for (const c of (await app.call('devices/get', { deviceId: d.id })).commands)
        await app.call('devices/acknowledge', { deviceId: d.id, commandId: c.id, status: 'acknowledged' })

    await openSection(page, 'Policies')
    const salesforceOnIos = policyCard(page, 'Sales CRM Deployment')
      .getByRole('table', { name: 'Payload' })
      .getByRole('row')
      .filter({ hasText: 'Salesforce' })
      .filter({ hasText: 'iOS' })
    const flag = salesforceOnIos.getByRole('checkbox', { name: 'Remove app when policy is removed' })
    expect(await flag.isChecked()).toBe(false)
    await flag.check()
    // Saved once main has answered: the box is enabled again and still checked.
    await page.waitForFunction(
      el => el instanceof HTMLInputElement && !el.disabled && el.checked,
      await flag.elementHandle(),
    )

    await openSection(page, 'Devices')
    await page.getByRole('table', { name: 'Devices' }).getByRole('link', { name: 'Fleur iPhone', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: 'Fleur iPhone', exact: true }).waitFor()
    await moveDeviceUserTo(page, 'Marketing')
    await openUsersDevice(page, 'Fleur iPhone')
    await commandRows(page, 'install_app', 'HubSpot').waitFor()
    expect(await commandRows(page, 'remove_app').count()).toBe(0)

    await syncDepartment(page, FLEUR, 'Marketing')
    // The sync confirms both moves (alex and fleur): withdrawing from every device of this small
    // fleet trips the circuit breaker, so the admin approves the held change.
    await openSection(page, 'Policies')
    const held = page.getByRole('region', { name: 'Held changes' })
    await held
      .getByRole('table', { name: 'Held difference' })
      .getByRole('row')
      .filter({ hasText: 'Fleur iPhone' })
      .waitFor()
    await held.getByRole('button', { name: 'Approve' }).click()
    await held.waitFor({ state: 'detached' })
    await openSection(page, 'Devices')
    await page.getByRole('table', { name: 'Devices' }).getByRole('link', { name: 'Fleur iPhone', exact: true }).click()
    await commandRows(page, 'remove_app', 'Salesforce', /queued|pushed/).waitFor()
    await page
      .getByRole('list', { name: 'Assignment history' })
      .getByRole('listitem')
      .filter({ hasText: 'withdrawn' })
      .filter({ hasText: 'Sales CRM Deployment' })
      .first()
      .waitFor()
  })

  test('explains diagnostics: SYNC_ATTR_MISSING for a user without department, and why alex.morgan is not in Sales', async ({
    page,
  }) => {
    await openSection(page, 'Diagnostics')
    const missing = page.getByRole('region', { name: /SYNC_ATTR_MISSING/ })
    const cause = missing
      .getByRole('list', { name: 'SYNC_ATTR_MISSING causes' })
      .getByRole('listitem')
      .filter({ hasText: 'department missing for' })
      .first()
    await cause.getByRole('button', { name: /^Show/ }).click()
    const items = cause.getByRole('list', { name: /^SYNC_ATTR_MISSING diagnostics/ }).getByRole('listitem')
    await items.filter({ hasText: 'department' }).first().waitFor()
    const text = await missing.innerText()
    expect(WITHOUT_DEPARTMENT.some(u => text.includes(u))).toBe(true)

    const form = page.getByRole('form', { name: 'Explain membership' })
    await form.getByLabel('User principal name').fill(ALEX)
    await form.getByLabel('Group').selectOption({ label: 'Sales' })
    await form.getByRole('button', { name: 'Explain' }).click()
    const explanation = page.getByRole('region', { name: 'Explanation' })
    await explanation.getByText('out', { exact: true }).waitFor()
    const clause = explanation
      .getByRole('list', { name: 'Clauses' })
      .getByRole('listitem')
      .filter({ hasText: 'department' })
      .first()
    await clause.waitFor()
    const clauseText = await clause.innerText()
    expect(clauseText).toMatch(/\bfalse\b/)
    expect(clauseText).toMatch(/Actual\s*Marketing/)
    expect(clauseText).toMatch(/Expected\s*Sales/)
  })

  test('shows the Devices page without page or console errors', async ({ page, problems }) => {
    await openSection(page, 'Devices')
    await page
      .getByRole('table', { name: 'Devices' })
      .getByRole('link', { name: 'Fleur iPhone', exact: true })
      .waitFor()
    await screenshot(page, 'devices')
    expect(problems).toEqual([])
  })
})

// Accessibility in the real renderer, headless Chromium: axe-core (https://github.com/dequelabs/axe-core)
// on every page, light and dark, with no serious or critical violation; and the main flows done
// with the keyboard alone — create a policy, edit a rule, approve a held change — with focus moved
// into each opened editor, Escape closing it and focus coming back to the button that opened it.
import axe from 'axe-core'
import type { Locator, Page } from 'playwright-core'
import { expect } from 'vitest'
import type { Host } from '../../src/main/headless/host'
import { e2eTest as test } from '../helpers/e2e'

interface AxeViolation {
  id: string
  impact?: string | null
  help: string
  nodes: { target: unknown[] }[]
}

const open = async (page: Page, host: Host, hash: string): Promise<void> => {
  await page.goto(`${new URL(host.url).origin}/${hash}`)
  await page.getByRole('heading', { level: 1 }).first().waitFor()
}

/** Waits until no loading skeleton is left, then runs axe on the whole document: what must be fixed. */
async function seriousViolations(page: Page): Promise<string[]> {
  await expect.poll(() => page.locator('[aria-busy="true"]').count()).toBe(0)
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source)
  const violations = await page.evaluate(
    async () =>
      (
        await (
          window as unknown as { axe: { run: (c: Document, o: object) => Promise<{ violations: unknown[] }> } }
        ).axe.run(document, { resultTypes: ['violations'] })
      ).violations as AxeViolation[],
  )
  return (
    violations
      // Serious and critical findings, and the landmark rules: every part of a page is in a landmark,
      // each landmark is unique, one main and one banner.
      .filter(
        v => v.impact === 'serious' || v.impact === 'critical' || v.id === 'region' || v.id.startsWith('landmark'),
      )
      .map(v => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)
  )
}

/** What has focus, by the name a screen reader would read first. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null
    if (!el) return ''
    const labelled = el.getAttribute('aria-labelledby')
    const name =
      el.getAttribute('aria-label') ??
      (labelled ? document.getElementById(labelled)?.textContent : undefined) ??
      (el as HTMLInputElement).labels?.[0]?.querySelector('.field-label')?.textContent ??
      (el as HTMLInputElement).labels?.[0]?.textContent ??
      el.textContent ??
      ''
    return name.trim()
  })

/** Presses Tab until the focused element is named `name` (the keyboard user's way to a control). */
async function tabTo(page: Page, name: string, max = 400): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab')
    if ((await focused(page)) === name) return
  }
  throw new Error(`Tabbing ${max} times never reached “${name}”`)
}

test.describe('accessibility', () => {
  const ids = { user: '', group: '', device: '', salesCrm: '', sales: '' }

  test.beforeAll(async ({ app }) => {
    const sales = app.services.store.users
      .list('Sales', 1000, 0)
      .rows.filter(u => u.department === 'Sales')
      .slice(0, 3)
    for (const [i, u] of sales.entries()) {
      const r = await app.services.devices.enroll({
        serial: `A11Y-${i}`,
        platform: 'ios',
        userPrincipalName: u.userPrincipalName,
        name: `Sales phone ${i}`,
      })
      ids.device = r.device.id
      ids.user = u.id
    }
    ids.group = app.services.store.groups.idByName('US Staff') as string
    ids.sales = app.services.store.groups.idByName('Sales') as string
    ids.salesCrm = app.services.policies.list().find(p => p.name === 'Sales CRM Deployment')?.id as string
    // A breaker that holds withdrawals from more than two devices, and one change it holds.
    const set = await app.invoke('policies/setSettings', { breakerDevices: 2, breakerShare: 1 })
    if (!set.ok) throw new Error(set.error.message)
    const held = await app.invoke('policies/apply', {
      change: { kind: 'target', policyId: ids.salesCrm, groupId: ids.sales, mode: null },
    })
    if (!held.ok || (held.value as { status: string }).status !== 'held') throw new Error('the change was not held')
  })

  const pages = () => [
    '#/',
    '#/users',
    `#/users/${ids.user}`,
    '#/groups',
    `#/groups/${ids.group}`,
    '#/policies',
    '#/apps',
    '#/devices',
    `#/devices/${ids.device}`,
    '#/diagnostics',
    '#/directories',
    '#/settings',
    '#/audit',
    '#/nowhere',
  ]

  for (const scheme of ['light', 'dark'] as const) {
    test(`axe finds no serious or critical violation, and no landmark problem, on any page (${scheme})`, async ({
      page,
      host,
      problems,
    }) => {
      await page.emulateMedia({ colorScheme: scheme })
      const found: string[] = []
      for (const hash of pages()) {
        await open(page, host, hash)
        found.push(...(await seriousViolations(page)).map(v => `${hash} ${v}`))
      }
      // Opened editors are pages too.
      await open(page, host, '#/policies')
      await page.getByRole('article', { name: 'Marketing Suite' }).getByRole('button', { name: 'Edit' }).click()
      await page.getByRole('form', { name: 'Edit Marketing Suite' }).waitFor()
      found.push(...(await seriousViolations(page)).map(v => `policy editor ${v}`))
      await open(page, host, '#/policies')
      await page.getByRole('button', { name: 'Try a user' }).click()
      await page.getByRole('form', { name: 'Hypothetical user' }).getByLabel('department').fill('Sales')
      await page.getByRole('button', { name: 'What would they get?' }).click()
      await page.getByRole('region', { name: 'What-if preview' }).waitFor()
      found.push(...(await seriousViolations(page)).map(v => `try a user ${v}`))
      await open(page, host, '#/apps')
      await page.getByRole('row').filter({ hasText: 'com.hubspot.ios' }).getByRole('button', { name: 'Remove' }).click()
      await page
        .getByRole('region', { name: /^Remove app HubSpot/ })
        .getByRole('region', { name: 'What-if preview' })
        .waitFor()
      found.push(...(await seriousViolations(page)).map(v => `delete preview ${v}`))
      await open(page, host, `#/groups/${ids.group}`)
      await page.getByRole('button', { name: 'Edit rule' }).click()
      await page.getByRole('textbox', { name: 'Rule' }).waitFor()
      found.push(...(await seriousViolations(page)).map(v => `rule editor ${v}`))
      await open(page, host, '#/devices')
      await page.getByRole('button', { name: 'Enroll a device' }).click()
      await page.getByRole('form', { name: 'Enroll device' }).waitFor()
      found.push(...(await seriousViolations(page)).map(v => `enroll form ${v}`))
      expect(found).toEqual([])
      expect(problems).toEqual([])
    })
  }

  test('dark mode follows the operating system', async ({ page, host }) => {
    const textColour = () => page.evaluate(() => getComputedStyle(document.querySelector('main') as Element).color)
    await page.emulateMedia({ colorScheme: 'light' })
    await open(page, host, '#/')
    const light = await textColour()
    await page.emulateMedia({ colorScheme: 'dark' })
    expect(await textColour()).not.toBe(light)
    await page.emulateMedia({ colorScheme: 'light' })
  })

  test('the skip link takes the keyboard past the navigation to the page', async ({ page, host }) => {
    await open(page, host, '#/users')
    // A fresh load: the first Tab starts at the top of the document.
    await page.reload()
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor()
    await page.keyboard.press('Tab')
    expect(await focused(page)).toBe('Skip to content')
    await page.keyboard.press('Enter')
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main')
    await page.keyboard.press('Tab')
    // The next stop is inside the page, not the sidebar.
    expect(await page.evaluate(() => document.activeElement?.closest('main') !== null)).toBe(true)
  })

  test('creates a policy with the keyboard alone; Escape closes an editor and focus returns', async ({
    page,
    host,
    app,
    problems,
  }) => {
    await open(page, host, '#/policies')
    await tabTo(page, 'New policy')
    await page.keyboard.press('Enter')
    // The editor opens, then takes focus.
    await expect.poll(() => focused(page)).toBe('New policy')
    await page.keyboard.press('Tab')
    expect(await focused(page)).toBe('Name')
    await page.keyboard.type('Kiosk lockdown')
    await tabTo(page, 'Add restriction')
    await page.keyboard.press('Enter')
    await tabTo(page, 'Save policy')
    await page.keyboard.press('Enter')
    await page.getByRole('status').filter({ hasText: 'Saved Kiosk lockdown' }).waitFor()
    expect(await focused(page)).toBe('New policy')
    const saved = app.services.policies.list().find(p => p.name === 'Kiosk lockdown')
    expect(saved?.items.map(i => i.kind)).toEqual(['restriction'])

    // An editor opened from a card closes with Escape, and focus goes back to its Edit button.
    const card = page.getByRole('article', { name: 'Kiosk lockdown' })
    await card.getByRole('button', { name: 'Edit' }).focus()
    await page.keyboard.press('Enter')
    await card.getByRole('form', { name: 'Edit Kiosk lockdown' }).waitFor()
    expect(await focused(page)).toBe('Kiosk lockdown')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Escape')
    await card.getByRole('form', { name: 'Edit Kiosk lockdown' }).waitFor({ state: 'detached' })
    expect(await focused(page)).toBe('Edit')
    expect(await page.evaluate(() => document.activeElement?.closest('article')?.getAttribute('aria-labelledby'))).toBe(
      await card.getAttribute('aria-labelledby'),
    )
    expect(problems).toEqual([])
  })

  test("edits a group's rule with the keyboard alone", async ({ page, host, app, problems }) => {
    await open(page, host, `#/groups/${ids.group}`)
    await tabTo(page, 'Edit rule')
    await page.keyboard.press('Enter')
    // The editor opens, then takes focus.
    await expect.poll(() => focused(page)).toBe('Edit the rule of US Staff')
    await tabTo(page, 'Rule')
    await page.keyboard.press('ControlOrMeta+A')
    await page.keyboard.type('user.usageLocation -eq "CA"')
    await page
      .getByRole('region', { name: 'Preview' })
      .getByRole('heading', { name: /^Preview: \d+ members/ })
      .waitFor()
    await tabTo(page, 'Save rule')
    await page.keyboard.press('Enter')
    await page.getByText('Saved; memberships re-evaluated and devices redeployed.').waitFor()
    expect(app.services.store.groups.get(ids.group)?.rule).toBe('user.usageLocation -eq "CA"')

    // Focus stayed on Save rule while it saved; Escape from there closes the editor.
    expect(await focused(page)).toBe('Save rule')
    await page.keyboard.press('Escape')
    await page.getByRole('textbox', { name: 'Rule' }).waitFor({ state: 'detached' })
    expect(await focused(page)).toBe('Edit rule')
    expect(problems).toEqual([])
  })

  test('the Directories page: its panels take focus and give it back on Escape; refused fields are marked', async ({
    page,
    host,
    app,
    problems,
  }) => {
    const connected = await app.invoke('directories/connect', {
      kind: 'entra',
      name: 'Contoso Entra',
      settings: { tenantId: 'contoso.example', clientId: 'a11y-app' },
      secrets: {},
    })
    if (!connected.ok) throw new Error(connected.error.message)
    await open(page, host, '#/directories')
    const found: string[] = []
    const card = page.getByRole('article', { name: 'Contoso Entra' })
    const focusInCard = () =>
      page.evaluate(() => document.activeElement?.closest('article')?.getAttribute('aria-label'))
    /** The message a marked control is described by. */
    const description = async (control: Locator) =>
      page.locator(`[id="${await control.getAttribute('aria-describedby')}"]`).textContent()

    // The credential editor: focus moves in, Escape closes it, focus is back on its button.
    await card.getByRole('button', { name: 'Edit credentials' }).focus()
    await page.keyboard.press('Enter')
    const editor = card.getByRole('form', { name: 'Credentials of Contoso Entra' })
    await editor.waitFor()
    expect(await focused(page)).toBe('Credentials of Contoso Entra')
    found.push(...(await seriousViolations(page)).map(v => `credential editor ${v}`))
    await page.keyboard.press('Tab')
    expect(await focused(page)).toBe('Tenant ID or domain')
    // A refused save marks the field it refuses and names it by its label.
    await page.keyboard.press('ControlOrMeta+A')
    await page.keyboard.type('t'.repeat(101))
    await editor.getByRole('button', { name: 'Save credentials' }).click()
    const refusedSave = editor.getByRole('alert')
    await refusedSave.filter({ hasText: 'Tenant ID or domain' }).waitFor()
    expect(await refusedSave.textContent()).not.toContain('tenantId')
    const tenant = editor.getByLabel('Tenant ID or domain')
    expect(await tenant.getAttribute('aria-invalid')).toBe('true')
    expect(await description(tenant)).toMatch(/100/)
    expect(await editor.getByLabel('Application (client) ID').getAttribute('aria-invalid')).toBeNull()
    found.push(...(await seriousViolations(page)).map(v => `refused credentials ${v}`))
    await tenant.focus()
    await page.keyboard.press('Escape')
    await editor.waitFor({ state: 'detached' })
    expect(await focused(page)).toBe('Edit credentials')
    expect(await focusInCard()).toBe('Contoso Entra')
    const stored = app.services.directories.list().find(d => d.name === 'Contoso Entra')
    expect((await app.services.directories.detail(stored?.id as string)).settings['tenantId']).toBe('contoso.example')

    // The Remove panel, the same way.
    await card.getByRole('button', { name: 'Remove directory' }).focus()
    await page.keyboard.press('Enter')
    const removal = page.getByRole('region', { name: 'Remove directory Contoso Entra' })
    await removal.getByRole('button', { name: 'Remove Contoso Entra' }).waitFor()
    expect(await focused(page)).toBe('Remove directory Contoso Entra')
    found.push(...(await seriousViolations(page)).map(v => `remove panel ${v}`))
    await page.keyboard.press('Tab')
    await page.keyboard.press('Escape')
    await removal.waitFor({ state: 'detached' })
    expect(await focused(page)).toBe('Remove directory')
    expect(await focusInCard()).toBe('Contoso Entra')

    // A refused connect marks the field main refused, and the note names it in words.
    const form = page.getByRole('form', { name: 'Connect a directory' })
    await form.getByLabel('Identity provider').selectOption('google')
    await form.getByLabel('Name').fill('Workspace')
    await form.getByLabel('Service account email').fill('not-an-address')
    await form.getByLabel('Admin to act as (domain-wide delegation)').fill('admin@contoso.example')
    await form.getByLabel('Service account private key (PEM)').fill('-----BEGIN PRIVATE KEY-----')
    await form.getByRole('button', { name: 'Connect' }).click()
    const refusedConnect = form.getByRole('alert')
    await refusedConnect.filter({ hasText: 'Service account email' }).waitFor()
    expect(await refusedConnect.textContent()).not.toContain('serviceAccountEmail')
    const email = form.getByLabel('Service account email')
    expect(await email.getAttribute('aria-invalid')).toBe('true')
    expect(await description(email)).toMatch(/email/i)
    expect(await form.getByLabel('Admin to act as (domain-wide delegation)').getAttribute('aria-invalid')).toBeNull()
    found.push(...(await seriousViolations(page)).map(v => `refused connect ${v}`))
    expect(app.services.directories.list().map(d => d.name)).not.toContain('Workspace')

    // Okta with no credential: the API token field is the one to fill.
    await form.getByLabel('Identity provider').selectOption('okta')
    await form.getByLabel('Org URL').fill('https://example.okta.com')
    await form.getByRole('button', { name: 'Connect' }).click()
    await refusedConnect.filter({ hasText: 'API token (or a service app below)' }).waitFor()
    expect(await form.getByLabel(/^API token/).getAttribute('aria-invalid')).toBe('true')
    expect(await form.getByLabel('Org URL').getAttribute('aria-invalid')).toBeNull()

    expect(found).toEqual([])
    expect(problems).toEqual([])
  })

  test('approves a held change with the keyboard alone', async ({ page, host, app, problems }) => {
    await open(page, host, '#/policies')
    const held = page.getByRole('region', { name: 'Held changes' })
    await held.waitFor()
    await tabTo(page, 'Approve')
    await page.keyboard.press('Enter')
    await held.waitFor({ state: 'detached' })
    expect(app.services.store.policies.list().find(p => p.id === ids.salesCrm)?.targets).toEqual([])
    expect(problems).toEqual([])
  })
})

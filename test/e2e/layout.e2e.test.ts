// The layout in the real renderer, headless Chromium: Policies, Apps and Settings are pages of
// their own reached from the navigation, enrollment opens from a button, and a refused save of the
// withdrawal settings marks the field it refused.
import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import { e2eTest as test } from '../helpers/e2e'

async function openSection(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click()
  await page.getByRole('heading', { level: 1, name, exact: true }).waitFor()
}

test.describe('the layout', () => {
  test('keeps policies, apps and settings on pages of their own', async ({ page, problems }) => {
    await openSection(page, 'Policies')
    await page.getByRole('article', { name: 'Sales CRM Deployment', exact: true }).waitFor()
    expect(await page.getByRole('table', { name: 'Apps' }).count()).toBe(0)
    expect(await page.getByRole('form', { name: 'Safe withdrawal settings' }).count()).toBe(0)
    expect(await page.getByRole('form', { name: 'Hypothetical user' }).count()).toBe(0)

    await openSection(page, 'Apps')
    await page.getByRole('table', { name: 'Apps' }).getByText('com.salesforce.chatter').first().waitFor()
    expect(await page.getByRole('article', { name: 'Sales CRM Deployment', exact: true }).count()).toBe(0)

    await openSection(page, 'Settings')
    await page.getByRole('form', { name: 'Safe withdrawal settings' }).waitFor()
    await page.getByRole('form', { name: 'Upload APNs push certificate' }).waitFor()
    await page.getByRole('heading', { level: 2, name: 'Device ingress' }).waitFor()
    expect(problems).toEqual([])
  })

  test('opens enrollment from a button, focused, and Escape puts it away', async ({ page, problems }) => {
    await openSection(page, 'Devices')
    expect(await page.getByRole('form', { name: 'Enroll device' }).count()).toBe(0)
    expect(await page.getByRole('form', { name: 'Upload APNs push certificate' }).count()).toBe(0)
    const button = page.getByRole('button', { name: 'Enroll a device' })
    await button.click()
    const form = page.getByRole('form', { name: 'Enroll device' })
    await form.waitFor()
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-labelledby'))).toBe('enroll-device')
    await form.getByLabel('Serial number').focus()
    await page.keyboard.press('Escape')
    await form.waitFor({ state: 'detached' })
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Enroll a device')
    expect(problems).toEqual([])
  })

  test('marks the withdrawal setting a save refused, in words', async ({ page, app, problems }) => {
    await openSection(page, 'Settings')
    const form = page.getByRole('form', { name: 'Safe withdrawal settings' })
    const share = form.getByLabel('Hold above share (0–1)')
    await share.fill('2')
    await form.getByRole('button', { name: 'Save settings' }).click()
    await expect.poll(() => share.getAttribute('aria-invalid')).toBe('true')
    const describedBy = (await share.getAttribute('aria-describedby')) as string
    expect(await page.locator(`[id="${describedBy}"]`).innerText()).toContain('must be a share above 0 and at most 1')
    await form.getByRole('alert').getByText('Hold above share (0–1)').waitFor()
    expect(await form.innerText()).not.toContain('breakerShare')
    const saved = await app.invoke('policies/settings', {})
    expect(saved.ok && (saved.value as { breakerShare: number }).breakerShare).not.toBe(2)

    await share.fill('0.5')
    await form.getByRole('button', { name: 'Save settings' }).click()
    await form.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor()
    expect(await share.getAttribute('aria-invalid')).toBeNull()
    const after = await app.invoke('policies/settings', {})
    expect(after.ok && (after.value as { breakerShare: number }).breakerShare).toBe(0.5)
    expect(problems).toEqual([])
  })

  test('marks the ingress setting a save refused', async ({ page, app, problems }) => {
    await openSection(page, 'Settings')
    const form = page.getByRole('form', { name: 'Ingress settings' })
    const url = form.getByLabel('Public URL')
    await url.fill('http://devices.example')
    await form.getByRole('button', { name: 'Save ingress settings' }).click()
    await expect.poll(() => url.getAttribute('aria-invalid')).toBe('true')
    const describedBy = (await url.getAttribute('aria-describedby')) as string
    expect(await page.locator(`[id="${describedBy}"]`).innerText()).toContain('must be https://')
    expect(await form.getByLabel('Issuer URL').getAttribute('aria-invalid')).toBeNull()
    const kept = await app.invoke('ingress/get', {})
    expect(kept.ok && (kept.value as { settings: { publicUrl: string | null } }).settings.publicUrl).toBeNull()
    expect(problems).toEqual([])
  })
})

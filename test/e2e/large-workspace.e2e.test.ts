// A large workspace in the browser: thousands of users imported on the import thread, pages and
// searches answered by the server, diagnostics grouped by cause, and a device enrolled by another
// process appearing on the open Devices page; a re-import that tells its progress while the host
// answers; a device's command queue paged on the server; devices found by model and OS. The built import and diagnostics threads (npm run build) are used.
import { join } from 'node:path'
import { expect } from 'vitest'
import type { SyncProgress } from '../../src/shared/domain'
import { createApp } from '../../src/main/app'
import { e2eTest } from '../helpers/e2e'

const USERS = 3_000
const DEVICES = 300
const importWorker = join(__dirname, '..', '..', 'out', 'cli', 'import-worker.cjs')
// The diagnostics are read on their thread: the page shows what was read before, then the new read when it lands.
const diagnosticsWorker = join(__dirname, '..', '..', 'out', 'cli', 'diagnostics-worker.cjs')

const test = e2eTest.extend(
  'e2e',
  { scope: 'file' },
  { demo: false, app: { importWorker, diagnosticsWorker, changePollMs: 100 } },
)

const upn = (i: number) => `person${String(i).padStart(5, '0')}@large.example`

test.describe('a large workspace', () => {
  let directoryId: string

  test.beforeAll(async ({ app }) => {
    const { store, directories } = app.services
    directoryId = directories.createFileDirectory('Large file')
    store.groups.create({
      id: 'g-de',
      directoryId: null,
      name: 'German staff',
      kind: 'rule',
      dialect: 'entra',
      rule: 'user.usageLocation -eq "DE"',
      description: '',
    })
    const rows = ['userPrincipalName,displayName,department,usageLocation']
    for (let i = 0; i < USERS; i++)
      rows.push(`${upn(i)},Person ${String(i).padStart(5, '0')},Dept ${i % 7},${i % 3 === 0 ? '' : 'DE'}`)
    const r = await app.invoke('directories/import', {
      directoryId,
      format: 'csv',
      content: rows.join('\n'),
      mode: 'update',
    })
    if (!r.ok) throw new Error(r.error.message)
    for (let d = 0; d < DEVICES; d++)
      await app.call('devices/enroll', {
        serial: `LG${String(d).padStart(5, '0')}`,
        platform: d % 2 ? 'ios' : 'android',
        userPrincipalName: upn(d * 7),
        name: `Large device ${String(d).padStart(4, '0')}`,
      })
  })

  const csv = (department: (i: number) => string) => {
    const rows = ['userPrincipalName,displayName,department,usageLocation']
    for (let i = 0; i < USERS; i++)
      rows.push(`${upn(i)},Person ${String(i).padStart(5, '0')},${department(i)},${i % 3 === 0 ? '' : 'DE'}`)
    return rows.join('\n')
  }

  const open = (page: import('playwright-core').Page, section: string) =>
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: section, exact: true }).click()

  test('pages and searches users on the server', async ({ page }) => {
    await open(page, 'Users')
    const pager = page.getByRole('navigation', { name: 'Pages of users' })
    await pager.getByText(`1–200 of ${USERS.toLocaleString()}`).waitFor()
    await pager.getByRole('button', { name: 'Next' }).click()
    await pager.getByText(`201–400 of ${USERS.toLocaleString()}`).waitFor()
    const table = page.getByRole('table', { name: 'Users' })
    await table.getByRole('link', { name: 'Person 00200', exact: true }).waitFor()
    // Only the rows in view are rendered, not the page's 200.
    expect(await table.getByRole('row').count()).toBeLessThan(60)
    await page.getByRole('searchbox', { name: 'Search users' }).fill('person02999')
    await table.getByRole('link', { name: 'Person 02999', exact: true }).waitFor()
    await page.getByText('1 user', { exact: true }).waitFor()
  })

  test('searches devices by serial and sorts them', async ({ page }) => {
    await open(page, 'Devices')
    const table = page.getByRole('table', { name: 'Devices' })
    await page.getByText(`${DEVICES} devices`).waitFor()
    await page.getByRole('searchbox', { name: 'Search devices' }).fill('LG0012')
    await page.getByText('10 devices', { exact: true }).waitFor()
    await table.getByRole('button', { name: 'Device' }).click()
    await table
      .getByRole('columnheader', { name: /Device/ })
      .and(page.locator('[aria-sort="descending"]'))
      .waitFor()
    // The header sorts at once; the page sorted on the server arrives after.
    await expect.poll(() => table.getByRole('link').first().textContent()).toBe('Large device 0129')
  })

  test('groups diagnostics by cause and pages the cause', async ({ page }) => {
    await open(page, 'Diagnostics')
    const cause = page
      .getByRole('list', { name: 'SYNC_ATTR_MISSING causes' })
      .getByRole('listitem')
      .filter({ hasText: 'usageLocation missing for 1,000 users of Large file' })
    await cause.waitFor()
    await cause.getByRole('button', { name: 'Show the 1,000 diagnostics' }).click()
    const pager = cause.getByRole('navigation', { name: /^Pages of/ })
    await pager.getByText('1–50 of 1,000').waitFor()
    await pager.getByRole('button', { name: 'Next' }).click()
    await pager.getByText('51–100 of 1,000').waitFor()
  })

  test('finds devices by the model and OS they reported', async ({ page, app }) => {
    const { store } = app.services
    const id = (serial: string) => store.devices.enrollmentOf(serial)?.deviceId as string
    store.apple.putFacts(id('LG00001'), { model: 'iPhone16,1', modelName: 'iPhone 15 Pro', osVersion: '17.4' })
    store.apple.putFacts(id('LG00003'), { model: 'iPhone14,7', modelName: 'iPhone 14', osVersion: '16.6' })
    await open(page, 'Devices')
    const search = page.getByRole('searchbox', { name: 'Search devices' })
    const table = page.getByRole('table', { name: 'Devices' })
    await search.fill('iPhone 15 Pro')
    await page.getByText('1 device', { exact: true }).waitFor()
    await table.getByRole('link', { name: 'Large device 0001', exact: true }).waitFor()
    await search.fill('ios 16')
    await page.getByText('1 device', { exact: true }).waitFor()
    await table.getByRole('link', { name: 'Large device 0003', exact: true }).waitFor()
  })

  test("pages a device's command queue on the server", async ({ page, app }) => {
    const { store, clock } = app.services
    const deviceId = store.devices.enrollmentOf('LG00002')?.deviceId as string
    const at = clock.now().toISOString()
    store.devices.enqueue(
      deviceId,
      Array.from({ length: 60 }, (_, i) => ({
        id: `queued-${i}`,
        type: 'install_app' as const,
        payload: { name: `Queued app ${i}`, identifier: `com.example.queued${i}` },
        reason: { policyId: '', policyName: 'Bulk', groupId: null, groupName: null, summary: 'A long queue' },
        deadlineAt: at,
      })),
      at,
    )
    const total = store.historyPages.commands(deviceId, { offset: 0, limit: 1 }).total
    await page.goto(`${new URL(page.url()).origin}/#/devices/${deviceId}`)
    const pager = page.getByRole('navigation', { name: 'Pages of commands' })
    await pager.getByText(`1–50 of ${total}`).waitFor()
    await pager.getByRole('button', { name: 'Next' }).click()
    await pager.getByText(`51–${total} of ${total}`).waitFor()
    // The pager moves at once; the page's rows arrive after.
    await expect.poll(() => page.getByRole('table', { name: 'Commands' }).getByRole('row').count()).toBe(total - 50 + 1)
  })

  test('re-imports with its progress told, the host answering meanwhile', async ({ app, host }) => {
    const seen: SyncProgress[] = []
    const off = app.on('directories/syncProgress', p => {
      seen.push(p)
    })
    const ping = async () => {
      const r = await fetch(`${new URL(host.url).origin}/__ipc/policies/settings`, {
        method: 'POST',
        headers: { 'x-jit-mapper-secret': host.secret, 'x-jit-mapper': '1', 'content-type': 'application/json' },
        body: '{}',
      })
      expect(r.ok).toBe(true)
      await r.arrayBuffer()
    }
    let importing = true
    const reimport = app
      .invoke('directories/import', {
        directoryId,
        format: 'csv',
        content: csv(i => `Dept ${(i + 1) % 7}`),
        mode: 'update',
      })
      .finally(() => {
        importing = false
      })
    let pings = 0
    while (importing) {
      await ping()
      pings++
    }
    off()
    expect((await reimport).ok).toBe(true)
    expect(pings).toBeGreaterThan(1)
    expect(seen.map(p => p.phase)).toEqual(expect.arrayContaining(['applying', 'evaluating', 'done']))
    expect(seen.find(p => p.message?.endsWith('users read; writing them'))?.users).toBe(USERS)
    expect(seen.at(-1)).toMatchObject({ phase: 'done', percent: 100, directoryId, runId: 'import' })
  })

  test('shows a device another process enrolls while the Devices page is open', async ({ page, workspace }) => {
    await open(page, 'Devices')
    await page.getByRole('searchbox', { name: 'Search devices' }).fill('OTHER-PROCESS')
    await page.getByText('No device matches the search.').waitFor()
    const cli = createApp({ dataDir: workspace.path, changePollMs: 0 })
    try {
      await cli.call('devices/enroll', { serial: 'OTHER-PROCESS-1', platform: 'ios', userPrincipalName: upn(1) })
    } finally {
      cli.close()
    }
    await page.getByRole('table', { name: 'Devices' }).getByText('OTHER-PROCESS-1').first().waitFor()
  })
})

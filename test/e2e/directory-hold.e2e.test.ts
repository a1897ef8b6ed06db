// A directory sync held for removing too many users, confirmed from the Directories page, and a
// running sync cancelled from beside its progress bar: the real renderer in headless Chromium
// against the real services and the Graph fake on loopback.
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../src/main/app'
import type { Host } from '../../src/main/headless/host'
import type { DirectoryDetail, SyncRun } from '../../src/shared/domain'
import { DirectoryData } from '../fakes/directory-data'
import { GRAPH_ORIGIN, LOGIN_ORIGIN, startGraphFake, type GraphFake } from '../fakes/graph/server'
import { loopbackRouter } from '../fakes/router'
import { storeSnapshot } from '../helpers/directory'
import { openAppInBrowser } from '../helpers/browser'
import { tempDir } from '../helpers/workspace'

const RESULTS_DIR = join(resolve(__dirname, '../..'), 'test-results')
const SECRET = 'e2e-hold-secret-41c7'

describe('held and cancelled syncs on the Directories page', () => {
  let dir: ReturnType<typeof tempDir>
  let app: App
  let graph: GraphFake
  let host: Host
  let browser: Browser
  let page: Page
  let directoryId: string
  const problems: string[] = []

  beforeAll(async () => {
    graph = await startGraphFake({
      data: new DirectoryData({ users: 200, groups: 12, seed: 5 }),
      tenantId: 'contoso.example',
      clientId: 'e2e-client',
      clientSecret: SECRET,
      pageSize: 20,
    })
    dir = tempDir('jit-mapper-e2e-hold-')
    app = createApp({
      dataDir: dir.path,
      http: loopbackRouter({ [GRAPH_ORIGIN]: graph.url, [LOGIN_ORIGIN]: graph.url }),
    })
    const connected = await app.invoke('directories/connect', {
      kind: 'entra',
      name: 'Contoso',
      settings: { tenantId: 'contoso.example', clientId: 'e2e-client' },
      secrets: { clientSecret: SECRET },
    })
    if (!connected.ok) throw new Error(connected.error.message)
    directoryId = (connected.value as DirectoryDetail).directory.id
    const first = await app.invoke('directories/sync', { directoryId })
    if (!first.ok || (first.value as SyncRun).status !== 'succeeded') throw new Error('first sync failed')
    ;({ host, browser, page } = await openAppInBrowser(app, problems))
  })

  afterAll(async () => {
    await browser?.close()
    await host?.close()
    app?.close()
    await graph?.close()
    dir?.remove()
  })

  const openDirectories = async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Directories', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: 'Directories' }).waitFor()
    return page.getByRole('article', { name: 'Contoso', exact: true })
  }

  it('holds a sync that removes 40 of 200 users, shows it in the history and diagnostics, and applies it on "Confirm and apply"', async () => {
    for (const u of graph.data.someUsers(40)) graph.data.removeUser(u.id)
    const before = storeSnapshot(app)
    let card = await openDirectories()
    await card.getByRole('button', { name: 'Sync Now' }).click()
    const history = card.getByRole('table', { name: 'Sync history' })
    const heldRow = history
      .getByRole('row')
      .filter({ hasText: 'held' })
      .filter({ hasText: 'would remove 40 of 200 users' })
    await heldRow.waitFor()
    await card
      .getByText(/^Held: this sync would remove 40 of 200 users/)
      .first()
      .waitFor()
    await page
      .getByRole('table', { name: 'Directories' })
      .getByRole('row')
      .filter({ hasText: 'Contoso' })
      .filter({ hasText: 'held' })
      .waitFor()
    expect(storeSnapshot(app)).toBe(before)

    // The diagnostic view says so too, and leads back to the directory.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Diagnostics', exact: true }).click()
    const notice = page.getByRole('region', { name: 'Held directory syncs' })
    await notice.getByText(/would remove 40 of 200 users/).waitFor()
    await notice.getByRole('link', { name: 'Review on the Directories page' }).click()
    card = page.getByRole('article', { name: 'Contoso', exact: true })
    mkdirSync(RESULTS_DIR, { recursive: true })
    await page.screenshot({ path: join(RESULTS_DIR, 'directory-held.png'), fullPage: true })

    await history.getByRole('button', { name: 'Confirm and apply' }).click()
    await history
      .getByRole('row')
      .filter({ hasText: 'succeeded' })
      .filter({ hasText: 'Removals confirmed by the admin: 40 of 200 users' })
      .waitFor()
    expect(app.services.store.sync.userCount(directoryId)).toBe(160)
    // The latest run is no longer held: nothing left to confirm.
    expect(await history.getByRole('button', { name: 'Confirm and apply' }).count()).toBe(0)
  })

  it('cancels a running sync from beside the progress bar, changing nothing', async () => {
    graph.data.updateUser(graph.data.someUsers(1)[0]!.id, { department: 'Legal' })
    // The next users page takes 30 s: long enough to press Cancel while the pull waits for it.
    graph.inject({ kind: 'slow', ms: 30_000 }, { path: '/v1.0/users/delta' })
    const before = storeSnapshot(app)
    const card = await openDirectories()
    await card.getByRole('button', { name: 'Sync Now' }).click()
    await card.getByRole('progressbar', { name: 'Sync progress' }).waitFor()
    await card.getByRole('button', { name: 'Cancel sync' }).click()
    await card.getByText(/The sync of Contoso was cancelled by the admin; nothing was changed\./).waitFor()
    await card
      .getByRole('table', { name: 'Sync history' })
      .getByRole('row')
      .filter({ hasText: 'cancelled' })
      .filter({ hasText: 'Cancelled by the admin' })
      .waitFor()
    expect(await card.getByRole('button', { name: 'Cancel sync' }).count()).toBe(0)
    expect(await card.getByRole('button', { name: 'Sync Now' }).isEnabled()).toBe(true)
    expect(storeSnapshot(app)).toBe(before)
    expect(problems).toEqual([])
  })
})

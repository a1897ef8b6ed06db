// A directory sync held for removing too many users, confirmed from the Directories page, and a
// running sync cancelled from beside its progress bar: the real renderer in headless Chromium
// against the real services and the Graph fake on loopback.
import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import { DirectoryData } from '../fakes/directory-data'
import { connectEntra, graphRoutes, startEntraGraph, storeSnapshot } from '../helpers/directory'
import { screenshot, e2eTest } from '../helpers/e2e'

const test = e2eTest
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  .extend('graph', { scope: 'file' }, async ({}, { onCleanup }) => {
    const graph = await startEntraGraph({ data: new DirectoryData({ users: 200, groups: 12, seed: 5 }), pageSize: 20 })
    onCleanup(() => graph.close())
    return graph
  })
  .extend('e2e', { scope: 'file' }, async ({ graph }) => ({ demo: false, app: { http: graphRoutes(graph) } }))

test.describe('held and cancelled syncs on the Directories page', () => {
  let directoryId: string

  test.beforeAll(async ({ app }) => {
    directoryId = await connectEntra(app)
    const first = await app.call('directories/sync', { directoryId })
    if (first.status !== 'succeeded') throw new Error(`first sync ${first.status}: ${first.error}`)
  })

  const openDirectories = async (page: Page) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Directories', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: 'Directories' }).waitFor()
    return page.getByRole('article', { name: 'Contoso', exact: true })
  }

  test('holds a sync that removes 40 of 200 users, shows it in the history and diagnostics, and applies it on "Confirm and apply"', async ({
    page,
    app,
    graph,
  }) => {
    for (const u of graph.data.someUsers(40)) graph.data.removeUser(u.id)
    const before = storeSnapshot(app)
    let card = await openDirectories(page)
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
    await screenshot(page, 'directory-held')

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

  test('cancels a running sync from beside the progress bar, changing nothing', async ({
    page,
    app,
    problems,
    graph,
  }) => {
    graph.data.updateUser(graph.data.someUsers(1)[0]!.id, { department: 'Legal' })
    // The next users page takes 30 s: long enough to press Cancel while the pull waits for it.
    graph.inject({ kind: 'slow', ms: 30_000 }, { path: '/v1.0/users/delta' })
    const before = storeSnapshot(app)
    const card = await openDirectories(page)
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

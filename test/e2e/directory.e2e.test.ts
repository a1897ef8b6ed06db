// Connecting Entra ID through the Directories page and syncing it with a live progress bar,
// against the Graph fake on loopback: the real services, renderer, SQLite and HTTP.
import { expect } from 'vitest'
import { DirectoryData } from '../fakes/directory-data'
import { graphRoutes, startEntraGraph } from '../helpers/directory'
import { screenshot, e2eTest } from '../helpers/e2e'

/** A registration with a secret distinctive enough to search every answer for. */
const REGISTRATION = { tenantId: 'contoso.example', clientId: 'e2e-client', clientSecret: 'e2e-client-secret-9f3b' }

const test = e2eTest
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  .extend('graph', { scope: 'file' }, async ({}, { onCleanup }) => {
    const graph = await startEntraGraph({
      data: new DirectoryData({ users: 3000, groups: 30, seed: 4 }),
      registration: REGISTRATION,
      pageSize: 100,
    })
    onCleanup(() => graph.close())
    return graph
  })
  .extend('e2e', { scope: 'file' }, async ({ graph }) => ({ demo: false, app: { http: graphRoutes(graph) } }))

test.describe('the Directories page with the Graph fake', () => {
  test('connects Entra ID, tests the connection and syncs with a progress bar', async ({
    page,
    problems,
    responses,
    graph,
  }) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Directories', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: 'Directories' }).waitFor()
    const form = page.getByRole('form', { name: 'Connect a directory' })
    await form.getByLabel('Identity provider').selectOption('entra')
    await form.getByLabel('Name').fill('Contoso')
    await form.getByLabel('Tenant ID or domain').fill(REGISTRATION.tenantId)
    await form.getByLabel('Application (client) ID').fill(REGISTRATION.clientId)
    await form.getByLabel('Client secret').fill(REGISTRATION.clientSecret)
    await form.getByRole('button', { name: 'Connect' }).click()

    const card = page.getByRole('article', { name: 'Contoso', exact: true })
    await card.getByText('clientSecret stored').waitFor()
    // The form forgets the secret once it is stored.
    expect(await form.getByLabel('Client secret').inputValue()).toBe('')

    await card.getByRole('button', { name: 'Test connection' }).click()
    await card.getByRole('status').filter({ hasText: 'Connected to Entra tenant contoso.example' }).waitFor()

    await card.getByRole('button', { name: 'Sync Now' }).click()
    const bar = card.getByRole('progressbar', { name: 'Sync progress' })
    await bar.waitFor()
    await card
      .getByRole('status')
      .filter({ hasText: /^100% · done/ })
      .waitFor()
    expect(await bar.getAttribute('value')).toBe('100')
    const history = card.getByRole('table', { name: 'Sync history' })
    await history.getByRole('row').filter({ hasText: 'succeeded' }).filter({ hasText: '3,000' }).waitFor()

    // Graph forgets the delta token: the next sync runs in full, and the history says why.
    graph.expireDeltaTokens()
    await card.getByRole('button', { name: 'Sync Now' }).click()
    await history
      .getByRole('row')
      .filter({ hasText: 'full' })
      .filter({ hasText: 'no longer knows the delta token' })
      .filter({ hasText: 'A full sync ran instead.' })
      .waitFor()

    // Coverage of the mapped attributes after the sync.
    const department = card
      .getByRole('table', { name: 'Attribute mapping' })
      .getByRole('row')
      .filter({ has: page.locator('input[value="department"]') })
    await department.getByText(/98% \(2,940\/3,000\)/).waitFor()
    // Unmapping department, previewed before saving: what rules reading it would do.
    await department.getByRole('button', { name: 'Remove' }).click()
    await card.getByRole('button', { name: 'Preview impact' }).click()
    await card
      .getByRole('region', { name: 'Mapping impact' })
      .getByText(/^Unmapping department/)
      .waitFor()
    await screenshot(page, 'directories')

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor()

    expect(await page.content()).not.toContain(REGISTRATION.clientSecret)
    expect(responses.join('\n')).not.toContain(REGISTRATION.clientSecret)
    expect(problems).toEqual([])
  })
})

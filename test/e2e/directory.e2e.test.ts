// Connecting Entra ID through the Directories page and syncing it with a live progress bar,
// against the Graph fake on loopback: the real services, renderer, SQLite and HTTP.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../src/main/app'
import { startHost } from '../../src/main/headless/host'
import { DirectoryData } from '../fakes/directory-data'
import { GRAPH_ORIGIN, LOGIN_ORIGIN, startGraphFake, type GraphFake } from '../fakes/graph/server'
import { loopbackRouter } from '../fakes/router'
import { openBrowser } from '../helpers/browser'

const ROOT = resolve(__dirname, '../..')
const RENDERER_DIR = join(ROOT, 'out/renderer')
const RESULTS_DIR = join(ROOT, 'test-results')
const SECRET = 'e2e-client-secret-9f3b'

describe('the Directories page with the Graph fake', () => {
  let dataDir: string
  let app: App
  let graph: GraphFake
  let host: { url: string; close(): Promise<void> }
  let browser: Browser
  let page: Page
  const problems: string[] = []
  const responses: string[] = []

  beforeAll(async () => {
    graph = await startGraphFake({
      data: new DirectoryData({ users: 3000, groups: 30, seed: 4 }),
      tenantId: 'contoso.example',
      clientId: 'e2e-client',
      clientSecret: SECRET,
      pageSize: 100,
    })
    dataDir = mkdtempSync(join(tmpdir(), 'jit-mapper-e2e-dir-'))
    app = createApp({ dataDir, http: loopbackRouter({ [GRAPH_ORIGIN]: graph.url, [LOGIN_ORIGIN]: graph.url }) })
    host = await startHost({ app, rendererDir: RENDERER_DIR })
    ;({ browser, page } = await openBrowser(problems, 20_000))
    page.on('response', r => {
      if (r.url().includes('/__ipc/'))
        void r.text().then(
          t => responses.push(t),
          () => {},
        )
    })
    await page.goto(host.url)
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor()
  })

  afterAll(async () => {
    await browser?.close()
    await host?.close()
    app?.close()
    await graph?.close()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  it('connects Entra ID, tests the connection and syncs with a progress bar', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Directories', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: 'Directories' }).waitFor()
    const form = page.getByRole('form', { name: 'Connect a directory' })
    await form.getByLabel('Identity provider').selectOption('entra')
    await form.getByLabel('Name').fill('Contoso')
    await form.getByLabel('Tenant ID or domain').fill('contoso.example')
    await form.getByLabel('Application (client) ID').fill('e2e-client')
    await form.getByLabel('Client secret').fill(SECRET)
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
    await history.getByRole('row').filter({ hasText: 'succeeded' }).filter({ hasText: '3000' }).waitFor()

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
    await department.getByText(/98% \(2940\/3000\)/).waitFor()
    // Unmapping department, previewed before saving: what rules reading it would do.
    await department.getByRole('button', { name: 'Remove' }).click()
    await card.getByRole('button', { name: 'Preview impact' }).click()
    await card
      .getByRole('region', { name: 'Mapping impact' })
      .getByText(/^Unmapping department/)
      .waitFor()
    mkdirSync(RESULTS_DIR, { recursive: true })
    await page.screenshot({ path: join(RESULTS_DIR, 'directories.png'), fullPage: true })

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor()

    expect(await page.content()).not.toContain(SECRET)
    expect(responses.join('\n')).not.toContain(SECRET)
    expect(problems).toEqual([])
  })
})

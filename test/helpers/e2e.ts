// The one fixture every end-to-end file extends (vitest test.extend, each part set up once per
// file): a temp workspace, the app on it (the demo organisation loaded unless the file says
// otherwise), the built renderer on the loopback host, and one headless Chromium page past the
// launch secret. Parts are set up when first asked for and torn down in reverse at the end of the
// file, so a file's beforeAll can prepare the app (enroll devices, connect a directory) before
// its first test opens the page. A file changes the set-up by extending `e2e` again, e.g.
//   const test = e2eTest.extend('e2e', { scope: 'file' }, { demo: false, app: { http } })
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { test } from 'vitest'
import { createApp, type AppOptions } from '../../src/main/app'
import { loadDemo } from '../../src/main/demo'
import { startHost } from '../../src/main/headless/host'
import { openBrowser, RENDERER_DIR } from './browser'
import { tempDir } from './workspace'

export interface E2eSetup {
  /** Load the demo organisation into the new workspace (default true). */
  demo: boolean
  /** Options for createApp beside its data folder (a clock, a push transport, IdP HTTP routes). */
  app: Omit<AppOptions, 'dataDir'>
}

/** Screenshots for people to look at after a run (not compared). */
const RESULTS_DIR = join(__dirname, '..', '..', 'test-results')

export const e2eTest = test
  .extend('e2e', { scope: 'file' }, { demo: true, app: {} } as E2eSetup)
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  .extend('workspace', { scope: 'file' }, async ({}, { onCleanup }) => {
    const dir = tempDir('jit-mapper-e2e-')
    onCleanup(() => dir.remove())
    return dir
  })
  .extend('app', { scope: 'file' }, async ({ e2e, workspace }, { onCleanup }) => {
    const app = createApp({ ...e2e.app, dataDir: workspace.path })
    onCleanup(() => app.close())
    if (e2e.demo) loadDemo(app)
    return app
  })
  /** Page errors and console errors of the page, which each file expects to stay empty. */
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  .extend('problems', { scope: 'file' }, async ({}) => [] as string[])
  /** The bodies of every answer the host gave the page over its bridge, to check none leaks a secret. */
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  .extend('responses', { scope: 'file' }, async ({}) => [] as string[])
  .extend('host', { scope: 'file' }, async ({ app }, { onCleanup }) => {
    const host = await startHost({ app, rendererDir: RENDERER_DIR })
    onCleanup(() => host.close())
    return host
  })
  .extend('page', { scope: 'file' }, async ({ host, problems, responses }, { onCleanup }) => {
    const { browser, page } = await openBrowser(problems, 20_000)
    onCleanup(() => browser.close())
    page.on('response', r => {
      if (r.url().includes('/__ipc/'))
        void r.text().then(
          t => responses.push(t),
          () => {},
        )
    })
    await page.goto(host.url)
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor()
    return page
  })

/** Saves a full-page screenshot as test-results/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(RESULTS_DIR, { recursive: true })
  await page.screenshot({ path: join(RESULTS_DIR, `${name}.png`), fullPage: true })
}

// Opens the app in headless Chromium for the end-to-end tests (which Chromium: ./chromium.ts).
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import type { App } from '../../src/main/app'
import { startHost, type Host } from '../../src/main/headless/host'
import { findChromium } from './chromium'

/** Opens one page; page errors and console errors are collected into `problems`. */
export async function openBrowser(problems: string[], timeoutMs = 15_000): Promise<{ browser: Browser; page: Page }> {
  const { executablePath, args } = await findChromium()
  const browser = await chromium.launch({ executablePath, args })
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
  page.setDefaultTimeout(timeoutMs)
  page.on('pageerror', e => problems.push(`pageerror: ${e.message}`))
  page.on('console', m => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`)
  })
  return { browser, page }
}

const RENDERER_DIR = join(__dirname, '..', '..', 'out', 'renderer')

/**
 * Serves the built renderer (out/renderer) for this app on the loopback host and opens it,
 * past the launch secret, on the Overview page.
 */
export async function openAppInBrowser(
  app: App,
  problems: string[],
): Promise<{ host: Host; browser: Browser; page: Page }> {
  const host = await startHost({ app, rendererDir: RENDERER_DIR })
  const { browser, page } = await openBrowser(problems)
  await page.goto(host.url)
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor()
  return { host, browser, page }
}

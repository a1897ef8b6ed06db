// Opens headless Chromium for the end-to-end tests (which Chromium: ./chromium.ts); the fixture
// that serves the app to it is ./e2e.ts.
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { findChromium } from './chromium'

/** The built renderer (npm run build) that the loopback host serves. */
export const RENDERER_DIR = join(__dirname, '..', '..', 'out', 'renderer')

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

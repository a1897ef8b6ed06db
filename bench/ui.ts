// `npm run bench -- ui`: the app at 100,000 users and 10,000 devices, driven as an admin would in
// headless Chromium against the headless host (the built renderer, real services, real SQLite).
// Each figure is the time from the admin's action to the answer on screen.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Worker } from 'node:worker_threads'
import type { Page } from 'playwright-core'
import { createApp } from '../src/main/app'
import { startHost } from '../src/main/headless/host'
import { builtDiagnosticsWorker } from '../src/main/headless/diagnostics-worker-path'
import { builtImportWorker } from '../src/main/headless/import-worker-path'
import { findChromium } from '../test/helpers/chromium'
import { buildWorkspace, directoryCsv, ruleOf, USERS } from './ui-workspace'

interface Figure {
  name: string
  value: number
  unit: string
}

const ms = (started: number): number => Math.round(performance.now() - started)
const log = (line: string) => process.stderr.write(`ui: ${line}\n`)

async function timed(action: () => Promise<unknown>, shown: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await action()
  await shown()
  return ms(started)
}

// The pinger runs on a thread of its own, as the admin's renderer is a process of its own: tens of
// thousands of fetches made on the host's own thread would leave their garbage in the host's heap
// and count its collection as the host's stalls.
const PINGER = `
const { parentPort, workerData } = require('node:worker_threads')
const { performance } = require('node:perf_hooks')
let stopping = false
parentPort.once('message', () => { stopping = true })
;(async () => {
  let stall = 0
  let pings = 0
  while (!stopping) {
    const started = performance.now()
    const r = await fetch(workerData.url, { method: 'POST', headers: workerData.headers, body: '{}' })
    if (!r.ok) throw new Error('ping answered ' + r.status)
    await r.arrayBuffer()
    stall = Math.max(stall, performance.now() - started)
    pings++
  }
  parentPort.postMessage({ stall, pings })
})()
`

/** Pings the host's channel until stopped; the longest answer and how many were asked. */
function startPinger(url: string, secret: string): { stop(): Promise<{ stall: number; pings: number }> } {
  const headers = { 'x-jit-mapper-secret': secret, 'x-jit-mapper': '1', 'content-type': 'application/json' }
  const worker = new Worker(PINGER, { eval: true, workerData: { url, headers } })
  const result = new Promise<{ stall: number; pings: number }>((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
    worker.once('exit', code => reject(new Error(`the pinger stopped (exit code ${code}) before it answered`)))
  })
  return {
    async stop() {
      worker.postMessage('stop')
      try {
        return await result
      } finally {
        await worker.terminate()
      }
    },
  }
}

const section = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click()

/**
 * The workspace to drive: built afresh (minutes: 100,000 users and 10,000 enrollments), or copied
 * from JIT_BENCH_UI_WORKSPACE when that folder holds one an earlier run kept there, so figures
 * before and after a change can be taken back to back on the same workspace.
 */
async function openWorkspace(
  dir: string,
  importWorker: string,
  diagnosticsWorker: string,
): Promise<{ app: ReturnType<typeof createApp>; directoryId: string }> {
  const kept = process.env['JIT_BENCH_UI_WORKSPACE']
  const marker = kept ? join(kept, 'bench-ui.json') : null
  if (kept && marker && existsSync(marker)) {
    cpSync(kept, dir, { recursive: true })
    log(`copied the workspace kept in ${kept}`)
    const { directoryId } = JSON.parse(readFileSync(marker, 'utf8')) as { directoryId: string }
    return { app: createApp({ dataDir: dir, importWorker, diagnosticsWorker }), directoryId }
  }
  const built = createApp({ dataDir: dir, importWorker, diagnosticsWorker })
  const { directoryId } = await buildWorkspace(built, log)
  if (!kept || !marker) return { app: built, directoryId }
  built.close()
  rmSync(kept, { recursive: true, force: true })
  cpSync(dir, kept, { recursive: true })
  writeFileSync(marker, JSON.stringify({ directoryId }))
  log(`kept the workspace in ${kept}`)
  return { app: createApp({ dataDir: dir, importWorker, diagnosticsWorker }), directoryId }
}

export async function uiSuite(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'jit-bench-ui-'))
  const importWorker = builtImportWorker(__dirname)
  if (!importWorker) throw new Error('the import thread script is not built (npm run build)')
  const diagnosticsWorker = builtDiagnosticsWorker(__dirname)
  if (!diagnosticsWorker) throw new Error('the diagnostics thread script is not built (npm run build)')
  const { app, directoryId } = await openWorkspace(dir, importWorker, diagnosticsWorker)
  // The CLI's stand-in: a second connection on the same workspace, as `jit-mapper enroll` opens.
  let cli: ReturnType<typeof createApp> | null = null
  const figures: Figure[] = []
  const record = (f: Figure) => {
    figures.push(f)
    log(JSON.stringify(f))
  }
  const { executablePath, args } = await findChromium()
  // Loaded here, not with the bench: its ~70 MB would count in every suite's peak memory (sync.peak_rss_mb).
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({ executablePath, args })
  try {
    const host = await startHost({ app, rendererDir: join(process.cwd(), 'out', 'renderer') })
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    page.setDefaultTimeout(60_000)

    // Warm the caches a running app would have warm (diagnostics, the rule snapshot), as a
    // second visit finds them; then the first load of a fresh page.
    await app.invoke('workspace/summary', {})
    await app.invoke('rules/preview', { dialect: 'entra', text: ruleOf(10), limit: 1 })
    const firstLoad = await timed(
      () => page.goto(host.url),
      async () => {
        await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor()
        await page.locator('.nav-count').first().waitFor()
      },
    )
    record({ name: 'ui.first_load_ms', value: firstLoad, unit: 'ms' })

    await section(page, 'Devices')
    const devices = page.getByRole('table', { name: 'Devices' })
    await devices.getByRole('link').first().waitFor()
    const search = page.getByRole('searchbox', { name: 'Search devices' })
    record({
      name: 'ui.devices_search_ms',
      value: await timed(
        () => search.fill('SN00423'),
        () => devices.getByText('SN004237X').waitFor(),
      ),
      unit: 'ms',
    })

    await section(page, 'Users')
    const pager = page.getByRole('navigation', { name: 'Pages of users' })
    await pager.getByText(`1–200 of ${USERS.toLocaleString()}`).waitFor()
    record({
      name: 'ui.users_page_ms',
      value: await timed(
        () => pager.getByRole('button', { name: 'Next' }).click(),
        () => pager.getByText(`201–400 of ${USERS.toLocaleString()}`).waitFor(),
      ),
      unit: 'ms',
    })

    // A rule edit: the group's rule with another country; the true count is the one saved groups get.
    const edited = `(user.department -eq "Sales") -and (user.country -eq "FR")`
    const truth = await app.invoke('rules/preview', { dialect: 'entra', text: edited, limit: 1 })
    if (!truth.ok) throw new Error(truth.error.message)
    const expected = (truth.value as { memberCount: number }).memberCount
    await page.goto(`${new URL(host.url).origin}/#/groups/g10`)
    await page.getByRole('button', { name: 'Edit rule' }).click()
    const rule = page.getByRole('textbox', { name: 'Rule' })
    await rule.waitFor()
    record({
      name: 'ui.rule_preview_ms',
      value: await timed(
        () => rule.fill(edited),
        () =>
          page
            .getByRole('region', { name: 'Preview' })
            .getByText(`Preview: ${expected.toLocaleString()} members`)
            .waitFor(),
      ),
      unit: 'ms',
    })
    record({
      name: 'ui.whatif_ms',
      value: await timed(
        () => page.getByRole('button', { name: 'Preview impact' }).click(),
        () => page.getByRole('region', { name: 'What-if preview' }).waitFor(),
      ),
      unit: 'ms',
    })

    record({
      name: 'ui.diagnostics_ms',
      value: await timed(
        () => section(page, 'Diagnostics'),
        () =>
          page
            .getByRole('list', { name: 'SYNC_ATTR_MISSING causes' })
            .getByText(/usageLocation missing for 20,000 users/)
            .waitFor(),
      ),
      unit: 'ms',
    })

    // Pings to the host while a 100,000-row re-import (every user changes department) runs.
    const content = directoryCsv(1)
    const pinger = startPinger(`${new URL(host.url).origin}/__ipc/policies/settings`, host.secret)
    const r = await app.invoke('directories/import', { directoryId, format: 'csv', content, mode: 'update' })
    const { stall, pings } = await pinger.stop()
    if (!r.ok) throw new Error(`the benchmark re-import failed: ${r.error.message}`)
    log(`${pings} pings during the re-import`)
    record({ name: 'ui.import_max_stall_ms', value: Math.round(stall), unit: 'ms' })

    // A device enrolled by another process while the Devices page is open.
    await section(page, 'Devices')
    await search.fill('CLIBENCH')
    await page.getByRole('table', { name: 'Devices' }).getByText('No device matches the search.').waitFor()
    cli = createApp({ dataDir: dir, changePollMs: 0 })
    const enrolled = await cli.invoke('devices/enroll', {
      serial: 'CLIBENCH1',
      platform: 'ios',
      userPrincipalName: 'user000001@northwind.example',
    })
    const committed = performance.now()
    if (!enrolled.ok) throw new Error(enrolled.error.message)
    await page.getByRole('table', { name: 'Devices' }).getByText('CLIBENCH1').first().waitFor()
    record({ name: 'ui.cli_change_visible_ms', value: ms(committed), unit: 'ms' })
    await host.close()
    return figures
  } finally {
    await browser.close()
    cli?.close()
    app.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

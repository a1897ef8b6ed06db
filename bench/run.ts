// `npm run bench [-- suite …]`: prints one JSON line per figure, {"name","value","unit"}.
// Suites measure the production bundle (out/cli/bench.cjs) on a fresh temp workspace.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createApp } from '../src/main/app'
import { loadDemo } from '../src/main/demo'
import { syncSuite } from './sync'
import { rules } from './rules'
import { devices } from './devices'
import { importSuite } from './import'
import { notifySuite } from './notify'
import { policy } from './policy'
import { uiSuite } from './ui'

interface Figure {
  name: string
  value: number
  unit: string
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN
const round = (n: number): number => Math.round(n * 1000) / 1000

async function jit(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'jit-bench-'))
  const app = createApp({ dataDir: dir })
  try {
    loadDemo(app)
    const users = app.services.store.users.list(undefined, 1000, 0).rows
    const times: number[] = []
    for (let i = 0; i < 1000; i++) {
      const user = users[i % users.length]
      if (!user) throw new Error('the demo organisation has no users')
      const started = performance.now()
      const r = await app.invoke('devices/enroll', {
        serial: `BENCH-${i}`,
        platform: i % 2 ? 'ios' : 'android',
        userPrincipalName: user.userPrincipalName,
      })
      times.push(performance.now() - started)
      if (!r.ok) throw new Error(r.error.message)
    }
    times.sort((a, b) => a - b)
    return [
      { name: 'jit.enroll_p50_ms', value: round(percentile(times, 50)), unit: 'ms' },
      { name: 'jit.enroll_p99_ms', value: round(percentile(times, 99)), unit: 'ms' },
    ]
  } finally {
    app.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

const SUITES: Record<string, () => Promise<Figure[]>> = {
  jit,
  import: importSuite,
  policy,
  rules,
  devices,
  sync: syncSuite,
  ui: uiSuite,
  notify: notifySuite,
}

async function main(): Promise<void> {
  const asked = process.argv.slice(2)
  const unknown = asked.filter(s => !(s in SUITES))
  if (unknown.length > 0) {
    process.stderr.write(`Unknown benchmark suite ${unknown.join(', ')}; known: ${Object.keys(SUITES).join(', ')}\n`)
    process.exitCode = 2
    return
  }
  for (const name of asked.length > 0 ? asked : Object.keys(SUITES)) {
    for (const figure of await (SUITES[name] as () => Promise<Figure[]>)())
      process.stdout.write(`${JSON.stringify(figure)}\n`)
  }
}

void main()

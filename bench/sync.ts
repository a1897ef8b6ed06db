// `npm run bench -- sync`: directory sync over real HTTP to the Graph fake, which runs in its
// own process (out/cli/graph-fake.cjs) so it does not distort these figures. Before the timed
// sync the fake serializes the pages of the full round it will serve (a real IdP's work does not
// run on the client's cores; on this 2-core machine the fake's would compete with the sync's).
// - sync.full_100k_s: first (full) sync of 100,000 users and 2,000 groups
// - sync.ingest_vs_sqlite_ratio: that sync's users/s over a raw better-sqlite3 bulk insert of
//   the same user and attribute rows, measured in the same run (in a process of its own)
// - sync.delta_1pct_ms: an incremental sync in which 1% of users changed, re-evaluation included
// - sync.event_loop_p99_ms: event-loop delay p99 during the full sync
// - sync.peak_rss_mb: peak resident memory of this process (run the suite alone: other suites
//   before it in the same process would count)
// Also, to read the wall-clock figures on a shared machine: the CPU time (user + system) this
// process spent in the full and the 1% syncs, and the 1-minute load average when done.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { createApp } from '../src/main/app'
import { GRAPH_ORIGIN, GROUP_SELECT, graphSelect, LOGIN_ORIGIN } from '../src/main/directories/entra'
import type { HttpPort } from '../src/main/ports'
import type { DirectoryDetail } from '../src/shared/domain'

interface Figure {
  name: string
  value: number
  unit: string
}

const USERS = 100_000
const GROUPS = 2_000
const round = (n: number): number => Math.round(n * 1000) / 1000

/** Sends the IdP origins to the fake; anything else is refused (benchmarks stay on loopback). */
const router = (fake: string): HttpPort => ({
  fetch(url, init) {
    const u = new URL(url)
    if (u.origin !== GRAPH_ORIGIN && u.origin !== LOGIN_ORIGIN)
      return Promise.reject(new Error(`bench: refusing ${u.origin}`))
    return fetch(`${fake}${u.pathname}${u.search}`, init)
  },
})

async function startFake() {
  const child = spawn(
    process.execPath,
    [join(__dirname, 'graph-fake.cjs'), String(USERS), String(GROUPS), '42', '200', '100'],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  )
  const lines = createInterface({ input: child.stdout })
  const queue: ((line: string) => void)[] = []
  lines.on('line', l => queue.shift()?.(l))
  const next = () => new Promise<string>(resolve => queue.push(resolve))
  const { url } = JSON.parse(await next()) as { url: string }
  return {
    url,
    child,
    ask(cmd: string): Promise<unknown> {
      child.stdin.write(`${cmd}\n`)
      return next().then(l => JSON.parse(l))
    },
  }
}

/**
 * The raw insert of the same rows (sync-raw.ts), in a process of its own: its memory stays out of
 * this process's peak, and the sync's heap out of its time.
 */
function rawInsertUsersPerSecond(syncedDb: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'sync-raw.cjs'), syncedDb], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.on('error', reject)
    child.on('exit', code =>
      code === 0
        ? resolve((JSON.parse(out) as { usersPerSecond: number }).usersPerSecond)
        : reject(new Error(`sync-raw exited with ${code}`)),
    )
  })
}

export async function syncSuite(): Promise<Figure[]> {
  const fake = await startFake()
  const dir = mkdtempSync(join(tmpdir(), 'jit-bench-sync-'))
  const app = createApp({ dataDir: dir, http: router(fake.url) })
  try {
    const connected = await app.invoke('directories/connect', {
      kind: 'entra',
      name: 'Bench',
      settings: { tenantId: 'bench.example', clientId: 'bench-client' },
      secrets: { clientSecret: 'bench-secret' },
    })
    if (!connected.ok) throw new Error(connected.error.message)
    const detail = connected.value as DirectoryDetail
    const directoryId = detail.directory.id
    // The first URLs the Entra connector asks for (entra.ts pull); the fake prepares what follows them.
    await fake.ask(
      `prepare ${GRAPH_ORIGIN}/v1.0/users/delta?$select=${graphSelect(detail.mapping.map(m => m.property)).join(',')}`,
    )
    await fake.ask(`prepare ${GRAPH_ORIGIN}/v1.0/groups/delta?$select=${GROUP_SELECT}`)

    const loop = monitorEventLoopDelay({ resolution: 10 })
    loop.enable()
    const started = performance.now()
    const fullCpu = process.cpuUsage()
    const full = await app.invoke('directories/sync', { directoryId })
    const fullSeconds = (performance.now() - started) / 1000
    const fullCpuUsed = process.cpuUsage(fullCpu)
    loop.disable()
    if (!full.ok) throw new Error(full.error.message)

    // The writer thread's checkpoint runs on after the sync; the comparison gets a quiet machine.
    await app.services.directories.settled()
    const rawRate = await rawInsertUsersPerSecond(app.dbPath)

    await fake.ask('change 1')
    const deltaStarted = performance.now()
    const deltaCpu = process.cpuUsage()
    const delta = await app.invoke('directories/sync', { directoryId })
    const deltaMs = performance.now() - deltaStarted
    const deltaCpuUsed = process.cpuUsage(deltaCpu)
    if (!delta.ok) throw new Error(delta.error.message)

    return [
      { name: 'sync.full_100k_s', value: round(fullSeconds), unit: 's' },
      { name: 'sync.ingest_vs_sqlite_ratio', value: round(USERS / fullSeconds / rawRate), unit: 'ratio' },
      { name: 'sync.delta_1pct_ms', value: round(deltaMs), unit: 'ms' },
      { name: 'sync.event_loop_p99_ms', value: round(loop.percentile(99) / 1e6), unit: 'ms' },
      { name: 'sync.peak_rss_mb', value: round(process.resourceUsage().maxRSS / 1024), unit: 'MB' },
      { name: 'sync.full_100k_cpu_s', value: round((fullCpuUsed.user + fullCpuUsed.system) / 1e6), unit: 's' },
      { name: 'sync.delta_1pct_cpu_ms', value: round((deltaCpuUsed.user + deltaCpuUsed.system) / 1e3), unit: 'ms' },
      { name: 'sync.load_avg_1m', value: round(loadavg()[0] ?? 0), unit: 'load' },
    ]
  } finally {
    app.close()
    fake.child.kill()
    rmSync(dir, { recursive: true, force: true })
  }
}

// The diagnostic bundle: what a field tech hands to whoever fixes the fleet, as one JSON file
// (format BUNDLE_FORMAT): the open diagnostics (by cause and by device, with root causes), each
// affected device's why-chains and recent commands, the directories' sync history and the tail of
// the workspace's logs. Built from the local store and log files only, so it works offline.
//
// No secret reaches it. It is assembled from chosen fields (never a payload's settings, a push or
// directory credential, a token); every string then passes the log redaction (bearer and SSWS
// credentials, JWTs, private keys, secrets in URLs), and every payload secret the workspace holds
// (a Wi-Fi password, a VPN shared secret) is cut out wherever it appears, free text included.
import { existsSync, openSync, readdirSync, readSync, closeSync, fstatSync } from 'node:fs'
import { join } from 'node:path'
import type { ExportFile } from '../../shared/admin'
import type { Command, DeviceSummary, PushCredentialsInfo } from '../../shared/domain'
import { SECRET_SETTING } from '../../shared/policy'
import { BUNDLE_FORMAT } from '../../shared/triage'
import { diagnosticsByDevice, type DiagnosticsService } from '../diagnostics'
import { redact, redactText } from '../log'
import type { PolicyService } from '../policies'
import type { Store } from '../store'

/** How much of each log file the bundle keeps: its last lines, read from at most its last bytes. */
export const LOG_TAIL_LINES = 300
const LOG_TAIL_BYTES = 512 * 1024
/** Devices whose why-chains and commands the bundle carries (those with diagnostics, most first). */
export const BUNDLE_DEVICES = 100
const COMMANDS_PER_DEVICE = 20
const RUNS_PER_DIRECTORY = 20
const DIAGNOSTICS_KEPT = 2000
export const CUT = '[secret removed]'

export interface BundleDeps {
  store: Store
  clock: { now(): Date }
  policies: PolicyService
  diagnostics: DiagnosticsService
  push: { info(): Promise<PushCredentialsInfo> }
  /** The workspace's log folder; absent, the bundle has no logs. */
  logsDir?: string
}

/** Every value under a secret-named setting of every policy (the store opens sealed ones). */
function payloadSecrets(store: Store): string[] {
  const found = new Set<string>()
  const walk = (v: unknown, secret: boolean, depth: number): void => {
    if (depth > 32 || v === null || v === undefined) return
    if (typeof v === 'string') {
      if (secret && v.length >= 4) found.add(v)
      return
    }
    if (typeof v === 'number' && secret) found.add(String(v))
    if (typeof v !== 'object') return
    if (Array.isArray(v)) for (const x of v) walk(x, secret, depth + 1)
    else for (const [k, x] of Object.entries(v)) walk(x, secret || SECRET_SETTING.test(k), depth + 1)
  }
  for (const p of store.policies.list()) for (const item of p.items) walk(item.settings, false, 0)
  return [...found].sort((a, b) => b.length - a.length)
}

/** Every string of a JSON value through the log redaction and the known-secrets cut. */
function scrub(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') {
    let s = redactText(value)
    for (const secret of secrets) if (s.includes(secret)) s = s.split(secret).join(CUT)
    return s
  }
  if (value === null || typeof value !== 'object' || depth > 64) return value
  if (Array.isArray(value)) return value.map(v => scrub(v, secrets, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[k] = scrub(v, secrets, depth + 1)
  return out
}

/** The last lines of a file, reading at most its last LOG_TAIL_BYTES. */
function tail(path: string): string[] {
  const fd = openSync(path, 'r')
  try {
    const size = fstatSync(fd).size
    const start = Math.max(0, size - LOG_TAIL_BYTES)
    const buf = Buffer.alloc(size - start)
    readSync(fd, buf, 0, buf.length, start)
    // Redacted as a whole first: a private key pasted across lines is caught between its BEGIN and END.
    const lines = redactText(buf.toString('utf8')).split('\n').filter(Boolean)
    // A read that starts mid-file starts mid-line: that first piece is dropped.
    return (start > 0 ? lines.slice(1) : lines).slice(-LOG_TAIL_LINES)
  } finally {
    closeSync(fd)
  }
}

/** A log line as JSON through the log's own redaction (it was redacted when written; this is the second look). */
function logLine(line: string): unknown {
  try {
    return redact(JSON.parse(line))
  } catch {
    return redactText(line)
  }
}

function recentLogs(dir: string | undefined): { file: string; lines: unknown[] }[] {
  if (!dir || !existsSync(dir)) return []
  return readdirSync(dir)
    .filter(f => f.endsWith('.log'))
    .sort()
    .map(file => ({ file, lines: tail(join(dir, file)).map(logLine) }))
}

/** What the bundle says about a command: never its payload (profiles carry settings), only what and how it went. */
const commandLine = (c: Command) => ({
  seq: c.seq,
  type: c.type,
  item: typeof c.payload['name'] === 'string' ? c.payload['name'] : null,
  state: c.state,
  policy: c.reason.policyName,
  createdAt: c.createdAt,
  pushedAt: c.pushedAt,
  sentAt: c.sentAt,
  finishedAt: c.finishedAt,
  deadlineAt: c.deadlineAt,
  attempts: c.attempts,
  error: c.error,
  channel: c.channel,
})

export async function buildBundle(d: BundleDeps): Promise<Record<string, unknown>> {
  const now = d.clock.now()
  const { store } = d
  const push = await d.push.info()
  await d.diagnostics.ready()
  const all = d.diagnostics.list()
  const byDevice = await diagnosticsByDevice(store, all, d.push, now)
  const devices = byDevice
    .slice(0, BUNDLE_DEVICES)
    .map(x => store.devices.get(x.deviceId))
    .filter((x): x is DeviceSummary => x !== undefined)
  const bundle = {
    format: BUNDLE_FORMAT,
    createdAt: now.toISOString(),
    workspace: {
      users: store.users.count(),
      groups: store.groups.count(),
      policies: store.policies.count(),
      devices: store.devices.count(),
      queuedCommands: store.devices.pendingCommandCount(),
    },
    push: {
      apns: { configured: push.apns.configured, topic: push.apns.topic, notAfter: push.apns.notAfter },
      fcm: { configured: push.fcm.configured, projectId: push.fcm.projectId },
    },
    diagnostics: {
      total: all.length,
      causes: d.diagnostics.summary({}).causes,
      byDevice: byDevice.map(({ diagnostics: _shown, ...rest }) => rest),
      list: all.slice(0, DIAGNOSTICS_KEPT),
    },
    devices: devices.map(device => ({
      id: device.id,
      name: device.name,
      serial: device.serial,
      platform: device.platform,
      userPrincipalName: device.userPrincipalName,
      enrolledAt: device.enrolledAt,
      lastSeenAt: device.lastSeenAt,
      why: d.policies.effective(device.id, { all: true }).map(p => ({
        policy: p.policyName,
        status: p.status,
        summary: p.summary,
        steps: p.steps.map(s => ({ step: s.step, outcome: s.outcome, text: s.text })),
      })),
      recentCommands: [...store.devices.commands(device.id)]
        .sort((a, b) => b.seq - a.seq)
        .slice(0, COMMANDS_PER_DEVICE)
        .map(commandLine),
    })),
    syncHistory: store.directories.list().map(dir => ({
      directoryId: dir.id,
      name: dir.name,
      kind: dir.kind,
      runs: store.sync.runs(dir.id, RUNS_PER_DIRECTORY),
    })),
    logs: recentLogs(d.logsDir),
  }
  return scrub(bundle, payloadSecrets(store)) as Record<string, unknown>
}

export async function bundleFile(d: BundleDeps): Promise<ExportFile> {
  const bundle = await buildBundle(d)
  const stamp = String(bundle['createdAt']).replace(/[:.]/g, '-')
  const diagnostics = (bundle['diagnostics'] as { total: number }).total
  return {
    fileName: `jit-mapper-diagnostics-${stamp}.json`,
    mimeType: 'application/json',
    content: `${JSON.stringify(bundle, null, 2)}\n`,
    rows: diagnostics,
  }
}

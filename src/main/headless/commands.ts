// The jit-mapper command line: the same services as the desktop app, on the same workspace,
// with no Electron and no network (diagnose reads only the local store).
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { Diagnostic, EnrollResult } from '../../shared/domain'
import { createApp, type App } from '../app'
import { builtDiagnosticsWorker } from './diagnostics-worker-path'
import { builtImportWorker } from './import-worker-path'
import { createIdpHttp, startIngress } from '../devices'
import { providerOfIssuer } from '../serving'
import { createLog } from '../log'
import { systemClock } from '../ports'
import { resourcesDir } from '../resources'
import { resolveDataDir } from '../workspace'
import { createFileSecretStore } from '../secrets'
import { loadDemo } from '../demo'
import { startHost } from './host'
import { SERVE_USAGE, serveCommand } from './serve-command'
import { SYNC_USAGE, syncCommand } from './sync-command'
import { RULES_USAGE, rulesCommand } from './rules-command'
import { WHY_USAGE, whyCommand } from './why-command'
import { AUDIT_USAGE, EXPORT_USAGE, auditCommand, exportCommand } from './admin-commands'
import { PROFILES_USAGE, profilesCommand } from './profiles-command'
import { DEVICE_USAGE, deviceCommand } from './device-command'
import { errorMessage } from '../../shared/errors'
import { type CliIo, existingWorkspace, UsageError } from './cli-io'

const DEMO_USAGE = `  demo       Serve the app on the demo organisation at http://127.0.0.1 (loads the demo into an empty workspace)
               --port N          port to listen on (default: a free port)`

const ENROLL_USAGE = `  enroll     Simulate an enrollment: bind a device to a user and queue its policies
               --user UPN        the signed-in user's principal name (required)
               --platform P      ios, macos or android (required)
               --serial S        device serial (default: a random SIM- serial)
               --name NAME       device name
               --move            move the serial from the user it belongs to (refused otherwise; audited)
               --json            print JSON instead of text`

const SERVE_ENROLLMENT_USAGE = `  serve-enrollment  Serve only device enrollment, Apple MDM check-ins and the Android agent over HTTPS,
             from these options instead of the workspace's Settings (\`serve\` runs everything)
               --address A       address to listen on (default 127.0.0.1; the office LAN address in use)
               --port N          port (default: a free port)
               --tls-cert FILE   the server's certificate (PEM, required)
               --tls-key FILE    its private key (PEM, required)
               --issuer URL      the IdP's OpenID issuer (required; endpoints come from its discovery document)
               --client-id ID    the app registration's client id at the IdP (required)
               --idp KIND        entra, okta or google (default: told by the issuer's host, else okta)
               --tenant-id ID    Entra: the tenant people must sign in from
               --hosted-domain D Google: the Workspace domain people must sign in from
               --idp-ca FILE     extra CA certificates for reaching the IdP (PEM)`

const DIAGNOSE_USAGE = `  diagnose   Print the open diagnostics from the local workspace (works offline)
               --json            print JSON instead of text
               --bundle FILE     write the diagnostic bundle instead: diagnostics by cause and device with root
                                 causes, why-chains, recent commands, sync history and log tails; no secrets (JSON)`

const FOOTER = `Every command takes --data-dir DIR (else $JIT_MAPPER_DATA, else the per-user default) and --help.
Long-running commands log to <workspace>/logs/. Exit status: 0 success, 1 an expected failure, 2 a usage error.`

const COMMON = { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const

function parse<T extends Record<string, { type: 'string' | 'boolean'; short?: string }>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON, ...options }, allowPositionals: false, strict: true }).values
  } catch (e) {
    throw new UsageError(errorMessage(e))
  }
}

const withApp = async <T>(dataDir: string, fn: (app: App) => Promise<T>): Promise<T> => {
  const log = createLog({ dataDir, name: 'cli' })
  // A one-shot command: nothing to refresh, so no watch for other processes' changes.
  const app = createApp({ dataDir, log, changePollMs: 0 })
  try {
    return await fn(app)
  } finally {
    app.close()
    log.close()
  }
}

const formatDiagnostic = (d: Diagnostic): string =>
  `${d.code}  ${d.title}\n    ${d.explanation}\n    Fix: ${d.remediation}`

const formatEnrollment = (r: EnrollResult): string[] => [
  `Enrolled ${r.device.name} (${r.device.platform}, serial ${r.device.serial}) for ${r.device.userPrincipalName ?? 'nobody'}`,
  `Groups: ${r.groups.join(', ') || '(none)'}`,
  `Policies: ${r.policies.join(', ') || '(none)'}`,
  `Commands queued: ${r.commands.length}`,
  ...r.commands.map(c => `  ${c.seq}. ${c.type} ${String(c.payload['name'] ?? '')} [${c.state}] — ${c.reason.summary}`),
]

/** The built renderer the loopback host serves; null (and a message) when it is not built. */
function builtRenderer(io: CliIo): string | null {
  const rendererDir = join(resourcesDir(), '..', 'out', 'renderer')
  if (existsSync(join(rendererDir, 'index.html'))) return rendererDir
  io.err(`The renderer is not built (${rendererDir} is missing). Run \`npm run build\` first, or use \`npm run demo\`.`)
  return null
}

/** A --port value: 0 (a free port) when absent. */
function portOption(value: string | undefined): number {
  const port = value === undefined ? 0 : Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be a number from 0 to 65535, got ${value}`)
  return port
}

async function serve(argv: string[], io: CliIo): Promise<number> {
  const v = parse(argv, { port: { type: 'string' }, 'no-ingress': { type: 'boolean' } })
  const port = portOption(v.port)
  const rendererDir = builtRenderer(io)
  return rendererDir === null ? 1 : serveCommand({ ...v, port }, io, rendererDir)
}

async function demo(argv: string[], io: CliIo): Promise<number> {
  const v = parse(argv, { port: { type: 'string' } })
  const port = portOption(v.port)
  const rendererDir = builtRenderer(io)
  if (rendererDir === null) return 1
  const dataDir = resolveDataDir(v['data-dir'], io.env)
  const log = createLog({ dataDir, name: 'demo', console: io.err })
  const importWorker = builtImportWorker()
  const diagnosticsWorker = builtDiagnosticsWorker()
  const app = createApp({
    dataDir,
    log,
    ...(importWorker ? { importWorker } : {}),
    ...(diagnosticsWorker ? { diagnosticsWorker } : {}),
  })
  try {
    io.out(
      loadDemo(app) ? `Loaded the demo organisation into ${dataDir}` : `Using the existing workspace in ${dataDir}`,
    )
    app.services.scheduler.start()
    const host = await startHost({ app, rendererDir, port })
    log.info('demo started', { dataDir, port: host.port, log: log.path })
    io.out(`JIT Mapper is running at ${host.url}`)
    io.out("Open that URL in a browser (it carries this launch's secret). Press Ctrl+C to stop.")
    await io.untilStopped()
    await host.close()
    log.info('demo stopped')
    return 0
  } finally {
    app.close()
    log.close()
  }
}

async function enroll(argv: string[], io: CliIo): Promise<number> {
  const v = parse(argv, {
    user: { type: 'string' },
    platform: { type: 'string' },
    serial: { type: 'string' },
    name: { type: 'string' },
    move: { type: 'boolean' },
    json: { type: 'boolean' },
  })
  if (!v.user) throw new UsageError('enroll needs --user UPN')
  if (!v.platform) throw new UsageError('enroll needs --platform ios|macos|android')
  const serial = v.serial ?? `SIM-${randomBytes(4).toString('hex').toUpperCase()}`
  return withApp(resolveDataDir(v['data-dir'], io.env), async app => {
    const r = await app.invoke('devices/enroll', {
      serial,
      platform: v.platform,
      userPrincipalName: v.user,
      name: v.name,
      move: v.move,
    })
    if (!r.ok) {
      io.err(r.error.message)
      return 1
    }
    const result = r.value as EnrollResult
    if (v.json) io.out(JSON.stringify(result, null, 2))
    else formatEnrollment(result).forEach(l => io.out(l))
    return 0
  })
}

async function diagnose(argv: string[], io: CliIo): Promise<number> {
  const v = parse(argv, { json: { type: 'boolean' }, bundle: { type: 'string' } })
  const dataDir = existingWorkspace(v['data-dir'], io)
  if (!dataDir) return 1
  const bundle = v.bundle
  if (bundle !== undefined)
    return withApp(dataDir, async app => {
      const file = await app.call('exports/bundle', {})
      try {
        // Owner-only, as every export: it names people and devices.
        writeFileSync(bundle, file.content, { mode: 0o600 })
      } catch (e) {
        io.err(`Cannot write ${bundle}: ${errorMessage(e)}`)
        return 1
      }
      io.out(`Wrote the diagnostic bundle (${file.rows.toLocaleString('en')} open diagnostics) to ${bundle}`)
      return 0
    })
  return withApp(dataDir, async app => {
    const r = await app.invoke('diagnostics/list', {})
    if (!r.ok) {
      io.err(r.error.message)
      return 1
    }
    const list = r.value as Diagnostic[]
    if (v.json) io.out(JSON.stringify(list, null, 2))
    else if (list.length === 0) io.out('No open diagnostics.')
    else {
      io.out(`${list.length} open diagnostic${list.length === 1 ? '' : 's'}:`)
      list.forEach(d => io.out(formatDiagnostic(d)))
    }
    return 0
  })
}

async function serveEnrollment(argv: string[], io: CliIo): Promise<number> {
  const v = parse(argv, {
    address: { type: 'string' },
    port: { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    issuer: { type: 'string' },
    'client-id': { type: 'string' },
    'idp-ca': { type: 'string' },
    idp: { type: 'string' },
    'tenant-id': { type: 'string' },
    'hosted-domain': { type: 'string' },
  })
  const port = portOption(v.port)
  for (const required of ['tls-cert', 'tls-key', 'issuer', 'client-id'] as const) {
    if (!v[required]) throw new UsageError(`serve-enrollment needs --${required}`)
  }
  const read = (flag: string, path: string): string => {
    try {
      return readFileSync(path, 'utf8')
    } catch (e) {
      throw new UsageError(`--${flag}: cannot read ${path} (${errorMessage(e)})`)
    }
  }
  const tls = { certPem: read('tls-cert', v['tls-cert'] as string), keyPem: read('tls-key', v['tls-key'] as string) }
  const http = createIdpHttp(v['idp-ca'] ? { ca: [read('idp-ca', v['idp-ca'])] } : {})
  const kind = v.idp ?? providerOfIssuer(v.issuer as string)
  if (kind !== 'entra' && kind !== 'okta' && kind !== 'google')
    throw new UsageError(`--idp is entra, okta or google, not ${kind}`)
  const oidc = {
    kind,
    issuer: v.issuer as string,
    clientId: v['client-id'] as string,
    ...(v['tenant-id'] ? { tenantId: v['tenant-id'] } : {}),
    ...(v['hosted-domain'] ? { hostedDomain: v['hosted-domain'] } : {}),
  } as const
  const dataDir = resolveDataDir(v['data-dir'], io.env)
  const log = createLog({ dataDir, name: 'serve-enrollment', console: io.err })
  const secrets = createFileSecretStore(dataDir)
  const app = createApp({ dataDir, pumpIntervalMs: 30_000, log, secrets })
  try {
    const ingress = await startIngress({
      secrets,
      pushTopic: async () => (await app.services.push.info()).apns.topic,
      devices: app.services.devices,
      store: app.services.store,
      clock: systemClock,
      log,
      tls,
      host: v.address ?? '127.0.0.1',
      port,
      oidc,
      http,
    })
    log.info('enrollment server started', { url: ingress.url, issuer: oidc.issuer, log: log.path })
    io.out(`Enrollment is served at ${ingress.url} (sign-in with ${oidc.issuer}). Press Ctrl+C to stop.`)
    await io.untilStopped()
    await ingress.close()
    log.info('enrollment server stopped')
    return 0
  } finally {
    app.close()
    log.close()
  }
}

async function sync(argv: string[], io: CliIo): Promise<number> {
  return syncCommand(
    parse(argv, {
      directory: { type: 'string' },
      full: { type: 'boolean' },
      'confirm-removals': { type: 'boolean' },
      json: { type: 'boolean' },
    }),
    io,
  )
}

interface Command {
  run(argv: string[], io: CliIo): Promise<number>
  usage: string
}

const COMMANDS: Record<string, Command> = {
  demo: { run: demo, usage: DEMO_USAGE },
  enroll: { run: enroll, usage: ENROLL_USAGE },
  serve: { run: serve, usage: SERVE_USAGE },
  'serve-enrollment': { run: serveEnrollment, usage: SERVE_ENROLLMENT_USAGE },
  diagnose: { run: diagnose, usage: DIAGNOSE_USAGE },
  sync: { run: sync, usage: SYNC_USAGE },
  rules: { run: rulesCommand, usage: RULES_USAGE },
  why: { run: whyCommand, usage: WHY_USAGE },
  audit: { run: auditCommand, usage: AUDIT_USAGE },
  export: { run: exportCommand, usage: EXPORT_USAGE },
  profiles: { run: profilesCommand, usage: PROFILES_USAGE },
  device: { run: deviceCommand, usage: DEVICE_USAGE },
}

const USAGE = `Usage: jit-mapper <command> [options]

Commands:
${Object.values(COMMANDS)
  .map(c => c.usage)
  .join('\n')}

${FOOTER}`

const commandUsage = (name: string): string =>
  `Usage: jit-mapper ${name} [options]\n\n${COMMANDS[name]?.usage}\n\n${FOOTER}`

/** Runs one command line; returns the exit status (2 for a usage error). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    io.out(USAGE)
    return command ? 0 : 2
  }
  const found = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined
  if (!found) {
    io.err(`Unknown command "${command}".\n\n${USAGE}`)
    return 2
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(commandUsage(command))
    return 0
  }
  try {
    return await found.run(rest, io)
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${command}: ${e.message}\n\n${commandUsage(command)}`)
      return 2
    }
    io.err(`${command} failed: ${errorMessage(e)}`)
    return 1
  }
}

// Which Chromium the end-to-end tests drive, decided in one place: an explicit
// JIT_MAPPER_CHROMIUM, else a system Chromium or Chrome, else the build shipped inside the
// @sparticuz/chromium npm package (Linux x64), so `npm ci && npm test` needs no apt and no root.
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

export interface ChromiumLaunch {
  executablePath: string
  args: string[]
  source: 'JIT_MAPPER_CHROMIUM' | 'system' | '@sparticuz/chromium'
}

// Flags this closed network needs (no background connections to Google's hosts) and root needs.
const COMMON_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
]

const SYSTEM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']

// The package's own list turns web security off (it targets scrapers); the tests check the
// app's origin rules, so those flags never reach the browser.
const UNSAFE_PACKAGE_ARGS = new Set(['--disable-web-security', '--allow-running-insecure-content'])

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

export function systemChromium(pathVariable = process.env.PATH ?? ''): string | undefined {
  for (const dir of pathVariable.split(delimiter).filter(Boolean)) {
    for (const name of SYSTEM_NAMES) {
      const candidate = join(dir, name)
      if (executable(candidate)) return candidate
    }
  }
  return undefined
}

export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<ChromiumLaunch> {
  const explicit = env.JIT_MAPPER_CHROMIUM
  if (explicit) {
    if (!executable(explicit)) throw new Error(`JIT_MAPPER_CHROMIUM=${explicit} is not an executable file`)
    return { executablePath: explicit, args: COMMON_ARGS, source: 'JIT_MAPPER_CHROMIUM' }
  }
  const system = systemChromium(env.PATH)
  if (system) return { executablePath: system, args: COMMON_ARGS, source: 'system' }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error('No Chromium found: install Chromium or Chrome, or set JIT_MAPPER_CHROMIUM to its executable')
  }
  const { default: packaged } = await import('@sparticuz/chromium')
  const executablePath = await packaged.executablePath()
  const args = [
    ...packaged.args.filter(a => !UNSAFE_PACKAGE_ARGS.has(a)),
    ...COMMON_ARGS.filter(a => a !== '--headless'),
  ]
  return { executablePath, args, source: '@sparticuz/chromium' }
}

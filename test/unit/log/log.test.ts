import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { consoleLine, createLog, LOG_FOLDER, redact, redactText } from '../../../src/main/log'
import { tempDir } from '../../helpers/workspace'

const dirs: { remove(): void }[] = []
afterEach(() => dirs.splice(0).forEach(d => d.remove()))
const workspace = () => {
  const d = tempDir()
  dirs.push(d)
  return d.path
}

describe('the log file', () => {
  it('writes one JSON line per call, with level, time, message and fields', () => {
    const dataDir = workspace()
    const log = createLog({ dataDir, name: 'desktop' })
    log.info('directory sync succeeded', { directoryId: 'd1', changed: 3 })
    log.error('unexpected error', { where: 'devices/get' })
    log.close()
    const lines = readFileSync(join(dataDir, LOG_FOLDER, 'desktop.log'), 'utf8')
      .trim()
      .split('\n')
      .map(l => JSON.parse(l))
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatchObject({
      level: 'info',
      msg: 'directory sync succeeded',
      directoryId: 'd1',
      changed: 3,
      entry: 'desktop',
    })
    expect(lines[1]).toMatchObject({ level: 'error', msg: 'unexpected error' })
    expect(Date.parse(lines[0].time)).not.toBeNaN()
  })

  it('rotates by size and keeps a bounded number of files, the newest lines in <name>.log', () => {
    const dataDir = workspace()
    const log = createLog({ dataDir, name: 'serve', maxBytes: 2_000, maxFiles: 3 })
    for (let i = 0; i < 200; i++) log.info('line', { i })
    log.close()
    const dir = join(dataDir, LOG_FOLDER)
    expect(readdirSync(dir).sort()).toEqual(['serve.1.log', 'serve.2.log', 'serve.log'])
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(2_000)
    const last = readFileSync(join(dir, 'serve.log'), 'utf8')
      .trim()
      .split('\n')
      .map(l => JSON.parse(l).i)
    expect(last.at(-1)).toBe(199)
    const older = readFileSync(join(dir, 'serve.1.log'), 'utf8')
      .trim()
      .split('\n')
      .map(l => JSON.parse(l).i)
    expect(older.at(-1)).toBe(last[0] - 1)
  })

  it.runIf(process.platform !== 'win32')('is readable by its owner only', () => {
    const dataDir = workspace()
    const log = createLog({ dataDir, name: 'sync' })
    log.info('x')
    log.close()
    expect(statSync(join(dataDir, LOG_FOLDER)).mode & 0o777).toBe(0o700)
    expect(statSync(join(dataDir, LOG_FOLDER, 'sync.log')).mode & 0o777).toBe(0o600)
  })

  it('also gives a person readable lines, redacted the same way', () => {
    const printed: string[] = []
    const log = createLog({ dataDir: workspace(), name: 'demo', console: l => printed.push(l) })
    log.warn('IdP request retried', { status: 429, authorization: 'SSWS 00abcdefghijklmnop' })
    log.close()
    expect(printed).toHaveLength(1)
    expect(printed[0]).toMatch(/^\d\d:\d\d:\d\d warn {2}IdP request retried {2}status=429 authorization=\[redacted\]$/)
  })
})

describe('what is kept out of the log', () => {
  it.each([
    ['a client secret field', { clientSecret: 's3cr3t-value' }, { clientSecret: '[redacted]' }],
    [
      'nested credentials',
      { settings: { apiToken: 'x', orgUrl: 'https://o' } },
      { settings: { apiToken: '[redacted]', orgUrl: 'https://o' } },
    ],
    ['a private key field', { private_key: 'k' }, { private_key: '[redacted]' }],
    ['a push token', { pushToken: 'abcd' }, { pushToken: '[redacted]' }],
    ['a boolean about a secret stays', { hasSecret: true }, { hasSecret: true }],
    ['ordinary fields stay', { directoryId: 'd1', changed: 3 }, { directoryId: 'd1', changed: 3 }],
    ['arrays are walked', [{ password: 'p' }], [{ password: '[redacted]' }]],
  ])('%s', (_name, input, expected) => {
    expect(redact(input)).toEqual(expected)
  })

  it.each([
    [
      'a bearer credential',
      'GET failed: Authorization: Bearer abcdef0123456789',
      'GET failed: Authorization: Bearer [redacted]',
    ],
    ['an Okta API token', 'header SSWS 00Ab-cdEFghijklmn', 'header SSWS [redacted]'],
    ['a JWT', 'token eyJhbGciOi.eyJzdWIiOiIx.c2lnbmF0dXJl here', 'token [redacted token] here'],
    ['a launch secret in a URL', 'http://127.0.0.1:1/?secret=abc123&x=1', 'http://127.0.0.1:1/?secret=[redacted]&x=1'],
    [
      'an authorization code',
      '/enroll/callback?code=xyz&state=s1',
      '/enroll/callback?code=[redacted]&state=[redacted]',
    ],
    [
      'a PEM private key',
      'key: -----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY----- end',
      'key: [redacted private key] end',
    ],
    ['plain text stays', 'directory sync failed: DIRECTORY_AUTH', 'directory sync failed: DIRECTORY_AUTH'],
  ])('%s in any text', (_name, input, expected) => {
    expect(redactText(input)).toBe(expected)
  })

  it('cuts cycles instead of looping', () => {
    const a: Record<string, unknown> = { name: 'a' }
    a['self'] = a
    expect(redact(a)).toEqual({ name: 'a', self: '[…]' })
  })
})

describe('a console line', () => {
  it('is time, level, message and key=value fields', () => {
    expect(consoleLine(new Date('2026-12-06T18:02:11Z'), 'info', 'device enrolled', { serial: 'C02', n: 2 })).toBe(
      '18:02:11 info  device enrolled  serial=C02 n=2',
    )
  })
})

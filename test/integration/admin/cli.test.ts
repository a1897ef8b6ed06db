// `jit-mapper audit` and `jit-mapper export` on a demo workspace: filters, formats, the file
// written owner-only, and usage errors that exit 2 with the command's help.
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../../../src/main/app'
import { loadDemo } from '../../../src/main/demo'
import type { CliIo } from '../../../src/main/headless/cli-io'
import { parseWhen } from '../../../src/main/headless/admin-commands'
import { runCli } from '../../../src/main/headless/commands'
import { tempDir } from '../../helpers/workspace'

const dirs: { remove(): void }[] = []
afterEach(() => dirs.splice(0).forEach(d => d.remove()))

function io() {
  const out: string[] = []
  const err: string[] = []
  const value: CliIo = { out: l => out.push(l), err: l => err.push(l), env: {}, untilStopped: () => Promise.resolve() }
  return { io: value, out, err }
}

/** The demo, with one device renamed by the admin (an audited change with before and after). */
async function workspace(): Promise<string> {
  const d = tempDir()
  dirs.push(d)
  const app = createApp({ dataDir: d.path })
  loadDemo(app)
  const r = await app.call('devices/enroll', {
    serial: 'CLI-1',
    platform: 'ios',
    userPrincipalName: 'alex.morgan@northwind.example',
  })
  await app.call('devices/rename', { deviceId: r.device.id, name: 'Alex phone' })
  app.close()
  return d.path
}

describe('jit-mapper audit', () => {
  it('prints who changed what, newest first, with before → after', async () => {
    const dataDir = await workspace()
    const t = io()
    expect(await runCli(['audit', '--data-dir', dataDir, '--since', '1d', '--action', 'devices/'], t.io)).toBe(0)
    expect(t.out[0]).toMatch(/^\S+Z {2}admin {2}devices\/rename {2}\S+ {2}"iPhone CLI-1" → "Alex phone"$/)
    expect(t.out[1]).toMatch(/ {2}enrollment {2}devices\/enroll /)
  })

  it('prints JSON and CSV', async () => {
    const dataDir = await workspace()
    const json = io()
    await runCli(['audit', '--data-dir', dataDir, '--actor', 'admin', '--json'], json.io)
    expect(JSON.parse(json.out.join('\n'))[0]).toMatchObject({
      action: 'devices/rename',
      details: { after: 'Alex phone' },
    })
    const csv = io()
    await runCli(['audit', '--data-dir', dataDir, '--action', 'devices/rename', '--csv'], csv.io)
    expect(csv.out.join('\n').split('\r\n')).toEqual([
      'id,at,actor,action,subject,details',
      expect.stringMatching(/,admin,devices\/rename,.*,"\{""before"":""iPhone CLI-1"",""after"":""Alex phone""\}"$/),
    ])
  })

  it('says nothing matches, and refuses a time it cannot read with exit 2 and the help', async () => {
    const dataDir = await workspace()
    const none = io()
    expect(await runCli(['audit', '--data-dir', dataDir, '--until', '2000-01-01'], none.io)).toBe(0)
    expect(none.out).toEqual(['No audit entries match.'])
    const bad = io()
    expect(await runCli(['audit', '--data-dir', dataDir, '--since', 'last week'], bad.io)).toBe(2)
    expect(bad.err.join('\n')).toMatch(/--since must be an ISO time .* got last week[\s\S]*Usage: jit-mapper audit/)
  })

  it.each([
    ['30m', '2026-11-02T08:30:00.000Z'],
    ['12h', '2026-11-01T21:00:00.000Z'],
    ['7d', '2026-10-26T09:00:00.000Z'],
    ['2026-11-01', '2026-11-01T00:00:00.000Z'],
    ['2026-11-01T10:00+02:00', '2026-11-01T08:00:00.000Z'],
  ])('reads --since %s as %s', (value, iso) => {
    expect(parseWhen('since', value, new Date('2026-11-02T09:00:00.000Z'))).toBe(iso)
  })
})

describe('jit-mapper export', () => {
  it.each([
    [
      'devices',
      /^id,name,serial,platform,userPrincipalName,enrolledAt,lastSeenAt,pendingCommands\r\n.*Alex phone,CLI-1,ios/,
    ],
    ['users', /^id,userPrincipalName,displayName,directory,department,jobTitle,country,groups\r\n/],
    ['policy-status', /^device,serial,platform,userPrincipalName,policy,status,why\r\nAlex phone,CLI-1,ios,/],
    ['audit', /^id,at,actor,action,subject,details\r\n/],
  ])('writes %s as CSV, readable by its owner only', async (kind, content) => {
    const dataDir = await workspace()
    const out = join(dataDir, `${kind}.csv`)
    const t = io()
    expect(await runCli(['export', kind, '--out', out, '--data-dir', dataDir], t.io)).toBe(0)
    expect(t.out[0]).toMatch(new RegExp(`^Wrote \\d+ ${kind} row\\(s\\) to `))
    expect(readFileSync(out, 'utf8')).toMatch(content)
    expect(statSync(out).mode & 0o777).toBe(0o600)
  })

  it('exits 2 with the help for a missing kind or --out', async () => {
    const dataDir = await workspace()
    for (const argv of [
      ['export', '--out', 'x.csv'],
      ['export', 'groups', '--out', 'x.csv'],
      ['export', 'devices'],
    ]) {
      const t = io()
      expect(await runCli([...argv, '--data-dir', dataDir], t.io)).toBe(2)
      expect(t.err.join('\n')).toMatch(/Usage: jit-mapper export/)
    }
  })
})

describe('jit-mapper why --all', () => {
  it('lists every policy, applied or not, each with its why', async () => {
    const dataDir = await workspace()
    const some = io()
    expect(await runCli(['why', '--data-dir', dataDir, '--serial', 'CLI-1'], some.io)).toBe(0)
    expect(some.out.join('\n')).not.toMatch(/Marketing Suite/)
    const all = io()
    expect(await runCli(['why', '--data-dir', dataDir, '--serial', 'CLI-1', '--all'], all.io)).toBe(0)
    const text = all.out.join('\n')
    expect(text).toMatch(
      /Marketing Suite: not-assigned\. Not assigned: the user is not in Marketing \(department is Sales\)\./,
    )
    expect(text).toMatch(/Sales CRM Deployment: assigned\./)
  })
})

describe('jit-mapper enroll of a serial another user holds', () => {
  it('is refused without --move and moves with it', async () => {
    const dataDir = await workspace()
    const args = ['enroll', '--data-dir', dataDir, '--user', 'fleur.obrien@northwind.example', '--platform', 'ios']
    const refused = io()
    expect(await runCli([...args, '--serial', 'CLI-1'], refused.io)).toBe(1)
    expect(refused.err.join('\n')).toMatch(/Serial CLI-1 belongs to alex\.morgan@northwind\.example/)
    const moved = io()
    expect(await runCli([...args, '--serial', 'CLI-1', '--move'], moved.io)).toBe(0)
    expect(moved.out[0]).toMatch(/for fleur\.obrien@northwind\.example$/)
  })
})

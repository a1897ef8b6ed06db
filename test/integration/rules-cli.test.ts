import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { CliIo } from '../../src/main/headless/cli-io'
import { runCli } from '../../src/main/headless/commands'
import { tempDir } from '../helpers/workspace'

const dirs: { remove(): void }[] = []
afterEach(() => dirs.splice(0).forEach(d => d.remove()))

function usersFile(users: unknown): string {
  const d = tempDir('jit-rules-cli-')
  dirs.push(d)
  const file = join(d.path, 'users.json')
  writeFileSync(file, typeof users === 'string' ? users : JSON.stringify(users))
  return file
}

async function run(...argv: string[]): Promise<{ status: number; out: string[]; err: string[] }> {
  const out: string[] = []
  const err: string[] = []
  const io: CliIo = { out: l => out.push(l), err: l => err.push(l), env: {}, untilStopped: () => Promise.resolve() }
  return { status: await runCli(argv, io), out, err }
}

describe('jit-mapper rules test', () => {
  it('evaluates an Entra rule against Graph users, in order', async () => {
    const file = usersFile([
      { id: '1', department: 'Sales', onPremisesExtensionAttributes: { extensionAttribute15: 'EMEA' } },
      { id: '2', department: 'HR' },
      { id: '3' },
    ])
    const r = await run(
      'rules',
      'test',
      '--dialect',
      'entra',
      '--rule',
      'user.department -eq "sales" -and user.extensionAttribute15 -ne null',
      '--users',
      file,
    )
    expect(r.status).toBe(0)
    expect(JSON.parse(r.out.join(''))).toEqual([
      { result: true, missing: [] },
      { result: false, missing: [] },
      { result: false, missing: ['department'] },
    ])
  })

  it('evaluates an Okta rule against Okta users with their profile and groups', async () => {
    const file = usersFile([
      {
        id: '00u1',
        status: 'ACTIVE',
        profile: { department: 'Sales' },
        groups: [{ id: '00g1', profile: { name: 'Everyone' } }],
      },
      { id: '00u2', status: 'SUSPENDED', profile: { department: 'Sales' } },
    ])
    const r = await run(
      'rules',
      'test',
      '--dialect',
      'okta',
      '--rule',
      'user.department == "Sales" AND isMemberOfGroupName("Everyone")',
      '--users',
      file,
    )
    expect(JSON.parse(r.out.join(''))).toEqual([
      { result: true, missing: [] },
      { result: false, missing: ['$groupNames'] },
    ])
  })

  it('evaluates a Google query against Directory API users', async () => {
    const file = usersFile([
      { primaryEmail: 'a@x.com', organizations: [{ department: 'Sales', type: 'work' }] },
      { primaryEmail: 'b@x.com' },
    ])
    const r = await run(
      'rules',
      'test',
      '--dialect',
      'google',
      '--rule',
      "user.organizations.exists(o, o.department == 'Sales' && o.type == 1)",
      '--users',
      file,
    )
    expect(JSON.parse(r.out.join(''))).toEqual([
      { result: true, missing: [] },
      { result: false, missing: ['organizations'] },
    ])
  })

  it('takes the evaluation time from --now', async () => {
    const file = usersFile([{ employeeHireDate: '2026-05-01T00:00:00Z' }])
    const rule = 'user.employeeHireDate -le system.now'
    expect(
      JSON.parse(
        (
          await run(
            'rules',
            'test',
            '--dialect',
            'entra',
            '--rule',
            rule,
            '--users',
            file,
            '--now',
            '2026-04-01T00:00:00Z',
          )
        ).out.join(''),
      )[0].result,
    ).toBe(false)
    expect(
      JSON.parse(
        (
          await run(
            'rules',
            'test',
            '--dialect',
            'entra',
            '--rule',
            rule,
            '--users',
            file,
            '--now',
            '2026-06-01T00:00:00Z',
          )
        ).out.join(''),
      )[0].result,
    ).toBe(true)
  })

  it('exits 2 on a parse error and prints it with its position', async () => {
    const r = await run(
      'rules',
      'test',
      '--dialect',
      'entra',
      '--rule',
      'user.department –eq "Sales"',
      '--users',
      usersFile([]),
    )
    expect(r.status).toBe(2)
    expect(r.out).toEqual([])
    const text = r.err.join('\n')
    expect(text).toContain('Rule error at line 1, column 17: Unexpected EN DASH')
    expect(text).toContain('                 ^')
    expect(text).toMatch(/Hint: Type a plain hyphen/)
  })

  it('exits 2 on a bad command line and 1 on a bad users file', async () => {
    expect((await run('rules', 'test', '--rule', 'x', '--users', 'f')).status).toBe(2)
    expect((await run('rules', 'test', '--dialect', 'ldap', '--rule', 'x', '--users', 'f')).err[0]).toContain(
      '--dialect entra|okta|google, got "ldap"',
    )
    expect((await run('rules', 'check')).status).toBe(2)
    const broken = await run(
      'rules',
      'test',
      '--dialect',
      'okta',
      '--rule',
      'user.a == "x"',
      '--users',
      usersFile('{not json'),
    )
    expect(broken.status).toBe(1)
    expect(broken.err[0]).toMatch(/Can't read the users file/)
    expect(
      (await run('rules', 'test', '--dialect', 'okta', '--rule', 'user.a == "x"', '--users', usersFile({ a: 1 })))
        .err[0],
    ).toMatch(/must hold a JSON array/)
  })
})

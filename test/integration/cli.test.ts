import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../../src/main/app'
import type { CliIo } from '../../src/main/headless/cli-io'
import { runCli } from '../../src/main/headless/commands'
import { loadDemo } from '../../src/main/demo'
import { tempDir } from '../helpers/workspace'

const dirs: { remove(): void }[] = []
afterEach(() => dirs.splice(0).forEach(d => d.remove()))

function io(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = []
  const err: string[] = []
  const value: CliIo = { out: l => out.push(l), err: l => err.push(l), env, untilStopped: () => Promise.resolve() }
  return { io: value, out, err }
}

function demoWorkspace(): string {
  const d = tempDir()
  dirs.push(d)
  const app = createApp({ dataDir: d.path })
  expect(loadDemo(app)).toBe(true)
  expect(loadDemo(app)).toBe(false)
  app.close()
  return d.path
}

describe('jit-mapper CLI', () => {
  it('enrolls a device for a demo Sales user and prints what was queued', async () => {
    const dataDir = demoWorkspace()
    const t = io()
    expect(
      await runCli(
        [
          'enroll',
          '--data-dir',
          dataDir,
          '--user',
          'alex.morgan@northwind.example',
          '--platform',
          'ios',
          '--serial',
          'C02TEST',
        ],
        t.io,
      ),
    ).toBe(0)
    const text = t.out.join('\n')
    expect(text).toContain('Enrolled iPhone C02TEST (ios, serial C02TEST) for alex.morgan@northwind.example')
    expect(text).toMatch(/Policies: .*Sales CRM Deployment/)
    // No push token yet (the CLI simulates no device), so the command waits in the outbox.
    expect(text).toMatch(/install_app Salesforce \[queued\]/)
  })

  it('takes the workspace from JIT_MAPPER_DATA', async () => {
    const dataDir = demoWorkspace()
    const t = io({ JIT_MAPPER_DATA: dataDir })
    expect(
      await runCli(['enroll', '--user', 'sam.rivera@northwind.example', '--platform', 'android', '--json'], t.io),
    ).toBe(0)
    expect(JSON.parse(t.out.join('\n')).policies).toContain('Marketing Suite')
  })

  it('diagnoses from the local store: SYNC_ATTR_MISSING for demo users without a department', async () => {
    const dataDir = demoWorkspace()
    const t = io()
    expect(await runCli(['diagnose', '--data-dir', dataDir, '--json'], t.io)).toBe(0)
    const diags = JSON.parse(t.out.join('\n')) as { code: string; attribute?: string }[]
    expect(diags.some(d => d.code === 'SYNC_ATTR_MISSING' && d.attribute === 'department')).toBe(true)
    const text = io()
    expect(await runCli(['diagnose', '--data-dir', dataDir], text.io)).toBe(0)
    expect(text.out[0]).toMatch(/^\d+ open diagnostics:$/)
  })

  it('explains usage errors with status 2 and expected failures with status 1', async () => {
    const dataDir = demoWorkspace()
    const missing = io()
    expect(await runCli(['enroll', '--data-dir', dataDir, '--platform', 'ios'], missing.io)).toBe(2)
    expect(missing.err[0]).toContain('enroll needs --user UPN')
    const unknownFlag = io()
    expect(await runCli(['diagnose', '--data-dir', dataDir, '--colour'], unknownFlag.io)).toBe(2)
    const nobody = io()
    expect(
      await runCli(
        ['enroll', '--data-dir', dataDir, '--user', 'ghost@northwind.example', '--platform', 'ios'],
        nobody.io,
      ),
    ).toBe(1)
    expect(nobody.err[0]).toContain('No user ghost@northwind.example')
    const noCommand = io()
    expect(await runCli(['frobnicate'], noCommand.io)).toBe(2)
    expect(noCommand.err[0]).toContain('Unknown command "frobnicate"')
  })

  it.each([
    ['demo', '--port N'],
    ['enroll', '--platform P'],
    ['serve', '--no-ingress'],
    ['serve-enrollment', '--tls-cert FILE'],
    ['diagnose', '--json'],
    ['sync', '--confirm-removals'],
    ['rules', '--dialect'],
    ['why', '--serial'],
  ])('prints the usage of %s alone for --help, with status 0', async (command, option) => {
    const t = io()
    expect(await runCli([command, '--help'], t.io)).toBe(0)
    const text = t.out.join('\n')
    expect(text).toContain(`Usage: jit-mapper ${command} [options]`)
    expect(text).toContain(option)
    expect(text).toContain('Exit status: 0 success, 1 an expected failure, 2 a usage error')
    for (const other of ['serve', 'serve-enrollment', 'diagnose', 'enroll'].filter(c => c !== command))
      expect(text).not.toMatch(new RegExp(`^  ${other} `, 'm'))
  })

  it('refuses an inherited property name as a command', async () => {
    const t = io()
    expect(await runCli(['constructor'], t.io)).toBe(2)
    expect(t.err[0]).toContain('Unknown command "constructor"')
  })

  it('logs an enrollment to <workspace>/logs/cli.log', async () => {
    const dataDir = demoWorkspace()
    const t = io()
    const args = ['enroll', '--data-dir', dataDir, '--user', 'alex.morgan@northwind.example', '--platform', 'ios']
    expect(await runCli([...args, '--serial', 'LOG-1'], t.io)).toBe(0)
    const lines = readFileSync(join(dataDir, 'logs', 'cli.log'), 'utf8')
      .trim()
      .split('\n')
      .map(l => JSON.parse(l))
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'device enrolled', serial: 'LOG-1', platform: 'ios' }))
  })

  it('does not create a workspace when diagnosing a folder that does not exist', async () => {
    const t = io()
    expect(await runCli(['diagnose', '--data-dir', '/nonexistent/jit-mapper-test'], t.io)).toBe(1)
    expect(t.err[0]).toContain('No workspace at /nonexistent/jit-mapper-test')
  })
})

describe('jit-mapper why', () => {
  it("explains a device's policies and history offline, and says what is missing", async () => {
    const dataDir = demoWorkspace()
    expect(
      await runCli(
        [
          'enroll',
          '--data-dir',
          dataDir,
          '--user',
          'alex.morgan@northwind.example',
          '--platform',
          'ios',
          '--serial',
          'WHY-1',
        ],
        io().io,
      ),
    ).toBe(0)
    const t = io()
    expect(await runCli(['why', '--data-dir', dataDir, '--serial', 'WHY-1', '--history'], t.io)).toBe(0)
    const text = t.out.join('\n')
    expect(text).toMatch(/Sales CRM Deployment: assigned\. Assigned: the user is in Sales/)
    expect(text).toMatch(/✓ rule: Sales: user\.department -eq "Sales" is true/)
    expect(text).toMatch(/granted Sales CRM Deployment/)

    const one = io()
    expect(
      await runCli(
        ['why', '--data-dir', dataDir, '--serial', 'WHY-1', '--policy', 'developer tools', '--json'],
        one.io,
      ),
    ).toBe(0)
    expect(JSON.parse(one.out.join('\n')).policies[0]).toMatchObject({
      policyName: 'Developer Tools',
      status: 'not-assigned',
    })

    const missing = io()
    expect(await runCli(['why', '--data-dir', dataDir, '--serial', 'NOPE'], missing.io)).toBe(1)
    expect(missing.err.join('\n')).toContain('No device with serial NOPE')
    expect(await runCli(['why', '--data-dir', dataDir], io().io)).toBe(2)
  })
})

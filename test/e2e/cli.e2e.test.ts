// The built command, as an admin runs it: `npx jit-mapper …` after `npm run build`.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { expect } from 'vitest'
import { e2eTest as test } from '../helpers/e2e'

const run = promisify(execFile)
const BIN = join(__dirname, '..', '..', 'bin', 'jit-mapper.cjs')
/** The built command on this file's workspace (the fixture's temp folder). */
const cli = (workspace: { path: string }, ...args: string[]) =>
  run(process.execPath, [BIN, ...args], { env: { ...process.env, JIT_MAPPER_DATA: workspace.path } })

test.describe('the built jit-mapper command', () => {
  test('serves the demo, then enrolls and diagnoses against the same workspace', async ({ workspace }) => {
    const demo = await new Promise<string>((resolve, reject) => {
      const child = execFile(
        process.execPath,
        [BIN, 'demo', '--data-dir', workspace.path],
        error => error && !child.killed && reject(error),
      )
      let out = ''
      child.stdout?.on('data', (c: Buffer) => {
        out += c.toString()
        if (out.includes('is running at')) {
          child.kill('SIGTERM')
          resolve(out)
        }
      })
    })
    expect(demo).toContain('Loaded the demo organisation')
    expect(demo).toMatch(/http:\/\/127\.0\.0\.1:\d+\/\?secret=[\w-]{40,}/)

    const enrolled = await cli(
      workspace,
      'enroll',
      '--user',
      'alex.morgan@northwind.example',
      '--platform',
      'android',
      '--serial',
      'R58N',
    )
    expect(enrolled.stdout).toContain(
      'Enrolled Android device R58N (android, serial R58N) for alex.morgan@northwind.example',
    )
    expect(enrolled.stdout).toContain('install_app Salesforce')

    const diagnosed = await cli(workspace, 'diagnose')
    expect(diagnosed.stdout).toMatch(/SYNC_ATTR_MISSING .* lacks department/)
  })

  test('exits 2 with the usage on a bad command line', async ({ workspace }) => {
    const failed = await cli(workspace, 'enroll').catch((e: { code: number; stderr: string }) => e)
    expect(failed).toMatchObject({ code: 2 })
    expect((failed as { stderr: string }).stderr).toContain('enroll needs --user UPN')
  })
})

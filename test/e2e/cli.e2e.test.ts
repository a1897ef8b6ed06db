// The built command, as an admin runs it: `npx jit-mapper …` after `npm run build`.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/workspace'

const run = promisify(execFile)
const BIN = join(__dirname, '..', '..', 'bin', 'jit-mapper.cjs')
const workspace = tempDir('jit-cli-e2e-')
afterAll(() => workspace.remove())

const cli = (...args: string[]) =>
  run(process.execPath, [BIN, ...args], { env: { ...process.env, JIT_MAPPER_DATA: workspace.path } })

describe('the built jit-mapper command', () => {
  it('serves the demo, then enrolls and diagnoses against the same workspace', async () => {
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

    const diagnosed = await cli('diagnose')
    expect(diagnosed.stdout).toMatch(/SYNC_ATTR_MISSING .* lacks department/)
  })

  it('exits 2 with the usage on a bad command line', async () => {
    const failed = await cli('enroll').catch((e: { code: number; stderr: string }) => e)
    expect(failed).toMatchObject({ code: 2 })
    expect((failed as { stderr: string }).stderr).toContain('enroll needs --user UPN')
  })
})

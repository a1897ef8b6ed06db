// The built `jit-mapper rules test`, as an admin runs it from a shell.
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { expect } from 'vitest'
import { e2eTest as test } from '../helpers/e2e'

const run = promisify(execFile)
const BIN = join(__dirname, '..', '..', 'bin', 'jit-mapper.cjs')
test.describe('jit-mapper rules test (built)', () => {
  test('prints one result per user, and exits 2 with the position on a parse error', async ({ workspace }) => {
    const users = join(workspace.path, 'okta-users.json')
    writeFileSync(
      users,
      JSON.stringify([
        { id: '00u1', profile: { department: 'Sales' } },
        { id: '00u2', profile: { department: 'sales' } },
        { id: '00u3', profile: {} },
      ]),
    )
    const ok = await run(process.execPath, [
      BIN,
      'rules',
      'test',
      '--dialect',
      'okta',
      '--rule',
      'user.department == "Sales"',
      '--users',
      users,
    ])
    expect(JSON.parse(ok.stdout)).toEqual([
      { result: true, missing: [] },
      { result: false, missing: [] },
      { result: false, missing: ['department'] },
    ])
    const failed = await run(process.execPath, [
      BIN,
      'rules',
      'test',
      '--dialect',
      'okta',
      '--rule',
      'user.department -eq "Sales"',
      '--users',
      users,
    ]).catch((e: { code: number; stderr: string; stdout: string }) => e)
    expect(failed).toMatchObject({ code: 2, stdout: '' })
    expect((failed as { stderr: string }).stderr).toContain('Rule error at line 1, column 17')
  })
})

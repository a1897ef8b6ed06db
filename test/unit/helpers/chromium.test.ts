import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { findChromium } from '../../helpers/chromium'

function fakeExecutable(dir: string, name: string): string {
  const path = join(dir, name)
  writeFileSync(path, '#!/bin/sh\n')
  chmodSync(path, 0o755)
  return path
}

describe('the Chromium the end-to-end tests use', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jit-chromium-'))
  const onPath = fakeExecutable(dir, 'chromium')
  const elsewhere = fakeExecutable(mkdtempSync(join(tmpdir(), 'jit-chromium-')), 'my-chrome')

  it('takes JIT_MAPPER_CHROMIUM first, even with a Chromium on the PATH', async () => {
    const found = await findChromium({ JIT_MAPPER_CHROMIUM: elsewhere, PATH: dir })
    expect(found).toMatchObject({ executablePath: elsewhere, source: 'JIT_MAPPER_CHROMIUM' })
  })

  it('refuses a JIT_MAPPER_CHROMIUM that is not an executable', async () => {
    await expect(findChromium({ JIT_MAPPER_CHROMIUM: join(dir, 'missing') })).rejects.toThrow(/not an executable/)
  })

  it('takes a system Chromium from the PATH next', async () => {
    const found = await findChromium({ PATH: `/nonexistent:${dir}` })
    expect(found).toMatchObject({ executablePath: onPath, source: 'system' })
  })

  it.runIf(process.platform === 'linux' && process.arch === 'x64')(
    "falls back to the npm package's Chromium, without its web-security switches",
    async () => {
      const found = await findChromium({ PATH: '/nonexistent' })
      expect(found.source).toBe('@sparticuz/chromium')
      expect(found.args).not.toContain('--disable-web-security')
      expect(found.args).toContain('--no-sandbox')
    },
  )
})

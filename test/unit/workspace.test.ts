import { describe, expect, it } from 'vitest'
import { defaultDataDir, resolveDataDir } from '../../src/main/workspace'

describe('where the workspace lives', () => {
  const cases: { name: string; platform: NodeJS.Platform; env: NodeJS.ProcessEnv; expected: string }[] = [
    {
      name: 'Linux uses the XDG config folder',
      platform: 'linux',
      env: { XDG_CONFIG_HOME: '/x' },
      expected: '/x/JIT Mapper',
    },
    { name: 'Linux falls back to ~/.config', platform: 'linux', env: {}, expected: '/home/ann/.config/JIT Mapper' },
    {
      name: 'macOS uses Application Support',
      platform: 'darwin',
      env: {},
      expected: '/home/ann/Library/Application Support/JIT Mapper',
    },
    { name: 'Windows uses APPDATA', platform: 'win32', env: { APPDATA: '/appdata' }, expected: '/appdata/JIT Mapper' },
  ]
  for (const c of cases) it(c.name, () => expect(defaultDataDir(c.env, c.platform, '/home/ann')).toBe(c.expected))

  it('prefers --data-dir, then JIT_MAPPER_DATA', () => {
    expect(resolveDataDir('/flag', { JIT_MAPPER_DATA: '/env' })).toBe('/flag')
    expect(resolveDataDir(undefined, { JIT_MAPPER_DATA: '/env' })).toBe('/env')
    expect(resolveDataDir('', { JIT_MAPPER_DATA: '', XDG_CONFIG_HOME: '/x' })).toBe(
      defaultDataDir({ XDG_CONFIG_HOME: '/x' }),
    )
  })
})

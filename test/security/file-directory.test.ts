// A file directory reads what its path names, but only a regular directory export: symlinks are
// resolved and the real path shown, devices and folders refused, size capped, and a file that
// is not a user export is refused without quoting a byte of it.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Connector } from '../../src/main/directories/connector'
import { createFileConnector, readDirectoryFile } from '../../src/main/directories/file-connector'
import { SMALL_DIRECTORY_CSV, tempDir } from '../helpers/workspace'

const dirs: { remove(): void }[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove()
})
const folder = () => {
  const d = tempDir()
  dirs.push(d)
  return d.path
}
const failure = async (c: Connector) => {
  try {
    await c.test()
  } catch (e) {
    return e as { code: string; message: string; details?: Record<string, unknown> }
  }
  throw new Error('expected the file directory to refuse')
}

const PRIVATE = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n'

describe('file directories', () => {
  it.each([
    ['a private key', 'id_rsa.csv', PRIVATE],
    ['a passwd-like file', 'passwd.csv', 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin\n'],
    ['a JSON file that is not an export', 'config.json', '{"apiKey":"sk-live-123456"}'],
  ])('refuses %s without echoing its content', async (_, name, content) => {
    const dir = folder()
    writeFileSync(join(dir, name), content)
    const e = await failure(createFileConnector({ settings: { path: join(dir, name) } }))
    expect(e.code).toBe('IMPORT_INVALID')
    expect(e.message).toMatch(/is not a directory export/)
    const said = JSON.stringify(e) + e.message
    for (const piece of content.split(/[\n:,{}"]/).filter(p => p.length >= 4)) expect(said).not.toContain(piece)
  })

  it('shows the real path of a symlink, and reads an export through it', async () => {
    const dir = folder()
    writeFileSync(join(dir, 'real.csv'), SMALL_DIRECTORY_CSV)
    symlinkSync(join(dir, 'real.csv'), join(dir, 'link.csv'))
    const c = createFileConnector({ settings: { path: join(dir, 'link.csv') } })
    expect(await c.test()).toBe(`Read 4 users from ${join(dir, 'real.csv')}.`)
    writeFileSync(join(dir, 'real.csv'), 'userPrincipalName,department\nnot-an-email,Sales\n')
    expect((await failure(c)).message).toContain(join(dir, 'real.csv'))
  })

  it.each([
    [
      'a folder',
      (dir: string) => {
        mkdirSync(join(dir, 'f.csv'))
        return join(dir, 'f.csv')
      },
    ],
    ['a character device', () => '/dev/zero'],
  ])('refuses %s (not a regular file)', async (_, make) => {
    const e = await failure(createFileConnector({ settings: { path: make(folder()) } }))
    expect(e.code).toBe('DIRECTORY_UNAVAILABLE')
    expect(e.message).toMatch(/not a regular file/)
  })

  it('refuses a file over the size cap without reading it', async () => {
    const dir = folder()
    writeFileSync(join(dir, 'big.csv'), 'x'.repeat(2048))
    await expect(readDirectoryFile(join(dir, 'big.csv'), 1024)).rejects.toThrow(/2048 bytes; the limit is 1024/)
  })
})

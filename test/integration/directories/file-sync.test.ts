// The file directory as a connector (a CSV at a path, synced like an IdP), and
// `jit-mapper sync` driving it from the command line as cron would.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../../../src/main/app'
import type { CliIo } from '../../../src/main/headless/cli-io'
import { runCli } from '../../../src/main/headless/commands'
import type { DirectoryDetail, SyncRun } from '../../../src/shared/domain'
import { SMALL_DIRECTORY_CSV, tempDir } from '../../helpers/workspace'

const dirs: { remove(): void }[] = []
afterEach(() => dirs.splice(0).forEach(d => d.remove()))

function io() {
  const out: string[] = []
  const err: string[] = []
  const value: CliIo = { out: l => out.push(l), err: l => err.push(l), env: {}, untilStopped: () => Promise.resolve() }
  return { io: value, out, err }
}

/** A workspace with a file directory that syncs from users.csv. */
async function fileWorkspace(): Promise<{ dataDir: string; csv: string }> {
  const d = tempDir()
  dirs.push(d)
  const csv = join(d.path, 'users.csv')
  writeFileSync(csv, SMALL_DIRECTORY_CSV)
  const app = createApp({ dataDir: join(d.path, 'ws') })
  const r = await app.invoke('directories/connect', {
    kind: 'file',
    name: 'Office',
    settings: { path: csv },
    secrets: {},
  })
  app.close()
  if (!r.ok) throw new Error(r.error.message)
  return { dataDir: join(d.path, 'ws'), csv }
}

describe('a file directory synced from a path', () => {
  it('syncs through the engine: users, attributes as columns, synced groups, then only changes', async () => {
    const { dataDir, csv } = await fileWorkspace()
    const app = createApp({ dataDir })
    try {
      const id = app.services.directories.idByName('Office')!
      const first = await app.invoke('directories/sync', { directoryId: id })
      expect(first.ok && (first.value as SyncRun)).toMatchObject({ mode: 'full', status: 'succeeded', added: 4 })
      const { store } = app.services
      expect(store.users.attributes(store.users.idByPrincipalName('sam@example.test')!)).toMatchObject({
        department: 'Marketing',
        usageLocation: 'DE',
      })
      expect(store.groups.list().find(g => g.name === 'Executives')).toMatchObject({ kind: 'synced', memberCount: 1 })
      writeFileSync(
        csv,
        SMALL_DIRECTORY_CSV.replace(
          'u4,kim@example.test,Kim Lee,Sales',
          'u4,kim@example.test,Kim Lee,Marketing',
        ).replace(/\nu3,.*/, ''),
      )
      const second = await app.invoke('directories/sync', { directoryId: id })
      expect(second.ok && (second.value as SyncRun)).toMatchObject({ added: 0, changed: 1, removed: 1 })
      const detail = (await app.invoke('directories/get', { directoryId: id })) as { ok: true; value: DirectoryDetail }
      expect(detail.value.mapping.find(m => m.attribute === 'department')).toMatchObject({
        users: 3,
        total: 3,
        share: 1,
      })
    } finally {
      app.close()
    }
  })

  it('refuses a broken file whole, and says where', async () => {
    const { dataDir, csv } = await fileWorkspace()
    writeFileSync(csv, 'userPrincipalName,department\nnot-an-email,Sales\n')
    const app = createApp({ dataDir })
    try {
      const r = await app.invoke('directories/sync', { directoryId: app.services.directories.idByName('Office')! })
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.error).toMatchObject({ code: 'IMPORT_INVALID', message: expect.stringMatching(/Row 2/) })
      expect(app.services.store.users.count()).toBe(0)
    } finally {
      app.close()
    }
  })
})

describe('jit-mapper sync', () => {
  it('syncs every syncable directory and prints the counts', async () => {
    const { dataDir } = await fileWorkspace()
    const t = io()
    expect(await runCli(['sync', '--data-dir', dataDir], t.io)).toBe(0)
    expect(t.out.join('\n')).toContain('Office: full sync succeeded: 4 added, 0 changed, 0 removed.')
    const again = io()
    expect(await runCli(['sync', '--data-dir', dataDir, '--directory', 'office', '--json'], again.io)).toBe(0)
    expect(JSON.parse(again.out.join('\n'))).toMatchObject([{ status: 'succeeded', added: 0, changed: 0 }])
  })

  it('exits 1 with the reason when a sync is held for removing too many users, and applies it with --confirm-removals', async () => {
    const { dataDir, csv } = await fileWorkspace()
    const rows = (n: number) =>
      [
        'id,userPrincipalName,displayName,department,groups',
        ...Array.from({ length: n }, (_, i) => `u${i},user${i}@example.test,User ${i},Sales,All Staff`),
      ].join('\n')
    writeFileSync(csv, rows(40))
    expect(await runCli(['sync', '--data-dir', dataDir], io().io)).toBe(0)
    writeFileSync(csv, rows(30))
    const held = io()
    expect(await runCli(['sync', '--data-dir', dataDir, '--directory', 'Office'], held.io)).toBe(1)
    expect(held.err.join('\n')).toContain(
      'Office: sync held: Held: this sync would remove 10 of 40 users (25%, above 10%)',
    )
    expect(held.err.join('\n')).toContain('jit-mapper sync --directory "Office" --confirm-removals')
    const confirmed = io()
    expect(
      await runCli(['sync', '--data-dir', dataDir, '--directory', 'Office', '--confirm-removals'], confirmed.io),
    ).toBe(0)
    expect(confirmed.out.join('\n')).toContain('Office: full sync succeeded: 0 added, 0 changed, 10 removed.')
  })

  it('names the directories when --directory matches none, and fails', async () => {
    const { dataDir } = await fileWorkspace()
    const t = io()
    expect(await runCli(['sync', '--data-dir', dataDir, '--directory', 'Nope'], t.io)).toBe(1)
    expect(t.err.join('\n')).toContain('No directory named "Nope". Directories: Office.')
  })
})

// Hostile strings from directories: control characters and bidi overrides in identity fields are
// refused with their row and column, lengths are capped as the contract caps them, a NUL never
// reaches a profile, and the renderer lays untrusted text out isolated.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../../src/main/app'
import { buildPlist, parsePlist } from '../../src/main/devices/plist'
import { parseUserFile } from '../../src/main/directories/file'
import { DirectoryData } from '../fakes/directory-data'
import { GRAPH_ORIGIN, LOGIN_ORIGIN, startGraphFake } from '../fakes/graph/server'
import { loopbackRouter } from '../fakes/router'
import { connectEntra, ENTRA_APP } from '../helpers/directory'
import { fakeClock, tempDir } from '../helpers/workspace'

const csv = (row: string) => `userPrincipalName,displayName,id,groups,streetAddress\n${row}\n`
const RLO = '\u202e'

describe('directory file imports', () => {
  it.each([
    ['a NUL in the display name', csv('alex@example.test,Alex\u0000Morgan,,,'), 'displayName', /U\+0000/],
    ['an RLO in the principal name', csv(`alex${RLO}@example.test,Alex,,,`), 'userPrincipalName', /U\+202E/],
    ['an RLO in the display name', csv(`alex@example.test,Alex ${RLO}nimda,,,`), 'displayName', /bidirectional/],
    ['a bidi isolate in the id', csv('alex@example.test,Alex,u\u20661,,'), 'id', /U\+2066/],
    ['a NUL in a group name', csv('alex@example.test,Alex,,Sales;Ad\u0000mins,'), 'groups', /U\+0000/],
    ['a NUL in an attribute', csv('alex@example.test,Alex,,,1 Main\u0000St'), 'streetAddress', /U\+0000/],
    [
      'a display name over 256 characters',
      csv(`alex@example.test,${'A'.repeat(257)},,,`),
      'displayName',
      /limit is 256/,
    ],
    ['an attribute over 4096 characters', csv(`alex@example.test,Alex,,,${'x'.repeat(4097)}`), 'streetAddress', /4096/],
  ])('CSV: refuses %s with its row and column', (_, text, column, message) => {
    const r = parseUserFile('csv', text)
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.errors[0]).toMatchObject({ row: 2, column })
    expect(r.errors[0]?.message).toMatch(message)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the message must not carry them
    expect(r.errors[0]?.message).not.toMatch(/[\u0000\u202e\u2066]/)
  })

  it('CSV: keeps a line break inside a quoted address', () => {
    const r = parseUserFile('csv', csv('alex@example.test,Alex,,,"1 Main St\nSpringfield"'))
    expect(r.ok && r.users[0]?.attributes['streetAddress']).toBe('1 Main St\nSpringfield')
  })

  it.each([
    ['a NUL in the display name', { userPrincipalName: 'a@example.test', displayName: 'A\u0000' }, 'displayName'],
    ['an RLO in the principal name', { userPrincipalName: `a${RLO}@example.test` }, 'userPrincipalName'],
    ['a bidi override in a group', { userPrincipalName: 'a@example.test', groups: [`Sales${RLO}`] }, 'groups'],
    ['a NUL in an attribute', { userPrincipalName: 'a@example.test', department: 'Sa\u0000les' }, 'department'],
    [
      '1,001 list items',
      { userPrincipalName: 'a@example.test', otherMails: Array.from({ length: 1001 }, (_, i) => `x${i}@example.test`) },
      'otherMails',
    ],
  ])('JSON: refuses %s with its record and field', (_, user, column) => {
    const r = parseUserFile('json', JSON.stringify([user]))
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.errors[0]).toMatchObject({ row: 1, column })
  })
})

describe('profiles', () => {
  it('never writes a NUL (or another character XML cannot carry) into a property list', () => {
    const xml = buildPlist({ SSID_STR: 'Office\u0000Guest', Password: 'a\u0001b\ud800c' })
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the document must not carry them
    expect(xml).not.toMatch(/[\u0000\u0001\ud800]/)
    expect(parsePlist(xml)).toEqual({ SSID_STR: 'Office\ufffdGuest', Password: 'a\ufffdb\ufffdc' })
    expect(parsePlist(buildPlist({ s: 'tab\tnew\nline 😀' }))).toEqual({ s: 'tab\tnew\nline 😀' })
  })
})

describe('the renderer', () => {
  it('lays out table cells, facts and names isolated from the text around them', () => {
    const css = readFileSync(join(import.meta.dirname, '../../src/renderer/styles.css'), 'utf8')
    const rule = /([^{}]+)\{\s*unicode-bidi:\s*isolate;\s*\}/.exec(css)
    expect(
      rule?.[1]
        ?.split('*/')
        .pop()
        ?.split(',')
        .map(s => s.trim()),
    ).toEqual(expect.arrayContaining(['bdi', 'td', 'dd', '.mono', 'h1']))
  })
})

describe('directory strings from an IdP', () => {
  const cleanups: (() => void | Promise<void>)[] = []
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c()
  })

  const entraWorkspace = async () => {
    const data = new DirectoryData({ users: 5, groups: 2, seed: 3 })
    const graph = await startGraphFake({ data, ...ENTRA_APP, pageSize: 10, membersPerEntry: 5 })
    cleanups.push(() => graph.close())
    const dir = tempDir()
    const app = createApp({
      dataDir: dir.path,
      clock: fakeClock(),
      http: loopbackRouter({ [GRAPH_ORIGIN]: graph.url, [LOGIN_ORIGIN]: graph.url }),
      sleep: async () => {},
    })
    cleanups.push(() => dir.remove())
    cleanups.push(() => app.close())
    const id = await connectEntra(app)
    return { data, app, id }
  }

  it('drops bidi and control characters from a display name the user could edit', async () => {
    const { data, app, id } = await entraWorkspace()
    const victim = [...data.users.values()][0] as { id: string; userPrincipalName: string }
    data.updateUser(victim.id, { displayName: `Alex ${RLO}nimdA\u0000` })
    expect(await app.invoke('directories/sync', { directoryId: id })).toMatchObject({ ok: true })
    const { store } = app.services
    const stored = store.users.summary(store.users.idByPrincipalName(victim.userPrincipalName) as string)
    expect(stored?.displayName).toBe('Alex nimdA')
  })

  it('refuses a sync that would store a principal name with a bidi override, and changes nothing', async () => {
    const { data, app, id } = await entraWorkspace()
    expect(await app.invoke('directories/sync', { directoryId: id })).toMatchObject({ ok: true })
    const before = app.services.store.users.list(undefined, 100, 0)
    const victim = [...data.users.values()][1] as { id: string; userPrincipalName: string }
    data.updateUser(victim.id, { userPrincipalName: `adm${RLO}nim@example.test` })
    const r = await app.invoke('directories/sync', { directoryId: id })
    expect(r).toMatchObject({ ok: false, error: { code: 'DIRECTORY_RESPONSE' } })
    expect(JSON.stringify(r)).toMatch(/bidirectional/)
    expect(app.services.store.users.list(undefined, 100, 0)).toEqual(before)
  })
})

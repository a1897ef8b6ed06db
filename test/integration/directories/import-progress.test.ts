// A file import tells how it goes (`directories/syncProgress`, runId "import"): read, imported, the
// devices brought up to date part by part when there are many, and done or failed at the end.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SyncProgress } from '../../../src/shared/domain'
import { openWorkspace, type TestWorkspace } from '../../helpers/workspace'

let ws: TestWorkspace
let directoryId: string
const DEVICES = 150

const csv = (department: string) =>
  [
    'id,userPrincipalName,displayName,department',
    ...Array.from({ length: DEVICES }, (_, i) => `u${i},user${i}@example.test,User ${i},${department}`),
  ].join('\n')

beforeEach(async () => {
  ws = openWorkspace()
  const { store, directories } = ws.app.services
  directoryId = directories.createFileDirectory('Staff file')
  store.groups.create({
    id: 'g-sales',
    directoryId: null,
    name: 'Sales',
    kind: 'rule',
    dialect: 'entra',
    rule: 'user.department -eq "Sales"',
    description: '',
  })
  await ws.call('directories/import', { directoryId, format: 'csv', content: csv('Sales'), mode: 'update' })
  for (let i = 0; i < DEVICES; i++)
    await ws.call('devices/enroll', { serial: `S${i}`, platform: 'ios', userPrincipalName: `user${i}@example.test` })
})
afterEach(() => ws.close())

const listen = () => {
  const seen: SyncProgress[] = []
  const off = ws.app.on('directories/syncProgress', p => {
    seen.push(p)
  })
  return { seen, off }
}

describe('import progress', () => {
  it('reads, imports, brings every device up to date in parts, and says done', async () => {
    const { seen, off } = listen()
    await ws.call('directories/import', { directoryId, format: 'csv', content: csv('Marketing'), mode: 'update' })
    off()
    expect(seen.every(p => p.directoryId === directoryId && p.runId === 'import')).toBe(true)
    // The parts are sized by time (slices.ts), so how many there are depends on the machine.
    const parts = seen.slice(2, -1)
    expect(seen[0]?.phase).toBe('applying')
    expect(seen[1]).toMatchObject({ phase: 'evaluating', percent: 60 })
    expect(parts.length).toBeGreaterThanOrEqual(2)
    expect(parts.every(p => p.phase === 'evaluating' && p.percent >= 60 && p.percent <= 99)).toBe(true)
    const done = parts.map(p => Number(/^(\d+) of /.exec(p.message ?? '')?.[1]))
    expect(done).toEqual([...done].sort((a, b) => a - b))
    expect(parts.at(-1)).toMatchObject({ percent: 99, message: `${DEVICES} of ${DEVICES} devices brought up to date` })
    expect(seen.at(-1)).toMatchObject({ phase: 'done', percent: 100, users: DEVICES })
  })

  it('says failed with the reason when the file is refused', async () => {
    const { seen, off } = listen()
    const e = await ws.callError('directories/import', {
      directoryId,
      format: 'csv',
      content: 'id,userPrincipalName\nu1,',
      mode: 'update',
    })
    off()
    expect(e.code).toBe('IMPORT_INVALID')
    expect(seen.map(p => [p.phase, p.percent])).toEqual([
      ['applying', 0],
      ['failed', 100],
    ])
    expect(seen.at(-1)?.message).toBe(e.message)
  })
})

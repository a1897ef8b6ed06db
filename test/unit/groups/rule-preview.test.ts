// The rule editor's preview: every user, with the true counts, over a snapshot read once per store
// revision, and cancelled by a newer preview from the same editor.
import { afterEach, describe, expect, it } from 'vitest'
import type { UserInput } from '../../../src/main/groups'
import { createRuleGroups } from '../../../src/main/groups/rule-groups'
import { createStore, type Store } from '../../../src/main/store'
import { fakeClock, tempFiles } from '../../helpers/workspace'

const files = tempFiles()
const stores: Store[] = []
afterEach(() => {
  for (const s of stores.splice(0)) s.close()
  files.remove()
})

/** Users u0…u(n-1); every seventh in Sales, every eleventh without a department. */
function directory(n: number): Map<string, UserInput> {
  const out = new Map<string, UserInput>()
  for (let i = 0; i < n; i++) {
    const department = i % 11 === 0 ? undefined : i % 7 === 0 ? 'Sales' : 'Support'
    out.set(`u${i}`, {
      userPrincipalName: `u${i}@x.test`,
      directoryId: null,
      input: { displayName: `User ${String(i).padStart(6, '0')}`, ...(department ? { department } : {}) },
    })
  }
  return out
}

function ruleGroups(n: number, chunk?: number) {
  const store = createStore(files.file())
  stores.push(store)
  let reads = 0
  const rules = createRuleGroups({
    store,
    clock: fakeClock(),
    ids: { next: () => 'id' },
    inputOf: () => ({}),
    allInputs: () => {
      reads++
      return directory(n)
    },
    evaluateGroup: () => [],
    ...(chunk ? { chunk } : {}),
  })
  return { rules, store, reads: () => reads }
}

const expectedSales = (n: number) => {
  let in_ = 0
  let unknown = 0
  for (let i = 0; i < n; i++) {
    if (i % 11 === 0) unknown++
    else if (i % 7 === 0) in_++
  }
  return { in_, unknown }
}

describe('rule preview', () => {
  it('evaluates every one of 120,000 users and counts the true members (not the first 50,000)', async () => {
    const { rules } = ruleGroups(120_000)
    const p = await rules.preview('entra', 'user.department -eq "Sales"', 0, 3)
    const { in_, unknown } = expectedSales(120_000)
    expect(p).toMatchObject({ error: null, usersEvaluated: 120_000, memberCount: in_, unknownCount: unknown })
    // In display-name order: u0 is unknown (no department), u7 and u14 are in.
    expect(p.rows.map(r => [r.userId, r.state])).toEqual([
      ['u0', 'unknown'],
      ['u7', 'in'],
      ['u11', 'unknown'],
    ])
  })

  it('reads the directory once per store revision, and again after a write', async () => {
    const { rules, store, reads } = ruleGroups(100)
    await rules.preview('entra', 'user.department -eq "Sales"', 0, 10)
    await rules.preview('entra', 'user.department -eq "Support"', 0, 10)
    rules.check('entra', 'user.department -eq "Sales"')
    expect(reads()).toBe(1)
    store.directories.create({ id: 'd1', name: 'Staff', kind: 'file' }, 't')
    await rules.preview('entra', 'user.department -eq "Sales"', 0, 10)
    expect(reads()).toBe(2)
  })

  it("cancels an editor's preview still evaluating when the same editor asks again", async () => {
    const { rules } = ruleGroups(1_000, 100)
    const older = rules.preview('entra', 'user.department -eq "Sales"', 0, 10, 'editor-1')
    const newer = rules.preview('entra', 'user.department -eq "Support"', 0, 10, 'editor-1')
    const other = rules.preview('entra', 'user.department -eq "Sales"', 0, 10, 'editor-2')
    await expect(older).rejects.toMatchObject({ code: 'CONFLICT' })
    expect((await newer).usersEvaluated).toBe(1_000)
    expect((await other).memberCount).toBe(expectedSales(1_000).in_)
  })
})

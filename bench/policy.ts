// `npm run bench -- policy`: the policy engine at scale, each figure on its own temp workspace.
// Setup (users, groups, policies, devices) goes through the store and the services and is not
// timed; only the step each figure names is.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createApp, type App } from '../src/main/app'
import type { Platform } from '../src/shared/domain'

export interface Figure {
  name: string
  value: number
  unit: string
}

const round = (n: number): number => Math.round(n * 1000) / 1000
const PLATFORMS: Platform[] = ['ios', 'android', 'macos']
const DEPARTMENTS = 20

async function withApp<T>(fn: (app: App) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'policy-bench-'))
  let n = 0
  const app = createApp({ dataDir: dir, ids: { next: () => `id-${++n}` } })
  try {
    return await fn(app)
  } finally {
    app.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** users u0…, each in department Dept(i % 20); one rule group per department; a policy per group. */
function seed(app: App, users: number, devices: number): void {
  const { store, groups, clock } = app.services
  const at = clock.now().toISOString()
  store.transaction(() => {
    store.directories.create({ id: 'dir', kind: 'file', name: 'Bench' }, at)
    for (let d = 0; d < DEPARTMENTS; d++) {
      store.groups.create({
        id: `dept-${d}`,
        directoryId: null,
        name: `Dept${d}`,
        kind: 'rule',
        dialect: 'entra',
        rule: `user.department -eq "Dept${d}"`,
        description: '',
      })
      store.inventory.put({ id: `app-${d}`, platform: 'ios', identifier: `com.bench.app${d}`, name: `App ${d}` })
      store.policies.create(
        {
          id: `policy-${d}`,
          name: `Policy ${d}`,
          description: '',
          priority: d,
          platforms: PLATFORMS,
          items: [
            {
              id: `item-${d}-app`,
              kind: 'app',
              identifier: `com.bench.app${d}`,
              name: `App ${d}`,
              platform: null,
              settings: { intent: 'required' },
              removeOnUnassign: d % 2 === 0,
            },
            {
              id: `item-${d}-wifi`,
              kind: 'profile',
              identifier: `com.bench.wifi${d}`,
              name: `Wi-Fi ${d}`,
              platform: null,
              settings: { type: 'wifi', ssid: `Net${d}`, security: 'none' },
              removeOnUnassign: false,
            },
            {
              id: `item-${d}-pin`,
              kind: 'restriction',
              identifier: 'minPasscodeLength',
              name: 'PIN',
              platform: null,
              settings: { value: 4 + (d % 8) },
              removeOnUnassign: false,
            },
          ],
          targets: [{ groupId: `dept-${d}`, groupName: `Dept${d}`, mode: 'include' }],
        },
        at,
      )
    }
    for (let i = 0; i < users; i++) {
      store.users.upsert(
        {
          id: `u${i}`,
          directoryId: 'dir',
          externalId: `u${i}`,
          userPrincipalName: `u${i}@bench.example`,
          displayName: `User ${i}`,
          attributes: { department: `Dept${i % DEPARTMENTS}`, jobTitle: 'Clerk' },
        },
        at,
      )
    }
    for (let d = 0; d < DEPARTMENTS; d++) groups.evaluateGroup(`dept-${d}`)
    for (let i = 0; i < devices; i++) {
      store.devices.enroll(
        {
          id: `d${i}`,
          serial: `S${i}`,
          name: `Device ${i}`,
          platform: PLATFORMS[i % 3] as Platform,
          userId: `u${i % users}`,
          pushToken: null,
        },
        at,
      )
    }
  })
}

async function recompute50k(): Promise<Figure> {
  return withApp(async app => {
    seed(app, 50_000, 50_000)
    await app.services.devices.redeployAll({ approved: true })
    // The rule edit: Dept0 now also takes Dept1, which moves 5% of users into it.
    const { store, groups, policies } = app.services
    store.transaction(() => {
      store.groups.setRule('dept-0', 'entra', 'user.department -eq "Dept0" -or user.department -eq "Dept1"')
      groups.evaluateGroup('dept-0', { grace: false })
    })
    const ids = store.devices.boundIds()
    const started = performance.now()
    const results = policies.planDevices(ids, { includeHeld: true })
    const elapsed = performance.now() - started
    const changed = results.filter(r => r.plan.commands.length > 0).length
    if (changed < 2000) throw new Error(`the rule edit should change about 2,500 devices, changed ${changed}`)
    return { name: 'policy.recompute_50k_ms', value: round(elapsed), unit: 'ms' }
  })
}

async function jitDevice(): Promise<Figure> {
  return withApp(async app => {
    const { store, policies, clock } = app.services
    const at = clock.now().toISOString()
    store.transaction(() => {
      store.directories.create({ id: 'dir', kind: 'file', name: 'Bench' }, at)
      for (let g = 0; g < 1000; g++)
        store.groups.create({
          id: `g${g}`,
          directoryId: 'dir',
          name: `Group ${g}`,
          kind: 'synced',
          dialect: null,
          rule: null,
          description: '',
        })
      for (let p = 0; p < 2000; p++) {
        store.policies.create(
          {
            id: `p${p}`,
            name: `Policy ${p}`,
            description: '',
            priority: p % 50,
            platforms: PLATFORMS,
            items: [
              {
                id: `p${p}-app`,
                kind: 'app',
                identifier: `com.bench.app${p % 300}`,
                name: `App ${p % 300}`,
                platform: null,
                settings: { intent: p % 3 === 0 ? 'available' : 'required' },
                removeOnUnassign: false,
              },
              {
                id: `p${p}-cam`,
                kind: 'restriction',
                identifier: 'allowCamera',
                name: 'Camera',
                platform: null,
                settings: { value: p % 2 === 0 },
                removeOnUnassign: false,
              },
            ],
            targets: [
              { groupId: `g${p % 1000}`, groupName: `Group ${p % 1000}`, mode: 'include' },
              {
                groupId: `g${(p * 7 + 3) % 1000}`,
                groupName: `Group ${(p * 7 + 3) % 1000}`,
                mode: p % 10 === 0 ? 'exclude' : 'include',
              },
            ],
          },
          at,
        )
      }
      for (let u = 0; u < 1000; u++) {
        store.users.upsert(
          {
            id: `u${u}`,
            directoryId: 'dir',
            externalId: `u${u}`,
            userPrincipalName: `u${u}@bench.example`,
            displayName: `User ${u}`,
            attributes: {},
          },
          at,
        )
        for (let k = 0; k < 10; k++)
          store.groups.setMembership(
            `u${u}`,
            { groupId: `g${(u * 13 + k * 97) % 1000}`, state: 'in', effective: true, missing: [] },
            at,
          )
        store.devices.enroll(
          {
            id: `d${u}`,
            serial: `S${u}`,
            name: `Device ${u}`,
            platform: PLATFORMS[u % 3] as Platform,
            userId: `u${u}`,
            pushToken: null,
          },
          at,
        )
      }
    })
    policies.planDevices(['d0'])
    const times: number[] = []
    for (let u = 1; u < 1000; u++) {
      const started = performance.now()
      const [r] = policies.planDevices([`d${u}`])
      times.push(performance.now() - started)
      if (!r || r.plan.commands.length === 0) throw new Error(`device d${u} got no commands`)
    }
    times.sort((a, b) => a - b)
    return { name: 'policy.jit_device_ms', value: round(times[Math.floor(times.length / 2)] ?? NaN), unit: 'ms' }
  })
}

async function whatIfRuleEdit(): Promise<Figure> {
  return withApp(async app => {
    seed(app, 100_000, 25_000)
    await app.services.devices.redeployAll({ approved: true })
    const started = performance.now()
    const w = app.services.policies.whatIf({
      kind: 'rule',
      groupId: 'dept-0',
      rule: 'user.department -eq "Dept0" -or user.department -eq "Dept1"',
      dialect: 'entra',
    })
    const elapsed = performance.now() - started
    if (w.totals.usersAffected !== 5000)
      throw new Error(`the rule edit should move 5,000 users, moved ${w.totals.usersAffected}`)
    return { name: 'policy.whatif_rule_edit_ms', value: round(elapsed), unit: 'ms' }
  })
}

export async function policy(): Promise<Figure[]> {
  return [await recompute50k(), await jitDevice(), await whatIfRuleEdit()]
}

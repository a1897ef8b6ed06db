import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp, type App } from '../../src/main/app'
import type { ArgsOf, Channel, ResultOf } from '../../src/shared/contract'
import type { ErrorInfo } from '../../src/shared/errors'
import type { HttpPort, Log } from '../../src/main/ports'
import type { PushTransport } from '../../src/main/push'
import { createRecordingPush, type RecordingPush } from '../fakes/recording-push'

export interface FakeClock {
  now(): Date
  advance(ms: number): void
}

export function fakeClock(start = '2026-11-02T09:00:00.000Z'): FakeClock {
  let t = Date.parse(start)
  return { now: () => new Date(t), advance: ms => void (t += ms) }
}

export function tempDir(prefix = 'jit-mapper-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

export interface TestWorkspace {
  app: App
  clock: FakeClock
  push: RecordingPush
  dir: string
  /** app.call: typed, and an expected failure throws (callError returns it). */
  call<C extends Channel>(channel: C, args: ArgsOf<C>): Promise<ResultOf<C>>
  callError(channel: Channel, args: unknown): Promise<ErrorInfo>
  close(): void
}

/** Paths of database files in temporary folders; `remove` deletes every folder made so far. */
export function tempFiles(name = 'test.db'): { file(): string; remove(): void } {
  const dirs: { remove(): void }[] = []
  return {
    file() {
      const d = tempDir()
      dirs.push(d)
      return join(d.path, name)
    },
    remove: () => dirs.splice(0).forEach(d => d.remove()),
  }
}

export function openWorkspace(
  opts: {
    ackDeadlineMs?: number
    transport?: (recording: RecordingPush) => PushTransport
    log?: Log
    /** Apple's device assignment service: the DEP fake's URL. */
    adeBaseUrl?: string
    /** Outbound HTTP (the Android Management API): a loopback router to the fakes. */
    http?: HttpPort
  } = {},
): TestWorkspace {
  const dir = tempDir()
  const clock = fakeClock()
  const push = createRecordingPush()
  const app = createApp({
    dataDir: dir.path,
    clock,
    push: opts.transport ? opts.transport(push) : push,
    ackDeadlineMs: opts.ackDeadlineMs,
    log: opts.log,
    adeBaseUrl: opts.adeBaseUrl,
    http: opts.http,
  })
  return {
    app,
    clock,
    push,
    dir: dir.path,
    call: (channel, args) => app.call(channel, args),
    async callError(channel, args) {
      const r = await app.invoke(channel, args)
      if (r.ok) throw new Error(`${channel} was expected to fail`)
      return r.error
    },
    close() {
      app.close()
      dir.remove()
    },
  }
}

export const SMALL_DIRECTORY_CSV = [
  'id,userPrincipalName,displayName,department,jobTitle,usageLocation,groups',
  'u1,alex@example.test,Alex Morgan,Sales,Account Executive,US,All Staff',
  'u2,sam@example.test,Sam Rivera,Marketing,Brand Manager,DE,All Staff;Executives',
  'u3,dee@example.test,Dee Kay,,Software Developer,FR,All Staff',
  'u4,kim@example.test,Kim Lee,Sales,Sales Manager,GB,All Staff',
].join('\n')

/** A small organisation: rule groups, synced groups, and policies like the demo's. */
export type SmallGroup = 'Sales' | 'Marketing' | 'Developers' | 'Executives'
export type SmallPolicy = 'Sales CRM Deployment' | 'Marketing Suite'

export function seedSmallOrganisation(ws: TestWorkspace): {
  directoryId: string
  groups: Record<SmallGroup, string>
  policies: Record<SmallPolicy, string>
} {
  const { store, directories, clock } = ws.app.services
  let n = 0
  const id = (p: string) => `${p}-${++n}`
  const directoryId = directories.createFileDirectory('Test directory')
  const groups: Record<string, string> = {}
  const rule = (name: string, text: string) => {
    groups[name] = id('g')
    store.groups.create({
      id: groups[name],
      directoryId: null,
      name,
      kind: 'rule',
      dialect: 'entra',
      rule: text,
      description: '',
    })
  }
  rule('Sales', 'user.department -eq "Sales"')
  rule('Marketing', 'user.department -eq "Marketing"')
  rule('Developers', 'user.jobTitle -contains "Developer"')
  groups['Executives'] = id('g')
  store.groups.create({
    id: groups['Executives'],
    directoryId,
    name: 'Executives',
    kind: 'synced',
    dialect: null,
    rule: null,
    description: '',
  })
  const policies: Record<string, string> = {}
  const at = clock.now().toISOString()
  const policy = (
    name: string,
    priority: number,
    items: {
      kind: 'app' | 'profile' | 'restriction'
      identifier: string
      name: string
      platform?: 'ios' | 'android' | 'macos'
      settings?: Record<string, unknown>
      removeOnUnassign?: boolean
    }[],
    targets: [string, 'include' | 'exclude'][],
  ) => {
    policies[name] = id('p')
    store.policies.create(
      {
        id: policies[name],
        name,
        description: '',
        priority,
        platforms: ['ios', 'android', 'macos'],
        items: items.map(i => ({
          id: id('i'),
          kind: i.kind,
          identifier: i.identifier,
          name: i.name,
          platform: i.platform ?? null,
          settings: i.settings ?? {},
          removeOnUnassign: i.removeOnUnassign ?? false,
        })),
        targets: targets.map(([g, mode]) => ({ groupId: groups[g] as string, groupName: g, mode })),
      },
      at,
    )
  }
  policy(
    'Sales CRM Deployment',
    10,
    [
      { kind: 'app', identifier: 'com.salesforce.chatter', name: 'Salesforce' },
      {
        kind: 'restriction',
        identifier: 'cellularDataLimitMB',
        name: 'Cellular data limit',
        settings: { value: 5120 },
      },
    ],
    [['Sales', 'include']],
  )
  policy(
    'Marketing Suite',
    10,
    [
      { kind: 'app', identifier: 'com.adobe.spark.post', name: 'Adobe Express' },
      { kind: 'profile', identifier: 'com.example.wifi.marketing', name: 'Marketing Wi-Fi', settings: { ssid: 'MKT' } },
    ],
    [
      ['Marketing', 'include'],
      ['Executives', 'exclude'],
    ],
  )
  const imported = directories.importUsers(directoryId, 'csv', SMALL_DIRECTORY_CSV)
  if (imported.run.added !== 4) throw new Error('seed import failed')
  return {
    directoryId,
    groups: groups as Record<SmallGroup, string>,
    policies: policies as Record<SmallPolicy, string>,
  }
}

/** The device fetched and acknowledged every command it was sent so far (as a check-in would). */
export async function acknowledgeAll(ws: TestWorkspace, deviceId: string): Promise<void> {
  const { commands } = await ws.call('devices/get', { deviceId })
  for (const c of commands)
    if (c.state === 'queued' || c.state === 'pushed' || c.state === 'sent')
      await ws.call('devices/acknowledge', { deviceId, commandId: c.id, status: 'acknowledged' })
}

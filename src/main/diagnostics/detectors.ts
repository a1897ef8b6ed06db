// The detectors: each reads the store once and returns its entries in display order. Text is
// built by an entry's render(), for the page shown; a cause's text by its describe(), once.
import type { Diagnostic, DirectoryKind } from '../../shared/domain'
import { unverified } from '../policies'
import type { Store } from '../store'
import type { CauseSpec, Entry } from './entries'

/** The directories room's answer to "where does this attribute come from" (a port, so diagnostics stays offline and room-local). */
export interface AttributeSourceLookup {
  attributeSource(
    directoryId: string,
    attribute: string,
  ): { directoryId: string; directoryName: string; kind: DirectoryKind; property: string | null } | undefined
}

const IDP_NAME: Record<DirectoryKind, string> = {
  entra: 'Entra ID',
  okta: 'Okta',
  google: 'Google Workspace',
  file: 'the directory file',
}

export const plural = (n: number, one: string, many = `${one}s`): string =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`

type Source = ReturnType<AttributeSourceLookup['attributeSource']>

/** Names the directory and the mapping to fix, for one user (`who`) or for all of a cause's ("these users"). */
export function remedy(source: Source, attribute: string, who: string): string {
  if (!source)
    return `Map ${attribute} in the directory's attribute mapping (or fill it in the directory), then Sync Now.`
  if (source.kind === 'file')
    return `Add a ${attribute} column (or fill it for ${who}) in ${source.directoryName}'s file and import it again.`
  if (source.property === null)
    return `No ${IDP_NAME[source.kind]} property is mapped to ${attribute} in ${source.directoryName}: add one to its attribute mapping (Directories → ${source.directoryName}), then Sync Now.`
  return `${source.directoryName} maps ${IDP_NAME[source.kind]} ${source.property} → ${attribute}, but it is empty for ${who}: fill ${source.property} in ${IDP_NAME[source.kind]} (or map another property), then Sync Now.`
}

/** The cause of every SYNC_ATTR_MISSING from profiles for one attribute. */
export const variableCause = (attribute: string): CauseSpec => ({
  key: `SYNC_ATTR_MISSING/variable/${attribute}`,
  code: 'SYNC_ATTR_MISSING',
  attribute,
  describe: n => ({
    title: `${attribute} missing for the profiles of ${plural(n.devices, 'device')}`,
    remediation: `Map ${attribute} in the directory's attribute mapping (or fill it in the directory), then Sync Now.`,
  }),
})

/** SYNC_ATTR_MISSING from profiles: a variable ({{user.mail}}) the user's record cannot fill, so the profile is not sent. */
export function variableMissing(store: Store): Entry[] {
  const problems = store.payloadProblems.list()
  if (problems.length === 0) return []
  const directoryOf = store.users.directories()
  const causes = new Map<string, CauseSpec>()
  const causeOf = (attribute: string): CauseSpec => {
    let c = causes.get(attribute)
    if (!c) {
      c = variableCause(attribute)
      causes.set(attribute, c)
    }
    return c
  }
  return problems.flatMap(p =>
    p.variables.map((attribute): Entry => {
      const directoryId = p.userId ? directoryOf.get(p.userId) : undefined
      return {
        code: 'SYNC_ATTR_MISSING',
        cause: causeOf(attribute),
        deviceId: p.deviceId,
        ...(p.userId ? { userId: p.userId } : {}),
        ...(directoryId ? { directoryId } : {}),
        render: () => ({
          code: 'SYNC_ATTR_MISSING',
          title: `${p.deviceName} lacks ${attribute}, which ${p.itemName} (${p.policyName}) needs`,
          explanation: `${p.itemName} uses {{user.${attribute}}}, but the device's user has no ${attribute}. The profile is not sent until it has one; what the device already has stays.`,
          remediation: `Map ${attribute} in the directory's attribute mapping (or fill it in the directory), then Sync Now.`,
          ...(p.userId ? { userId: p.userId } : {}),
          deviceId: p.deviceId,
          attribute,
          detectedAt: p.detectedAt,
        }),
      }
    }),
  )
}

type LatencyCause = NonNullable<Diagnostic['cause']>

const LATENCY: Record<LatencyCause, { remediations: string[]; describe: CauseSpec['describe'] }> = {
  deadline: {
    remediations: ['devices/repush', 'devices/scan', 'devices/cancel'],
    describe: n => ({
      title: `${plural(n.count, 'command')} on ${plural(n.devices, 'device')} not acknowledged in time`,
      remediation: 'Check the devices are online, then re-push; Scan Device shows whether one answers at all.',
    }),
  },
  'push-failed': {
    remediations: ['devices/repush', 'devices/cancel'],
    describe: n => ({
      title: `The last push to ${plural(n.devices, 'device')} failed`,
      remediation: 'Check the push credentials and the device tokens, then re-push.',
    }),
  },
  'stale-token': {
    remediations: ['devices/repush', 'devices/cancel'],
    describe: n => ({
      title: `${plural(n.devices, 'device')} with a stale push token`,
      remediation: 'Have each device check in with a new token; re-push then, or cancel its stale commands.',
    }),
  },
  'dead-letter': {
    remediations: ['devices/repush', 'devices/cancel'],
    describe: n => ({
      title: `${plural(n.count, 'command')} on ${plural(n.devices, 'device')} dead-lettered`,
      remediation: 'Re-push to give them another round of pushes, or cancel them.',
    }),
  },
  'policy-not-applied': {
    remediations: ['android/sync', 'devices/cancel'],
    describe: n => ({
      title: `${plural(n.devices, 'Android Enterprise device')} behind on ${n.devices === 1 ? 'its policy' : 'their policies'}`,
      remediation:
        'Check the devices are online and signed in to Android Device Policy; Sync Android re-sends the policy and reads their state again.',
    }),
  },
  'not-verified': {
    remediations: ['devices/scan', 'devices/repush'],
    describe: n => ({
      title: `${plural(n.count, 'acknowledged command')} on ${plural(n.devices, 'device')} not confirmed by the device's own lists`,
      remediation: 'Scan Device to ask again; if it stays missing, Re-push.',
    }),
  },
}

export const latencyCause = (cause: LatencyCause): CauseSpec => ({
  key: `PAYLOAD_LATENCY/${cause}`,
  code: 'PAYLOAD_LATENCY',
  cause,
  ...LATENCY[cause],
})

/** PAYLOAD_LATENCY from delivery has four causes (not-verified is notVerified's), each with its own remediation first in the list. */
export function latency(store: Store, now: Date): Entry[] {
  const stale = store.outbox.staleTokens()
  const staleIds = new Set(stale.map(p => p.deviceId))
  const causes = {
    deadline: latencyCause('deadline'),
    'push-failed': latencyCause('push-failed'),
    'stale-token': latencyCause('stale-token'),
    'dead-letter': latencyCause('dead-letter'),
  }
  const entry = (cause: keyof typeof causes, deviceId: string, render: () => Diagnostic): Entry => ({
    code: 'PAYLOAD_LATENCY',
    cause: causes[cause],
    deviceId,
    render,
  })
  // Android Enterprise devices are late as a whole (androidNotApplied), not command by command.
  const amapi = new Set(store.android.devices().map(d => d.deviceId))
  const overdue = store.devices
    .overdueCommands(now.toISOString())
    .filter(c => !amapi.has(c.deviceId))
    .map(c =>
      entry('deadline', c.deviceId, () => ({
        code: 'PAYLOAD_LATENCY',
        cause: 'deadline',
        title:
          `${c.deviceName} has not acknowledged ${c.type.replace(/_/g, ' ')} ${String(c.payload['name'] ?? '')}`.trim(),
        explanation: `Command ${c.seq} (${c.reason.policyName}) was ${c.state === 'sent' ? `fetched by the device at ${c.sentAt} but not answered` : c.state === 'pushed' ? `pushed at ${c.pushedAt}` : 'queued but never pushed (the device has not registered a push token, or every push failed)'} and its deadline ${c.deadlineAt} has passed.`,
        remediation:
          'Check the device is online, then re-push; Scan Device shows whether it answers at all; cancel the command if it is no longer wanted.',
        remediations: LATENCY.deadline.remediations,
        deviceId: c.deviceId,
        commandId: c.id,
        detectedAt: c.deadlineAt,
      })),
    )
  const failedPushes = store.devices
    .latestFailedDeliveries()
    .filter(f => !staleIds.has(f.deviceId))
    .map(f =>
      entry('push-failed', f.deviceId, () => ({
        code: 'PAYLOAD_LATENCY',
        cause: 'push-failed',
        title: `Push to ${f.deviceName} failed`,
        explanation: `The last ${f.transport} push failed: ${f.reason ?? 'no reason given'}. The device will not fetch its commands until it is woken; the outbox retries with backoff.`,
        remediation: 'Check the push credentials and the device token, then re-push.',
        remediations: LATENCY['push-failed'].remediations,
        deviceId: f.deviceId,
        detectedAt: f.at,
      })),
    )
  const tokens = stale.map(p =>
    entry('stale-token', p.deviceId, () => ({
      code: 'PAYLOAD_LATENCY',
      cause: 'stale-token',
      title: `${p.deviceName} has a stale push token`,
      explanation: `Pushes to ${p.deviceName} stopped at ${p.staleAt}: ${p.reason ?? 'the token was refused'}. Its commands wait until the device checks in with a new token.`,
      remediation:
        'Have the device check in (open the agent or reconnect it to the network); re-push once it has a new token, or cancel its stale commands.',
      remediations: LATENCY['stale-token'].remediations,
      deviceId: p.deviceId,
      detectedAt: p.staleAt,
    })),
  )
  const dead = store.outbox.deadLettered().map(c =>
    entry('dead-letter', c.deviceId, () => ({
      code: 'PAYLOAD_LATENCY',
      cause: 'dead-letter',
      title:
        `${c.type.replace(/_/g, ' ')} ${String(c.payload['name'] ?? '')} for ${c.deviceName} was dead-lettered`.replace(
          / +/g,
          ' ',
        ),
      explanation: `Command ${c.seq} (${c.reason.policyName}) gave up at ${c.finishedAt}: ${c.error ?? 'no reason recorded'}.`,
      remediation: 'Re-push to give it another round of pushes, or cancel it.',
      remediations: LATENCY['dead-letter'].remediations,
      deviceId: c.deviceId,
      commandId: c.id,
      detectedAt: c.finishedAt ?? now.toISOString(),
    })),
  )
  return [...overdue, ...failedPushes, ...tokens, ...dead]
}

/**
 * PAYLOAD_LATENCY, not-verified: an Apple device acknowledged an install or removal that its later
 * InstalledApplicationList or ProfileList contradicts (policies/verify.ts).
 */
export function notVerified(store: Store): Entry[] {
  const cause = latencyCause('not-verified')
  return store.apple.listedDeviceIds().flatMap(deviceId => {
    const found = unverified(store.devices.commands(deviceId), store.apple.facts(deviceId))
    if (found.length === 0) return []
    const deviceName = store.devices.get(deviceId)?.name ?? deviceId
    return found.map(
      (u): Entry => ({
        code: 'PAYLOAD_LATENCY',
        cause,
        deviceId,
        render: () => ({
          code: 'PAYLOAD_LATENCY',
          cause: 'not-verified',
          title:
            u.expected === 'present'
              ? `${deviceName} acknowledged ${u.name} but does not list it`
              : `${deviceName} acknowledged removing ${u.name} but still lists it`,
          explanation: `${u.name} (${u.reported}, ${u.policyName}) was acknowledged at ${u.acknowledgedAt}, but the device's ${u.list === 'apps' ? 'managed apps list' : 'managed profiles list'} reported at ${u.reportedAt} ${u.expected === 'present' ? 'does not include it' : 'still includes it'}.`,
          remediation: 'Scan Device to ask again; if it stays missing, Re-push (it sends the command again).',
          remediations: LATENCY['not-verified'].remediations,
          deviceId,
          commandId: u.commandId,
          detectedAt: u.reportedAt,
        }),
      }),
    )
  })
}

// The diagnostics room: every open failure, computed from the local store so it works offline.
// GROUP_RULE_FAIL is raised by rule-fail.ts (the IdP disagrees, a clause can't be evaluated, AND/OR
// grouping decides) and asked for ("why is U not in G") through the groups room's explain.
import type { Diagnostic, DirectoryKind } from '../../shared/domain'
import type { Clock } from '../ports'
import type { Store } from '../store'

export { diagnosticsHandlers } from './handlers'
import { createRuleFailDetector, type RuleInputs } from './rule-fail'
export type { RuleInputs, RuleFailTrigger } from './rule-fail'
import type { DiagnosticsService } from './handlers'
export type { DiagnosticsService }

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

export function createDiagnosticsService({
  store,
  clock,
  directories,
  ruleInputs,
}: {
  store: Store
  clock: Clock
  directories?: AttributeSourceLookup
  /** What rules read per user (the groups room's allInputs); without it GROUP_RULE_FAIL is only asked for. */
  ruleInputs?: RuleInputs
}): DiagnosticsService {
  const ruleFail = ruleInputs ? createRuleFailDetector({ store, clock, inputs: ruleInputs }) : null
  /** Names the directory and the mapping to fix. */
  const remedy = (userId: string, attribute: string, upn: string): { text: string; directoryId?: string } => {
    const directoryId = store.users.summary(userId)?.directoryId
    const source = directoryId ? directories?.attributeSource(directoryId, attribute) : undefined
    if (!source)
      return {
        text: `Map ${attribute} in the directory's attribute mapping (or fill it in the directory), then Sync Now.`,
      }
    if (source.kind === 'file')
      return {
        directoryId: source.directoryId,
        text: `Add a ${attribute} column (or fill it for ${upn}) in ${source.directoryName}'s file and import it again.`,
      }
    if (source.property === null) {
      return {
        directoryId: source.directoryId,
        text: `No ${IDP_NAME[source.kind]} property is mapped to ${attribute} in ${source.directoryName}: add one to its attribute mapping (Directories → ${source.directoryName}), then Sync Now.`,
      }
    }
    return {
      directoryId: source.directoryId,
      text: `${source.directoryName} maps ${IDP_NAME[source.kind]} ${source.property} → ${attribute}, but it is empty for ${upn}: fill ${source.property} in ${IDP_NAME[source.kind]} (or map another property), then Sync Now.`,
    }
  }

  const attrMissing = (): Diagnostic[] =>
    store.groups.unknownMemberships().flatMap(m =>
      m.missing.map(attribute => {
        const fix = remedy(m.userId, attribute, m.userPrincipalName)
        const d: Diagnostic = {
          code: 'SYNC_ATTR_MISSING' as const,
          title: `${m.userPrincipalName} lacks ${attribute}, which ${m.groupName} needs`,
          explanation: `The rule of ${m.groupName} reads ${attribute}, but the directory did not deliver it for ${m.userPrincipalName}. Membership is unknown, so the user's current policies are kept.`,
          remediation: fix.text,
          userId: m.userId,
          groupId: m.groupId,
          attribute,
          detectedAt: m.updatedAt,
        }
        if (fix.directoryId) d.directoryId = fix.directoryId
        return d
      }),
    )

  // A profile variable ({{user.mail}}) the user's record cannot fill: the profile is not sent.
  const variableMissing = (): Diagnostic[] =>
    store.payloadProblems.list().flatMap(p =>
      p.variables.map(attribute => ({
        code: 'SYNC_ATTR_MISSING' as const,
        title: `${p.deviceName} lacks ${attribute}, which ${p.itemName} (${p.policyName}) needs`,
        explanation: `${p.itemName} uses {{user.${attribute}}}, but the device's user has no ${attribute}. The profile is not sent until it has one; what the device already has stays.`,
        remediation: `Map ${attribute} in the directory's attribute mapping (or fill it in the directory), then Sync Now.`,
        ...(p.userId ? { userId: p.userId } : {}),
        deviceId: p.deviceId,
        attribute,
        detectedAt: p.detectedAt,
      })),
    )

  // PAYLOAD_LATENCY has four causes, each with its own remediation first in the list.
  const latency = (now: Date): Diagnostic[] => {
    const stale = store.outbox.staleTokens()
    const staleIds = new Set(stale.map(p => p.deviceId))
    const overdue = store.devices.overdueCommands(now.toISOString()).map(c => ({
      code: 'PAYLOAD_LATENCY' as const,
      cause: 'deadline' as const,
      title:
        `${c.deviceName} has not acknowledged ${c.type.replace(/_/g, ' ')} ${String(c.payload['name'] ?? '')}`.trim(),
      explanation: `Command ${c.seq} (${c.reason.policyName}) was ${c.state === 'sent' ? `fetched by the device at ${c.sentAt} but not answered` : c.state === 'pushed' ? `pushed at ${c.pushedAt}` : 'queued but never pushed (the device has not registered a push token, or every push failed)'} and its deadline ${c.deadlineAt} has passed.`,
      remediation:
        'Check the device is online, then re-push; Scan Device shows whether it answers at all; cancel the command if it is no longer wanted.',
      remediations: ['devices/repush', 'devices/scan', 'devices/cancel'],
      deviceId: c.deviceId,
      commandId: c.id,
      detectedAt: c.deadlineAt,
    }))
    const failedPushes = store.devices
      .latestFailedDeliveries()
      .filter(f => !staleIds.has(f.deviceId))
      .map(f => ({
        code: 'PAYLOAD_LATENCY' as const,
        cause: 'push-failed' as const,
        title: `Push to ${f.deviceName} failed`,
        explanation: `The last ${f.transport} push failed: ${f.reason ?? 'no reason given'}. The device will not fetch its commands until it is woken; the outbox retries with backoff.`,
        remediation: 'Check the push credentials and the device token, then re-push.',
        remediations: ['devices/repush', 'devices/cancel'],
        deviceId: f.deviceId,
        detectedAt: f.at,
      }))
    const tokens = stale.map(p => ({
      code: 'PAYLOAD_LATENCY' as const,
      cause: 'stale-token' as const,
      title: `${p.deviceName} has a stale push token`,
      explanation: `Pushes to ${p.deviceName} stopped at ${p.staleAt}: ${p.reason ?? 'the token was refused'}. Its commands wait until the device checks in with a new token.`,
      remediation:
        'Have the device check in (open the agent or reconnect it to the network); re-push once it has a new token, or cancel its stale commands.',
      remediations: ['devices/repush', 'devices/cancel'],
      deviceId: p.deviceId,
      detectedAt: p.staleAt,
    }))
    const dead = store.outbox.deadLettered().map(c => ({
      code: 'PAYLOAD_LATENCY' as const,
      cause: 'dead-letter' as const,
      title:
        `${c.type.replace(/_/g, ' ')} ${String(c.payload['name'] ?? '')} for ${c.deviceName} was dead-lettered`.replace(
          / +/g,
          ' ',
        ),
      explanation: `Command ${c.seq} (${c.reason.policyName}) gave up at ${c.finishedAt}: ${c.error ?? 'no reason recorded'}.`,
      remediation: 'Re-push to give it another round of pushes, or cancel it.',
      remediations: ['devices/repush', 'devices/cancel'],
      deviceId: c.deviceId,
      commandId: c.id,
      detectedAt: c.finishedAt ?? now.toISOString(),
    }))
    return [...overdue, ...failedPushes, ...tokens, ...dead]
  }

  return {
    list: () => [...attrMissing(), ...variableMissing(), ...(ruleFail?.list() ?? []), ...latency(clock.now())],
  }
}

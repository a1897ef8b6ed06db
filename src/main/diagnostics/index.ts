// The diagnostics room: every open failure, computed from the local store so it works offline.
// GROUP_RULE_FAIL is asked for ("why is U not in G") through the groups room's explain.
import type { Diagnostic, DirectoryKind } from '../../shared/domain'
import type { Clock } from '../ports'
import type { Store } from '../store'

export interface DiagnosticsService {
  list(): Diagnostic[]
}

/** The directory room's answer to "where does this attribute come from" (a port, so diagnostics stays offline and room-local). */
export interface AttributeSourceLookup {
  attributeSource(directoryId: string, attribute: string): { directoryId: string; directoryName: string; kind: DirectoryKind; property: string | null } | undefined
}

const IDP_NAME: Record<DirectoryKind, string> = { entra: 'Entra ID', okta: 'Okta', google: 'Google Workspace', file: 'the directory file' }

export function createDiagnostics({ store, clock, directories }: { store: Store; clock: Clock; directories?: AttributeSourceLookup }): DiagnosticsService {
  /** Names the directory and the mapping to fix. */
  const remedy = (userId: string, attribute: string, upn: string): { text: string; directoryId?: string } => {
    const directoryId = store.users.summary(userId)?.directoryId
    const source = directoryId ? directories?.attributeSource(directoryId, attribute) : undefined
    if (!source) return { text: `Map ${attribute} in the directory's attribute mapping (or fill it in the directory), then Sync Now.` }
    if (source.kind === 'file') return { directoryId: source.directoryId, text: `Add a ${attribute} column (or fill it for ${upn}) in ${source.directoryName}'s file and import it again.` }
    if (source.property === null) {
      return { directoryId: source.directoryId, text: `No ${IDP_NAME[source.kind]} property is mapped to ${attribute} in ${source.directoryName}: add one to its attribute mapping (Directories → ${source.directoryName}), then Sync Now.` }
    }
    return { directoryId: source.directoryId, text: `${source.directoryName} maps ${IDP_NAME[source.kind]} ${source.property} → ${attribute}, but it is empty for ${upn}: fill ${source.property} in ${IDP_NAME[source.kind]} (or map another property), then Sync Now.` }
  }

  const attrMissing = (): Diagnostic[] =>
    store.groups.unknownMemberships().flatMap((m) =>
      m.missing.map((attribute) => {
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

  const latency = (now: Date): Diagnostic[] => {
    const overdue = store.devices.overdueCommands(now.toISOString()).map((c) => ({
      code: 'PAYLOAD_LATENCY' as const,
      title: `${c.deviceName} has not acknowledged ${c.type.replace(/_/g, ' ')} ${String(c.payload['name'] ?? '')}`.trim(),
      explanation: `Command ${c.seq} (${c.reason.policyName}) was ${c.state === 'pushed' ? `pushed at ${c.pushedAt}` : 'queued but never pushed'} and its deadline ${c.deadlineAt} has passed.`,
      remediation: 'Check the device is online, send Scan Device, then re-push.',
      deviceId: c.deviceId,
      commandId: c.id,
      detectedAt: c.deadlineAt,
    }))
    const failedPushes = store.devices.latestFailedDeliveries().map((f) => ({
      code: 'PAYLOAD_LATENCY' as const,
      title: `Push to ${f.deviceName} failed`,
      explanation: `The last ${f.transport} push failed: ${f.reason ?? 'no reason given'}. The device will not fetch its commands until it is woken.`,
      remediation: 'Check the push credentials and the device token, then re-push.',
      deviceId: f.deviceId,
      detectedAt: f.at,
    }))
    return [...overdue, ...failedPushes]
  }

  return {
    list: () => [...attrMissing(), ...latency(clock.now())],
  }
}

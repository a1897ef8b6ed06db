// Verification, not hope: an Apple device acknowledging InstallApplication or InstallProfile says
// it took the command, not that the app or profile is there (an App Store install can still fail
// or be pending). What the device later reports in InstalledApplicationList and ProfileList (both
// asked for managed items only) must agree with the last command it acknowledged for each item.
//
// A report counts only if the device answered it after the command: its query was queued after
// the command (a higher seq on the same channel) and acknowledged. Apple devices carry out a
// channel's commands in the order the server hands them out, one at a time, so the answer reflects
// the command (Apple, "Sending MDM commands to a device": the device asks for the next command
// only after reporting the result of the current one).
import type { Command, CommandType, DeviceFacts } from '../../shared/domain'
import { profileIdentifier, RESTRICTIONS_PROFILE } from './apple/profile'

export type VerifiedList = 'apps' | 'profiles'

export interface Unverified {
  commandId: string
  type: CommandType
  /** What the list reports: the bundle id, or the profile's PayloadIdentifier. */
  reported: string
  /** The item's name as sent (the app or profile name; "Restrictions" for our restriction profile). */
  name: string
  /** present: acknowledged as installed but missing from the report; absent: acknowledged as removed but still there. */
  expected: 'present' | 'absent'
  list: VerifiedList
  policyName: string
  acknowledgedAt: string
  /** When the device's report was stored. */
  reportedAt: string
}

const QUERY: Record<VerifiedList, CommandType> = { apps: 'installed_application_list', profiles: 'profile_list' }

const str = (v: unknown): string => (typeof v === 'string' ? v : '')

/** What a command, once acknowledged, says the device's list holds; null for commands no list shows. */
function claimOf(
  c: Command,
): { list: VerifiedList; reported: string; expected: 'present' | 'absent'; name: string } | null {
  const identifier = str(c.payload['identifier'])
  const name = str(c.payload['name']) || identifier
  switch (c.type) {
    case 'install_app':
      return { list: 'apps', reported: identifier, expected: 'present', name }
    case 'remove_app':
      return { list: 'apps', reported: identifier, expected: 'absent', name }
    case 'install_profile':
      return { list: 'profiles', reported: profileIdentifier(identifier), expected: 'present', name }
    case 'remove_profile':
      return { list: 'profiles', reported: profileIdentifier(identifier), expected: 'absent', name }
    case 'apply_restrictions': {
      // An empty restriction set is sent as RemoveProfile of our restriction profile (mdm-commands.ts).
      const settings = (c.payload['settings'] ?? {}) as Record<string, unknown>
      const expected = Object.keys(settings).length === 0 ? 'absent' : 'present'
      return { list: 'profiles', reported: RESTRICTIONS_PROFILE, expected, name: 'Restrictions' }
    }
    default:
      return null
  }
}

/**
 * The acknowledged commands of one Apple device's device channel that its later reports contradict.
 * `commands` are the device's commands in any order; `facts` its stored reports (null: none yet).
 */
export function unverified(
  commands: readonly Command[],
  facts: Pick<DeviceFacts, 'apps' | 'appsAt' | 'profiles' | 'profilesAt'> | null,
): Unverified[] {
  if (!facts) return []
  const acked = commands
    .filter(c => c.channel === null && c.state === 'acknowledged' && c.payload['platform'] !== 'android')
    .sort((a, b) => a.seq - b.seq)
  const report = {
    apps: { at: facts.appsAt, items: facts.apps === null ? null : new Set(facts.apps.map(a => a.identifier)) },
    profiles: {
      at: facts.profilesAt,
      items: facts.profiles === null ? null : new Set(facts.profiles.map(p => p.identifier)),
    },
  }
  // The seq of the last acknowledged query of each list whose answer is the stored one.
  const answeredSeq = (list: VerifiedList): number => {
    const at = report[list].at
    if (at === null) return -1
    const queries = acked.filter(c => c.type === QUERY[list] && (c.acknowledgedAt ?? '') <= at)
    return queries.at(-1)?.seq ?? -1
  }
  const answered = { apps: answeredSeq('apps'), profiles: answeredSeq('profiles') }
  // The last acknowledged command per reported item decides what the list should show.
  const last = new Map<string, { c: Command; claim: NonNullable<ReturnType<typeof claimOf>> }>()
  for (const c of acked) {
    const claim = claimOf(c)
    if (claim) last.set(`${claim.list}\u0000${claim.reported}`, { c, claim })
  }
  const out: Unverified[] = []
  for (const { c, claim } of last.values()) {
    const items = report[claim.list].items
    if (items === null || answered[claim.list] < c.seq) continue
    if (items.has(claim.reported) === (claim.expected === 'present')) continue
    out.push({
      commandId: c.id,
      type: c.type,
      ...claim,
      policyName: c.reason.policyName,
      acknowledgedAt: c.acknowledgedAt ?? '',
      reportedAt: report[claim.list].at ?? '',
    })
  }
  return out
}

const LIST_OF: Partial<Record<CommandType, VerifiedList>> = {
  install_app: 'apps',
  remove_app: 'apps',
  install_profile: 'profiles',
  remove_profile: 'profiles',
  apply_restrictions: 'profiles',
}

/**
 * The list queries to ask once a batch of commands is acknowledged: a list is asked again when an
 * acknowledged command it shows came after the last query of it (in any state but cancelled), so a
 * batch gets one pair of queries, not one per command.
 */
export function verificationQueries(commands: readonly Command[]): CommandType[] {
  const deviceChannel = commands.filter(c => c.channel === null && c.payload['platform'] !== 'android')
  const lastQuery = (list: VerifiedList): number =>
    Math.max(-1, ...deviceChannel.filter(c => c.type === QUERY[list] && c.state !== 'cancelled').map(c => c.seq))
  const lastAcked = (list: VerifiedList): number =>
    Math.max(-1, ...deviceChannel.filter(c => c.state === 'acknowledged' && LIST_OF[c.type] === list).map(c => c.seq))
  return (['apps', 'profiles'] as const).filter(l => lastAcked(l) > lastQuery(l)).map(l => QUERY[l])
}

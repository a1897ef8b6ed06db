// The rule side as the main thread serves it, straight from its columns (rule-side.ts): making it
// is a few small objects (one CauseSpec per cause), so installing 200,000 rows costs no more than
// receiving them. A count, the unfiltered summary and a page read the columns; an Entry is made
// only for a row a page shows, or for all of them when all are asked for (`diagnose`).
import type { Diagnostic, DiagnosticCode, DiagnosticsSummary } from '../../shared/domain'
import { DIAGNOSTIC_CODES, describeCause } from './causes'
import { type AttributeSourceLookup, plural, remedy } from './detectors'
import type { CauseSpec, Side } from './entries'
import { type CauseCounts, countCauses, type RuleSideCause, type RuleSideData } from './rule-side'

const TRIGGER_WORDS: Record<NonNullable<Diagnostic['trigger']>, string> = {
  'idp-disagrees': "the IdP's own members disagree with the rule's evaluation",
  'evaluation-error': 'the rule could not be evaluated',
  'mixed-logic': "the rule's AND/OR grouping decides",
}

type Source = ReturnType<AttributeSourceLookup['attributeSource']>

interface Cause {
  spec: CauseSpec
  raw: RuleSideCause
  /** SYNC_ATTR_MISSING: where the attribute comes from, for the remediation. */
  source: Source
}

function causeOf(raw: RuleSideCause, directories: AttributeSourceLookup | undefined): Cause {
  if (raw.code === 'GROUP_RULE_FAIL') {
    const trigger = raw.trigger ?? 'evaluation-error'
    const spec: CauseSpec = {
      key: raw.key,
      code: 'GROUP_RULE_FAIL',
      ...(raw.directoryId ? { directoryId: raw.directoryId } : {}),
      describe: n => ({
        title: `${raw.groupTitle}, ${plural(n.users, 'user')}: ${TRIGGER_WORDS[trigger]}`,
        remediation: raw.remediation ?? '',
      }),
    }
    return { spec, raw, source: undefined }
  }
  const attribute = raw.attribute ?? ''
  const source = raw.directoryId === null ? undefined : directories?.attributeSource(raw.directoryId, attribute)
  const where = source ? ` of ${source.directoryName}` : ''
  const spec: CauseSpec = {
    key: raw.key,
    code: 'SYNC_ATTR_MISSING',
    attribute,
    ...(source ? { directoryId: source.directoryId } : {}),
    describe: n => ({
      title: `${attribute} missing for ${plural(n.users, 'user')}${where}: rules read it`,
      remediation: remedy(source, attribute, 'these users'),
    }),
  }
  return { spec, raw, source }
}

export interface RuleSide extends Side {
  /** The diagnostics revision the rows were read at. */
  readonly revision: string
}

export function ruleSide(data: RuleSideData, directories: AttributeSourceLookup | undefined): RuleSide {
  const { rows, offsets, text } = data
  const strings: (string | undefined)[] = []
  const at = (i: number): string => {
    let s = strings[i]
    if (s === undefined) {
      s = text.slice(offsets[i], offsets[i + 1])
      strings[i] = s
    }
    return s
  }
  const opt = (i: number): string | undefined => (i < 0 ? undefined : at(i))
  /** A string's index in the table (each is there once), or -1. */
  const indexOf = (s: string): number => {
    for (let i = 0; i + 1 < offsets.length; i++)
      if ((offsets[i + 1] as number) - (offsets[i] as number) === s.length && text.startsWith(s, offsets[i])) return i
    return -1
  }
  const causes = data.causes.map(c => causeOf(c, directories))
  const length = rows.cause.length
  let unfiltered: DiagnosticsSummary | undefined

  const summaryOf = (counts: CauseCounts[]): DiagnosticsSummary => {
    const byCode = Object.fromEntries(DIAGNOSTIC_CODES.map(c => [c, 0])) as Record<DiagnosticCode, number>
    for (const c of counts) byCode[(causes[c.cause] as Cause).spec.code] += c.count
    return {
      total: length,
      counts: byCode,
      causes: counts.map(c =>
        describeCause((causes[c.cause] as Cause).spec, { count: c.count, users: c.users, devices: 0 }, c.groups),
      ),
    }
  }

  const render = (i: number, cause: Cause): Diagnostic => {
    const userId = opt(rows.user[i] as number)
    const groupId = opt(rows.group[i] as number)
    if (cause.raw.code === 'GROUP_RULE_FAIL') {
      const directoryId = cause.raw.directoryId
      return {
        code: 'GROUP_RULE_FAIL',
        trigger: cause.raw.trigger ?? 'evaluation-error',
        title: at(rows.title[i] as number),
        explanation: at(rows.explanation[i] as number),
        remediation: at(rows.remediation[i] as number),
        ...(userId !== undefined ? { userId } : {}),
        ...(groupId !== undefined ? { groupId } : {}),
        ...(directoryId ? { directoryId } : {}),
        detectedAt: at(rows.at[i] as number),
      }
    }
    const upn = at(rows.upn[i] as number)
    const groupName = at(rows.groupName[i] as number)
    const attribute = cause.raw.attribute ?? ''
    const d: Diagnostic = {
      code: 'SYNC_ATTR_MISSING',
      title: `${upn} lacks ${attribute}, which ${groupName} needs`,
      explanation: `The rule of ${groupName} reads ${attribute}, but the directory did not deliver it for ${upn}. Membership is unknown, so the user's devices keep what they have from this group and get nothing new from it.`,
      remediation: remedy(cause.source, attribute, upn),
      userId: userId ?? '',
      groupId: groupId ?? '',
      attribute,
      detectedAt: at(rows.at[i] as number),
    }
    if (cause.spec.directoryId !== undefined) d.directoryId = cause.spec.directoryId
    return d
  }

  return {
    revision: data.revision,
    length,
    select(f) {
      if (
        f.code === undefined &&
        f.cause === undefined &&
        f.directoryId === undefined &&
        f.groupId === undefined &&
        f.userId === undefined &&
        f.deviceId === undefined
      )
        return null
      // No rule-side diagnostic concerns a device.
      if (f.deviceId !== undefined) return new Int32Array(0)
      const causeOk = causes.map(
        ({ spec }) =>
          (f.code === undefined || spec.code === f.code) &&
          (f.cause === undefined || spec.key === f.cause) &&
          (f.directoryId === undefined || spec.directoryId === f.directoryId),
      )
      const user = f.userId === undefined ? -1 : indexOf(f.userId)
      const group = f.groupId === undefined ? -1 : indexOf(f.groupId)
      if ((f.userId !== undefined && user < 0) || (f.groupId !== undefined && group < 0)) return new Int32Array(0)
      const out = new Int32Array(length)
      let n = 0
      for (let i = 0; i < length; i++)
        if (
          causeOk[rows.cause[i] as number] &&
          (user < 0 || rows.user[i] === user) &&
          (group < 0 || rows.group[i] === group)
        )
          out[n++] = i
      return out.subarray(0, n)
    },
    summary(only) {
      if (only) return summaryOf(countCauses(rows, at, only))
      unfiltered ??= summaryOf(data.counts)
      return unfiltered
    },
    entry(i) {
      const cause = causes[rows.cause[i] as number] as Cause
      const userId = opt(rows.user[i] as number)
      const groupId = opt(rows.group[i] as number)
      const groupName = opt(rows.groupName[i] as number)
      const directoryId = cause.spec.directoryId
      return {
        code: cause.spec.code,
        cause: cause.spec,
        ...(userId !== undefined ? { userId } : {}),
        ...(groupId !== undefined ? { groupId } : {}),
        ...(groupName !== undefined ? { groupName } : {}),
        ...(directoryId !== undefined ? { directoryId } : {}),
        render: () => render(i, cause),
      }
    },
  }
}

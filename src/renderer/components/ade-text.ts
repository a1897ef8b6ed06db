// Words for Automated Device Enrollment on screen: a device's state and a sync's outcome.
// Plain functions, so the unit tests check them without a browser.
import type { AdeDevice, AdeSyncSummary } from '../../shared/ade'

/** The badge tones of ui.tsx this file uses (kept here so it compiles without the DOM's api). */
type Tone = 'good' | 'warn' | 'info'

export function adeStateLabel(d: Pick<AdeDevice, 'state' | 'profileName' | 'profileUuid'>): {
  text: string
  tone: Tone
} {
  switch (d.state) {
    case 'enrolled':
      return { text: 'enrolled', tone: 'good' }
    case 'assigned':
      return { text: 'assigned, not enrolled', tone: 'info' }
    case 'removed':
      return { text: 'profile removed', tone: 'warn' }
    default:
      return { text: 'no profile', tone: 'warn' }
  }
}

/** "2 added, 1 removed, 2 assigned the default profile" — or why it failed. */
export function syncSummaryText(s: AdeSyncSummary): string {
  if (!s.ok) return `Failed: ${s.error?.message ?? 'unknown error'}`
  const parts = [
    s.added > 0 ? `${s.added} added` : null,
    s.modified > 0 ? `${s.modified} changed` : null,
    s.deleted > 0 ? `${s.deleted} removed` : null,
    s.assigned > 0 ? `${s.assigned} assigned the default profile` : null,
  ].filter((p): p is string => p !== null)
  return `${parts.length > 0 ? parts.join(', ') : 'No changes'}${s.fullFetch ? ' (full list)' : ''}`
}

// Notices writes that other processes (the CLI, a cron sync, a second app) make to the same
// workspace and announces what they touched as `db/changed`, as if this process had made them:
// the renderer then refreshes the affected queries. A poll of SQLite's data_version is one page
// read and moves only when another connection commits
// (https://sqlite.org/pragma.html#pragma_data_version); only then is the change log read.
import { DOMAINS, type Domain } from '../shared/changes'
import type { Store } from './store'

export interface ChangeWatcher {
  /** Looks once; returns the domains other processes touched since the last look (and announces them). */
  check(): readonly Domain[]
  stop(): void
}

export function createChangeWatcher({
  store,
  origin,
  intervalMs,
  announce,
}: {
  store: Store
  /** This process's mark on its own change-log rows, which it skips. */
  origin: string
  /** How often to look; 0: only when check() is called. */
  intervalMs: number
  announce(domains: readonly Domain[]): void
}): ChangeWatcher {
  let version = store.revision.external()
  let seq = store.changeLog.last()

  function check(): readonly Domain[] {
    const now = store.revision.external()
    if (now === version) return []
    version = now
    const entries = store.changeLog.since(seq)
    if (entries.length === 0) return []
    seq = (entries.at(-1) as { seq: number }).seq
    const touched = new Set<Domain>()
    for (const e of entries) if (e.origin !== origin) for (const d of e.domains) touched.add(d)
    // Keep the shared order of shared/changes.ts, so listeners see a stable list.
    const domains = DOMAINS.filter(d => touched.has(d))
    if (domains.length > 0) announce(domains)
    return domains
  }

  const timer = intervalMs > 0 ? setInterval(check, intervalMs).unref() : null
  return {
    check,
    stop: () => {
      if (timer) clearInterval(timer)
    },
  }
}

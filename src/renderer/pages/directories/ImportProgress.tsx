// A running import's progress, as main tells it (`directories/syncProgress`, runId "import"): the
// file read on the import thread, its users written, then the devices brought up to date in parts.
import { useEffect, useState } from 'react'
import { onSyncProgress } from '../../api'
import type { SyncProgress } from '../../../shared/domain'

/** The latest progress of an import into this directory since `since` changed (a new import). */
export function useImportProgress(directoryId: string, since: number): SyncProgress | null {
  const [progress, setProgress] = useState<SyncProgress | null>(null)
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new import (since) starts without the last one's progress
  useEffect(() => {
    setProgress(null)
    return onSyncProgress(p => {
      if (p.directoryId === directoryId && p.runId === 'import') setProgress(p)
    })
  }, [directoryId, since])
  return progress
}

export function ImportProgress({ progress }: { progress: SyncProgress }) {
  return (
    <div className="sync-progress">
      <progress
        aria-label="Import progress"
        max={100}
        value={progress.percent}
        aria-valuetext={`${progress.percent}% ${progress.phase}`}
      />
      <span className="small" role="status">
        {progress.percent}% · {progress.message}
      </span>
    </div>
  )
}

// A file import from its text: the directory checked, the file parsed (a bad file refused whole
// and recorded as a failed run), then imported (file-import.ts). The directories room runs it in
// the main thread, the import thread (import-thread.ts) on its own connection.
import { AppError } from '../../shared/errors'
import { parseUserFile } from './file'
import { importFile, type ImportDeps, type ImportMode } from './file-import'
import type { ImportOutcome } from './service'

export interface ImportText {
  directoryId: string
  format: 'csv' | 'json'
  content: string
  mode: ImportMode
  confirmRemovals: boolean
}

export function importUsers(
  deps: ImportDeps,
  job: ImportText,
  /** Told once the file is parsed, with how many users it holds (the import thread's progress). */
  onParsed?: (users: number) => void,
): ImportOutcome {
  const { store, ids, clock } = deps
  const { directoryId, format, content, mode } = job
  const directory = store.directories.get(directoryId)
  if (!directory) throw new AppError('NOT_FOUND', `No directory with id ${directoryId}.`, { directoryId })
  if (directory.kind !== 'file') {
    throw new AppError(
      'NOT_EDITABLE',
      `${directory.name} is synced from ${directory.kind}; import files into a file directory instead.`,
      { directoryId },
    )
  }
  const startedAt = clock.now().toISOString()
  const parsed = parseUserFile(format, content)
  if (!parsed.ok) {
    const first = parsed.errors[0]
    store.directories.recordSyncRun({
      id: ids.next(),
      directoryId,
      mode: 'import',
      status: 'failed',
      startedAt,
      finishedAt: clock.now().toISOString(),
      added: 0,
      changed: 0,
      removed: 0,
      error: first?.message ?? 'The file is invalid',
    })
    throw new AppError(
      'IMPORT_INVALID',
      `The ${format.toUpperCase()} file was refused and nothing was imported: ${first?.message ?? 'it is invalid'}${parsed.errors.length > 1 ? ` (and ${parsed.errors.length - 1} more problems)` : ''}.`,
      {
        errors: parsed.errors,
      },
    )
  }
  onParsed?.(parsed.users.length)
  return importFile(deps, {
    directoryId,
    directoryName: directory.name,
    users: parsed.users,
    mode,
    confirmRemovals: job.confirmRemovals,
    startedAt,
  })
}

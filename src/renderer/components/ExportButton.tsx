// "Export CSV" from a list: main writes the file's text (the same as `jit-mapper export`), the
// browser saves it.
import { useMutation } from '@tanstack/react-query'
import { call } from '../api'
import type { ExportKind } from '../../shared/admin'
import { ErrorNote } from './ui'

/** Saves text as a file through a temporary link (works in Electron and in the browser). */
export function saveFile(fileName: string, mimeType: string, content: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: `${mimeType};charset=utf-8` }))
  const a = document.createElement('a')
  a.href = url
  a.download = fileName
  document.body.append(a)
  a.click()
  a.remove()
  URL.revokeObjectURL(url)
}

export function ExportButton({ kind, label }: { kind: ExportKind; label: string }) {
  const run = useMutation({
    mutationFn: () => call('exports/csv', { kind }),
    onSuccess: f => saveFile(f.fileName, f.mimeType, f.content),
  })
  return (
    <>
      <button type="button" className="small" onClick={() => run.mutate()} disabled={run.isPending}>
        {label}
      </button>
      {run.isError && <ErrorNote error={run.error} title="Export failed" />}
    </>
  )
}

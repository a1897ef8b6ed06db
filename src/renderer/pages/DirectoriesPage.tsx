import { useState, type ChangeEvent, type FormEvent } from 'react'
import { RemoveDirectory } from './directories/RemoveDirectory'
import { useMutation, useQuery } from '@tanstack/react-query'
import { ApiError, call, directoriesQuery, errorMessage } from '../api'
import { Badge, Loaded, PageHeader, Section, Time } from '../components/ui'
import type { DirectorySummary, ImportResult, SyncRun } from '../../shared/domain'
import { ConnectForm } from './directories/ConnectForm'
import { DirectoryCard } from './directories/DirectoryCard'
import { ImportProgress, useImportProgress } from './directories/ImportProgress'
import { Table } from '../components/Table'

const KIND_LABEL = { file: 'File', entra: 'Microsoft Entra ID', okta: 'Okta', google: 'Google Workspace' } as const

export function DirectoriesPage() {
  const directories = useQuery(directoriesQuery())
  const [note, setNote] = useState<string | null>(null)
  return (
    <>
      <PageHeader
        title="Directories"
        subtitle="Where users and their attributes come from. The directory is the source of truth."
      />
      <Loaded query={directories} label="Loading directories…">
        {list => (
          <>
            {note && (
              <p className="notice" role="status">
                {note}
              </p>
            )}
            <Section title="Connected directories">
              <Table
                label="Directories"
                columns={['Directory', 'Kind', { header: 'Users', numeric: true }, 'Last sync', 'Result', 'Actions']}
                items={list}
                itemKey={d => d.id}
                empty="No directory is connected."
              >
                {d => (
                  <tr>
                    <td>{d.name}</td>
                    <td>{KIND_LABEL[d.kind]}</td>
                    <td className="num">{d.userCount.toLocaleString()}</td>
                    <td>
                      {d.lastSync ? (
                        <>
                          <Time iso={d.lastSync.finishedAt} /> <span className="muted small">({d.lastSync.mode})</span>
                        </>
                      ) : (
                        <span className="muted">never</span>
                      )}
                    </td>
                    <td>{d.lastSync ? <RunResult run={d.lastSync} /> : <span className="muted">—</span>}</td>
                    <td>
                      {/* An IdP directory is removed from its card below. */}
                      {d.kind === 'file' && <RemoveDirectory directoryId={d.id} name={d.name} onRemoved={setNote} />}
                    </td>
                  </tr>
                )}
              </Table>
            </Section>
            {list
              .filter(d => d.kind !== 'file')
              .map(d => (
                <DirectoryCard key={d.id} directoryId={d.id} name={d.name} onRemoved={setNote} />
              ))}
            <Section title="Connect a directory">
              <ConnectForm />
            </Section>
            <Section title="Import users">
              <ImportForm directories={list} />
            </Section>
          </>
        )}
      </Loaded>
    </>
  )
}

function RunResult({ run }: { run: SyncRun }) {
  if (run.status === 'failed') {
    return (
      <>
        <Badge tone="bad">failed</Badge> <span className="small error-text">{run.error}</span>
      </>
    )
  }
  if (run.status === 'held' || run.status === 'cancelled') {
    // Held: waits for "Confirm and apply" in the directory's sync history below.
    return (
      <>
        <Badge tone={run.status === 'held' ? 'warn' : 'neutral'}>{run.status}</Badge>{' '}
        <span className="small muted">{run.error}</span>
      </>
    )
  }
  return (
    <>
      <Badge tone="good">succeeded</Badge>{' '}
      <span className="small muted">
        +{run.added} added · {run.changed} changed · −{run.removed} removed
      </span>
    </>
  )
}

type Format = 'csv' | 'json'
type ImportMode = 'update' | 'replace'

function ImportForm({ directories }: { directories: DirectorySummary[] }) {
  const importable = directories.filter(d => d.kind === 'file')
  const [directoryId, setDirectoryId] = useState(importable[0]?.id ?? '')
  const [format, setFormat] = useState<Format>('csv')
  const [content, setContent] = useState('')
  // A picked file is sent as it is, never shown: a 100,000-row file in the text box froze the page.
  const [picked, setPicked] = useState<{ name: string; size: number; text: string } | null>(null)
  const [mode, setMode] = useState<ImportMode>('update')
  const [confirmRemovals, setConfirmRemovals] = useState(false)
  const [fileError, setFileError] = useState<string | null>(null)
  const [started, setStarted] = useState(0)
  const progress = useImportProgress(directoryId, started)
  const run = useMutation({
    mutationFn: () =>
      call('directories/import', {
        directoryId,
        format,
        content: picked?.text ?? content,
        mode,
        ...(mode === 'replace' && confirmRemovals ? { confirmRemovals: true } : {}),
      }),
  })

  const pickFile = async (e: ChangeEvent<HTMLInputElement>) => {
    setFileError(null)
    const file = e.target.files?.[0]
    if (!file) return
    if (/\.json$/i.test(file.name)) setFormat('json')
    else if (/\.csv$/i.test(file.name)) setFormat('csv')
    try {
      setPicked({ name: file.name, size: file.size, text: await file.text() })
    } catch (err) {
      setFileError(`Could not read ${file.name}: ${errorMessage(err)}`)
    }
  }

  const submit = (e: FormEvent) => {
    e.preventDefault()
    setStarted(n => n + 1)
    run.mutate()
  }

  if (importable.length === 0) {
    return <p className="muted">Only file directories take imports; none is configured.</p>
  }

  return (
    <form aria-label="Import users" onSubmit={submit}>
      <p className="muted">
        <strong>Update</strong> adds the file's users and updates the ones already there; columns the file does not have
        are left as they are, and users not in the file stay. <strong>Replace</strong> makes the file the whole
        directory: users missing from it are removed (held for confirmation when that is more than the removal limits).
        The <code>groups</code> column names this directory's synced groups; a new name creates one. A file with any bad
        row is rejected whole, and nothing already stored changes.
      </p>
      <div className="form-row">
        <label>
          <span className="field-label">Directory</span>
          <select value={directoryId} onChange={e => setDirectoryId(e.target.value)}>
            {importable.map(d => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span className="field-label">Format</span>
          <select value={format} onChange={e => setFormat(e.target.value as Format)}>
            <option value="csv">CSV</option>
            <option value="json">JSON</option>
          </select>
        </label>
        <label>
          <span className="field-label">Mode</span>
          <select value={mode} onChange={e => setMode(e.target.value as ImportMode)}>
            <option value="update">Update: add and update these users</option>
            <option value="replace">Replace: the file is the whole directory</option>
          </select>
        </label>
        {mode === 'replace' && (
          <label>
            <input type="checkbox" checked={confirmRemovals} onChange={e => setConfirmRemovals(e.target.checked)} />{' '}
            Apply even if it removes more than the removal limits
          </label>
        )}
        <label>
          <span className="field-label">File</span>
          <input type="file" accept=".csv,.json,text/csv,application/json" onChange={e => void pickFile(e)} />
        </label>
      </div>
      {picked ? (
        <p className="picked-file" role="status">
          <strong>{picked.name}</strong> ({(picked.size / 1024).toLocaleString(undefined, { maximumFractionDigits: 0 })}{' '}
          KB) is ready to import.{' '}
          <button type="button" className="link-button" onClick={() => setPicked(null)}>
            Paste content instead
          </button>
        </p>
      ) : (
        <label className="block">
          <span className="field-label">Content</span>
          <textarea
            value={content}
            onChange={e => setContent(e.target.value)}
            rows={8}
            spellCheck={false}
            placeholder={
              format === 'csv' ? 'userPrincipalName,displayName,department,…' : '[{ "userPrincipalName": "…" }]'
            }
            required
          />
        </label>
      )}
      {fileError && (
        <div className="error-note" role="alert">
          {fileError}
        </div>
      )}
      <div className="form-actions">
        <button
          type="submit"
          className="primary"
          disabled={run.isPending || (picked === null && content.trim() === '') || !directoryId}
        >
          {run.isPending ? 'Importing…' : 'Import'}
        </button>
      </div>
      {run.isPending && progress && <ImportProgress progress={progress} />}
      {run.isError && <ImportError error={run.error} />}
      {run.isSuccess && <ImportSummary result={run.data} />}
    </form>
  )
}

interface Located {
  row?: number
  column?: string | number
  field?: string
  message?: string
}

/** Import errors say where: row and column from error.details, one line per problem. */
function ImportError({ error }: { error: unknown }) {
  const details = error instanceof ApiError ? error.details : undefined
  const problems = locatedProblems(details)
  return (
    <div className="error-note" role="alert">
      <strong>Import failed: </strong>
      <span>{errorMessage(error)}</span>
      {problems.length > 0 && (
        <ul>
          {problems.map((p, i) => (
            <li key={i}>{describe(p)}</li>
          ))}
        </ul>
      )}
    </div>
  )
}

function where(p: Located): string {
  const parts: string[] = []
  if (p.row !== undefined) parts.push(`Row ${p.row}`)
  if (p.column !== undefined) parts.push(`column ${p.column}`)
  if (p.field !== undefined) parts.push(`field ${p.field}`)
  return parts.join(', ') || 'Problem'
}

/** The problem's own message when it already names its row; otherwise the location first. */
function describe(p: Located): string {
  if (!p.message) return where(p)
  if (p.row !== undefined && new RegExp(`\\b(row|line|record) ${p.row}\\b`, 'i').test(p.message)) return p.message
  return `${where(p)}: ${p.message}`
}

function asLocated(v: unknown): Located | null {
  if (typeof v !== 'object' || v === null) return null
  const o = v as Record<string, unknown>
  const out: Located = {}
  if (typeof o['row'] === 'number') out.row = o['row']
  else if (typeof o['line'] === 'number') out.row = o['line']
  if (typeof o['column'] === 'string' || typeof o['column'] === 'number') out.column = o['column']
  if (typeof o['field'] === 'string') out.field = o['field']
  else if (typeof o['path'] === 'string') out.field = o['path']
  if (typeof o['message'] === 'string') out.message = o['message']
  return out.row !== undefined || out.column !== undefined || out.field !== undefined ? out : null
}

function locatedProblems(details: Record<string, unknown> | undefined): Located[] {
  if (!details) return []
  for (const key of ['errors', 'issues', 'problems', 'rows', 'fields']) {
    const list = details[key]
    if (Array.isArray(list)) return list.map(asLocated).filter((x): x is Located => x !== null)
  }
  const single = asLocated(details)
  return single ? [single] : []
}

function ImportSummary({ result }: { result: ImportResult }) {
  return (
    <div className="success-note" role="status">
      Imported: {result.run.added} added, {result.run.changed} changed, {result.run.removed} removed.
    </div>
  )
}

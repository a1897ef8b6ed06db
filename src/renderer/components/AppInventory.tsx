// The apps policies can deploy: one store identity per platform — the bundle id and, for Apple
// apps bought through the App Store or Apps and Books (VPP), the adam id that InstallApplication
// sends as iTunesStoreID; the package name for Android — and how each policy assigns it.
import { useState, type FormEvent } from 'react'
import { useMutation, useQuery } from '@tanstack/react-query'
import { appInventoryQuery, call, policiesQuery } from '../api'
import { DeleteWithPreview, RenameControl } from './AdminChange'
import { Field } from './Field'
import { fieldProblems } from './field-errors'
import { ApiError } from '../api'
import { Badge, ErrorNote, Loaded, PlatformOptions, platformLabel } from './ui'
import type { Platform } from '../../shared/domain'
import type { AppInventoryEntry } from '../../shared/policy'
import { Table } from './Table'
import { assignmentsByApp, type AppAssignment } from './app-assignments'

const isApple = (p: Platform): boolean => p === 'ios' || p === 'macos'

export function AppInventory({ onNote }: { onNote?: (message: string) => void }) {
  const apps = useQuery(appInventoryQuery())
  const policies = useQuery(policiesQuery())
  const assignments = assignmentsByApp(policies.data ?? [])
  return (
    <section className="card" aria-labelledby="app-inventory">
      <div className="card-header">
        <h2 id="app-inventory">App inventory</h2>
      </div>
      <Loaded query={apps} label="Loading apps…">
        {list => (
          <Table
            label="Apps"
            columns={['App', 'Platform', 'Bundle or package id', 'App Store id', 'Assigned by', 'Actions']}
            items={list}
            itemKey={a => a.id}
            empty="No apps yet."
          >
            {a => (
              <AppRow app={a} assignments={assignments.get(`${a.platform}|${a.identifier}`) ?? []} onNote={onNote} />
            )}
          </Table>
        )}
      </Loaded>
      <AddAppForm />
    </section>
  )
}

function AppRow({
  app: a,
  assignments,
  onNote,
}: {
  app: AppInventoryEntry
  assignments: AppAssignment[]
  onNote: ((message: string) => void) | undefined
}) {
  return (
    <tr>
      <td>{a.name}</td>
      <td>{platformLabel(a.platform)}</td>
      <td className="mono">{a.identifier}</td>
      <td className="mono">{a.storeId ?? <span className="muted">—</span>}</td>
      <td>
        {assignments.length === 0 ? (
          <span className="muted">No policy</span>
        ) : (
          <ul className="plain-list">
            {assignments.map(x => (
              <li key={`${x.policyName}|${x.intent}`}>
                {x.policyName} <Badge tone={x.intent === 'required' ? 'info' : 'neutral'}>{x.intent}</Badge>
                {x.removeOnUnassign && (
                  <Badge tone="warn" title="Uninstalled when the policy is withdrawn, and with the MDM profile">
                    removed on withdrawal
                  </Badge>
                )}
              </li>
            ))}
          </ul>
        )}
      </td>
      <td className="actions">
        <RenameControl
          what="app"
          current={a.name}
          save={name =>
            call('apps/save', { platform: a.platform, identifier: a.identifier, name, storeId: a.storeId ?? null })
          }
          onDone={onNote}
        />
        <DeleteWithPreview
          what="app"
          label="Remove"
          name={`${a.name} (${platformLabel(a.platform)})`}
          change={{ kind: 'deleteApp', platform: a.platform, identifier: a.identifier }}
          onDone={onNote}
        >
          Every policy's assignment of it goes too; devices uninstall it where the assignment says so.
        </DeleteWithPreview>
      </td>
    </tr>
  )
}

const LABELS = { platform: 'Platform', identifier: 'Bundle or package id', name: 'App name', storeId: 'App Store id' }

function AddAppForm() {
  const [platform, setPlatform] = useState<Platform>('ios')
  const [identifier, setIdentifier] = useState('')
  const [name, setName] = useState('')
  const [storeId, setStoreId] = useState('')
  const add = useMutation({
    mutationFn: () =>
      call('apps/save', {
        platform,
        identifier,
        name,
        storeId: isApple(platform) && storeId.trim() !== '' ? Number(storeId.trim()) : null,
      }),
    onSuccess: () => {
      setIdentifier('')
      setName('')
      setStoreId('')
    },
  })
  const errors = new Map(
    add.error instanceof ApiError ? fieldProblems(add.error.details).map(f => [f.path, f.message]) : [],
  )
  const submit = (e: FormEvent) => {
    e.preventDefault()
    add.mutate()
  }
  return (
    <form className="inline-form" aria-label="Add an app" onSubmit={submit}>
      <Field label={LABELS.platform} error={errors.get('platform')}>
        <select value={platform} onChange={e => setPlatform(e.target.value as Platform)}>
          <PlatformOptions />
        </select>
      </Field>
      <Field label={LABELS.identifier} error={errors.get('identifier')}>
        <input value={identifier} onChange={e => setIdentifier(e.target.value)} placeholder="com.example.app" />
      </Field>
      {isApple(platform) && (
        <Field label="App Store id (optional)" error={errors.get('storeId')}>
          <input
            inputMode="numeric"
            pattern="[0-9]*"
            value={storeId}
            onChange={e => setStoreId(e.target.value)}
            placeholder="e.g. 404249815"
          />
        </Field>
      )}
      <Field label={LABELS.name} error={errors.get('name')}>
        <input value={name} onChange={e => setName(e.target.value)} />
      </Field>
      <button type="submit" disabled={add.isPending}>
        Add app
      </button>
      {add.isError && <ErrorNote error={add.error} title="App not added" labels={LABELS} />}
    </form>
  )
}

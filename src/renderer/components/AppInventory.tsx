// The apps policies can deploy: one bundle id (Apple) or package name (Android) per platform.
import { useState, type FormEvent } from 'react'
import { useMutation, useQuery } from '@tanstack/react-query'
import { appInventoryQuery, call } from '../api'
import { DeleteWithPreview, RenameControl } from './AdminChange'
import { ErrorNote, platformLabel } from './ui'
import { PLATFORMS, type Platform } from '../../shared/domain'
import { Table } from './Table'

export function AppInventory({ onNote }: { onNote?: (message: string) => void }) {
  const apps = useQuery(appInventoryQuery())
  const [platform, setPlatform] = useState<Platform>('ios')
  const [identifier, setIdentifier] = useState('')
  const [name, setName] = useState('')
  const add = useMutation({
    mutationFn: () => call('apps/save', { platform, identifier, name }),
    onSuccess: () => {
      setIdentifier('')
      setName('')
    },
  })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    add.mutate()
  }
  const list = apps.data ?? []
  return (
    <section className="card" aria-labelledby="app-inventory">
      <div className="card-header">
        <h2 id="app-inventory">App inventory</h2>
      </div>
      <Table
        label="Apps"
        columns={['App', 'Platform', 'Bundle or package id', 'Actions']}
        items={list}
        itemKey={a => a.id}
        empty="No apps yet."
      >
        {a => (
          <tr>
            <td>{a.name}</td>
            <td>{platformLabel(a.platform)}</td>
            <td className="mono">{a.identifier}</td>
            <td className="actions">
              <RenameControl
                what="app"
                current={a.name}
                save={name => call('apps/save', { platform: a.platform, identifier: a.identifier, name })}
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
        )}
      </Table>
      <form className="inline-form" aria-label="Add an app" onSubmit={submit}>
        <label>
          <span className="field-label">Platform</span>
          <select value={platform} onChange={e => setPlatform(e.target.value as Platform)}>
            {PLATFORMS.map(p => (
              <option key={p} value={p}>
                {platformLabel(p)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span className="field-label">Bundle or package id</span>
          <input value={identifier} onChange={e => setIdentifier(e.target.value)} placeholder="com.example.app" />
        </label>
        <label>
          <span className="field-label">App name</span>
          <input value={name} onChange={e => setName(e.target.value)} />
        </label>
        <button type="submit" disabled={add.isPending}>
          Add app
        </button>
      </form>
      {add.isError && <ErrorNote error={add.error} title="App not added" />}
    </section>
  )
}

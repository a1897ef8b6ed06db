// The app inventory on a page of its own: what policies can deploy, with each app's store
// identity and how every policy assigns it (required, available, removed on withdrawal).
import { useState } from 'react'
import { AppInventory } from '../components/AppInventory'
import { PageHeader } from '../components/ui'

export function AppsPage() {
  const [note, setNote] = useState<string | null>(null)
  return (
    <>
      <PageHeader
        title="Apps"
        subtitle="The apps policies can deploy: the bundle id and App Store id for Apple, the package name for Android."
      />
      {note && (
        <p className="notice" role="status">
          {note}
        </p>
      )}
      <AppInventory onNote={setNote} />
    </>
  )
}

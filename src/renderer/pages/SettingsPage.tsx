// Settings of this workspace that belong to no other page. Today: the device ingress — where
// this computer serves enrolling and checking-in devices.
import { IngressSettingsPanel } from '../components/IngressSettingsPanel'
import { NotificationsPanel } from '../components/NotificationsPanel'
import { PageHeader } from '../components/ui'

export function SettingsPage() {
  return (
    <>
      <PageHeader title="Settings" subtitle="How this workspace serves devices." />
      <IngressSettingsPanel />
      <NotificationsPanel />
    </>
  )
}

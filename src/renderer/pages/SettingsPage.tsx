// Settings of this workspace that belong to no other page. Today: the device ingress — where
// this computer serves enrolling and checking-in devices.
import { AndroidEnterprisePanel } from '../components/AndroidEnterprisePanel'
import { IngressSettingsPanel } from '../components/IngressSettingsPanel'
import { PageHeader } from '../components/ui'

export function SettingsPage() {
  return (
    <>
      <PageHeader title="Settings" subtitle="How this workspace serves devices." />
      <IngressSettingsPanel />
      <AndroidEnterprisePanel />
    </>
  )
}

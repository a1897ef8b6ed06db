// Settings of this workspace that belong to no other page: push credentials, the device
// ingress (where this computer serves enrolling and checking-in devices), withdrawal safety, the
// bound Android Enterprise and Apple Business Manager (Automated Device Enrollment).
import { AndroidEnterprisePanel } from '../components/AndroidEnterprisePanel'
import { AdeSettingsPanel } from '../components/AdeSettingsPanel'
import { IngressSettingsPanel } from '../components/IngressSettingsPanel'
import { PushSettings } from '../components/PushSettings'
import { WithdrawalSettings } from '../components/WithdrawalSettings'
import { NotificationsPanel } from '../components/NotificationsPanel'
import { PageHeader } from '../components/ui'

export function SettingsPage() {
  return (
    <>
      <PageHeader title="Settings" subtitle="How this workspace reaches devices, and how safely it withdraws." />
      <PushSettings />
      <IngressSettingsPanel />
      <WithdrawalSettings />
      <AndroidEnterprisePanel />
      <AdeSettingsPanel />
      <NotificationsPanel />
    </>
  )
}

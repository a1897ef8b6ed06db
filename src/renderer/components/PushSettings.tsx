// Push credentials as a Settings section: where the health board sends "APNs is not configured".
import { PushCredentialsPanel } from './PushCredentialsPanel'
import { Section } from './ui'

export function PushSettings() {
  return (
    <Section title="Push credentials">
      <PushCredentialsPanel />
    </Section>
  )
}

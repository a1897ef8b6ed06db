// The push room's channels (push/*): the APNs certificate and the FCM service account. Each
// change is audited by what identifies it (topic, expiry, project), never by the secret.
import type { HandlersOf } from '../../shared/contract'
import type { PushCredentialsInfo } from '../../shared/domain'
import type { Clock } from '../ports'
import type { Store } from '../store'
import type { PushService } from './credentials'

const apnsFacts = (i: PushCredentialsInfo) => ({ topic: i.apns.topic, notAfter: i.apns.notAfter })
const fcmFacts = (i: PushCredentialsInfo) => ({ projectId: i.fcm.projectId, clientEmail: i.fcm.clientEmail })

export function pushHandlers({
  push,
  store,
  clock,
}: {
  push: PushService
  store: Store
  clock: Clock
}): HandlersOf<'push'> {
  const audit = (action: string, details: Record<string, unknown>) =>
    store.audit.append({ at: clock.now().toISOString(), actor: 'admin', action, subject: 'push', details })
  return {
    'push/credentials': () => push.info(),
    'push/setApnsCertificate': async ({ certificate, key }) => {
      const before = apnsFacts(await push.info())
      const after = await push.setApns(certificate, key)
      audit('push/setApnsCertificate', { before, after: apnsFacts(after) })
      return after
    },
    'push/setServiceAccount': async ({ serviceAccount }) => {
      const before = fcmFacts(await push.info())
      const after = await push.setServiceAccount(serviceAccount)
      audit('push/setServiceAccount', { before, after: fcmFacts(after) })
      return after
    },
  }
}

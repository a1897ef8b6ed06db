// The push room's channels (push/*): the APNs certificate and the FCM service account.
import type { HandlersOf } from '../../shared/contract'
import type { PushService } from './credentials'

export function pushHandlers({ push }: { push: PushService }): HandlersOf<'push'> {
  return {
    'push/credentials': () => push.info(),
    'push/setApnsCertificate': ({ certificate, key }) => push.setApns(certificate, key),
    'push/setServiceAccount': ({ serviceAccount }) => push.setServiceAccount(serviceAccount),
  }
}

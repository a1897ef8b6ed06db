// The push room's channels (push/*): the APNs certificate and the FCM service account.
import type { HandlersOf } from '../../shared/contract'
import type { PushCredentials } from './credentials'

export function pushHandlers({ pushCredentials }: { pushCredentials: PushCredentials }): HandlersOf<'push'> {
  return {
    'push/credentials': () => pushCredentials.info(),
    'push/setApnsCertificate': ({ certificate, key }) => pushCredentials.setApns(certificate, key),
    'push/setServiceAccount': ({ serviceAccount }) => pushCredentials.setServiceAccount(serviceAccount),
  }
}

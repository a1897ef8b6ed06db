// The push room's service (services.push, the push/* channels): its credentials, kept behind the
// secrets port (never SQLite, logs or the renderer): the MDM push certificate and its key for
// APNs, the Firebase service account for FCM. The admin sees only what identifies them: the topic
// and expiry, the project and account.
import { createPrivateKey, X509Certificate } from 'node:crypto'
import type { PushCredentialsInfo } from '../../shared/domain'
import { AppError, errorMessage } from '../../shared/errors'
import type { Clock, Secrets } from '../ports'
import type { ApnsCredentials } from './apns'
import { pushCertificateInfo } from './certificate'
import { parseServiceAccount } from './google-token'

/** The certificate and its key as one secret (JSON), so they are always written together. */
const APNS = 'push.apns.credentials'
/** Where older builds kept them, one secret each; read when the combined one is absent. */
const APNS_CERT = 'push.apns.certificate'
const APNS_KEY = 'push.apns.key'
const FCM_ACCOUNT = 'push.fcm.serviceAccount'

export interface PushService {
  apns(): Promise<ApnsCredentials | null>
  serviceAccount(): Promise<string | null>
  info(): Promise<PushCredentialsInfo>
  setApns(certPem: string, keyPem: string): Promise<PushCredentialsInfo>
  setServiceAccount(json: string): Promise<PushCredentialsInfo>
}

export function createPushService({ secrets, clock }: { secrets: Secrets; clock: Clock }): PushService {
  const apns = async (): Promise<ApnsCredentials | null> => {
    const combined = await secrets.get(APNS)
    if (combined) {
      const { certPem, keyPem } = JSON.parse(combined) as Partial<ApnsCredentials>
      return certPem && keyPem ? { certPem, keyPem } : null
    }
    const [certPem, keyPem] = await Promise.all([secrets.get(APNS_CERT), secrets.get(APNS_KEY)])
    return certPem && keyPem ? { certPem, keyPem } : null
  }
  const info = async (): Promise<PushCredentialsInfo> => {
    const a = await apns()
    let apnsInfo: PushCredentialsInfo['apns'] = {
      configured: false,
      topic: null,
      notAfter: null,
      expiresSoon: false,
      error: null,
    }
    if (a) {
      try {
        const c = pushCertificateInfo(a.certPem, clock.now())
        apnsInfo = { configured: true, topic: c.topic, notAfter: c.notAfter, expiresSoon: c.expiresSoon, error: null }
      } catch (e) {
        apnsInfo = { ...apnsInfo, configured: true, error: errorMessage(e) }
      }
    }
    const json = await secrets.get(FCM_ACCOUNT)
    let fcmInfo: PushCredentialsInfo['fcm'] = { configured: false, projectId: null, clientEmail: null, error: null }
    if (json) {
      try {
        const sa = parseServiceAccount(json)
        fcmInfo = { configured: true, projectId: sa.project_id, clientEmail: sa.client_email, error: null }
      } catch (e) {
        fcmInfo = { ...fcmInfo, configured: true, error: errorMessage(e) }
      }
    }
    return { apns: apnsInfo, fcm: fcmInfo }
  }
  return {
    apns,
    serviceAccount: () => secrets.get(FCM_ACCOUNT),
    info,
    async setApns(certPem, keyPem) {
      pushCertificateInfo(certPem, clock.now())
      let matches: boolean
      try {
        matches = new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem))
      } catch (e) {
        throw new AppError('BAD_INPUT', `The private key is not a PEM key: ${errorMessage(e)}`, { field: 'key' })
      }
      if (!matches)
        throw new AppError(
          'BAD_INPUT',
          'The private key does not belong to this push certificate; upload the key you made the certificate request with.',
          { field: 'key' },
        )
      // One write: a crash can't leave a new certificate beside the old key.
      await secrets.set(APNS, JSON.stringify({ certPem, keyPem }))
      await secrets.delete(APNS_CERT)
      await secrets.delete(APNS_KEY)
      return info()
    },
    async setServiceAccount(json) {
      try {
        parseServiceAccount(json)
      } catch (e) {
        throw new AppError('BAD_INPUT', errorMessage(e), { field: 'serviceAccount' })
      }
      await secrets.set(FCM_ACCOUNT, json)
      return info()
    },
  }
}

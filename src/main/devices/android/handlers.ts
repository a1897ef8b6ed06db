// Android Enterprise's channels (android/*): the service account, the enterprise binding, QR
// enrollment tokens for devices IT sets up, and Sync Android (write policies, read devices back).
import QRCode from 'qrcode'
import type { HandlersOf } from '../../../shared/contract'
import type { AndroidEnterprise } from './service'

export function androidHandlers({ android }: { android: AndroidEnterprise }): HandlersOf<'android'> {
  return {
    'android/status': () => android.status(),
    'android/setServiceAccount': ({ serviceAccount }) => android.setServiceAccount(serviceAccount),
    'android/startSignup': () => android.startSignup(),
    'android/enrollmentToken': async ({ userPrincipalName, serial, name }) => {
      const t = await android.enrollUser({
        userPrincipalName,
        via: 'token',
        ...(serial ? { serial } : {}),
        ...(name ? { name } : {}),
      })
      // The QR code's content is the API's qrCode, a JSON string, as it is: EnrollmentToken.qrCode is
      // "a JSON string whose UTF-8 representation can be used to generate a QR code" (reference).
      const qrSvg = await QRCode.toString(t.qrCode, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
      return { deviceId: t.deviceId, value: t.value, qrCode: t.qrCode, qrSvg, expiresAt: t.expirationTimestamp }
    },
    'android/sync': async () => {
      const patched = await android.syncPolicies()
      const { seen, acknowledged } = await android.poll()
      return { patched, seen, acknowledged }
    },
  }
}

// Facts about the MDM push certificate that the admin needs and the APNs transport uses.
// Apple: for apns-push-type mdm "you must use the topic from the UID attribute in the subject
// of your MDM push certificate"; MDM topics start with com.apple.mgmt (NanoMDM TopicFromCert).
import { X509Certificate } from 'node:crypto'
import { AppError, errorMessage } from '../../shared/errors'

export interface PushCertificateInfo {
  topic: string
  notAfter: string
  subject: string
  /** True when the certificate expires within 30 days of `now` (or already has). */
  expiresSoon: boolean
}

export const EXPIRY_WARNING_DAYS = 30

export function pushCertificateInfo(certPem: string, now: Date): PushCertificateInfo {
  let cert: X509Certificate
  try {
    cert = new X509Certificate(certPem)
  } catch (e) {
    throw new AppError('BAD_INPUT', `The APNs push certificate is not a PEM certificate: ${errorMessage(e)}`, {
      field: 'certificate',
    })
  }
  const uid = cert.subject
    .split('\n')
    .find(l => l.startsWith('UID='))
    ?.slice(4)
  if (!uid?.startsWith('com.apple.mgmt.')) {
    throw new AppError(
      'BAD_INPUT',
      `The push certificate's subject has no MDM topic (UID=com.apple.mgmt.…); found ${uid ? `UID=${uid}` : 'no UID'}. Upload the certificate from the Apple Push Certificates Portal.`,
      { field: 'certificate', subject: cert.subject },
    )
  }
  const notAfter = new Date(cert.validTo)
  return {
    topic: uid,
    notAfter: notAfter.toISOString(),
    subject: cert.subject.replace(/\n/g, ', '),
    expiresSoon: notAfter.getTime() - now.getTime() <= EXPIRY_WARNING_DAYS * 86400_000,
  }
}

// How an Apple check-in or command request proves which device sent it: the identity
// certificate our CA issued, presented either as the TLS client certificate or in the
// Mdm-Signature header — standard base64 of a detached CMS SignedData over the exact request
// body, signed by that identity (Apple, "Managing certificates for device management services
// and devices"; nanomdm cryptoutil.VerifyMdmSignature). Both are accepted, as Apple allows; a
// header that is present must verify (nanomdm answers 400 when it does not). No trust on first
// use: the certificate must chain to the workspace CA and be for client authentication.
import { fingerprintOf, type WorkspaceCa } from './ca'
import { CmsError, parseSignedData, verifySignedData } from './cms'

export class DeviceAuthError extends Error {}

/** The certificate that signed `body`, from an Mdm-Signature header value. */
export function verifyMdmSignature(header: string, body: Buffer): Buffer {
  const value = header.trim()
  if (!/^[A-Za-z0-9+/\r\n]+={0,2}$/.test(value)) throw new DeviceAuthError('The Mdm-Signature header is not base64.')
  try {
    const sd = parseSignedData(Buffer.from(value, 'base64'))
    if (sd.content && !sd.content.equals(body))
      throw new DeviceAuthError('The Mdm-Signature carries content other than the request body.')
    return verifySignedData(sd, body)
  } catch (e) {
    if (e instanceof CmsError) throw new DeviceAuthError(`The Mdm-Signature does not verify: ${e.message}`)
    throw e
  }
}

export interface PresentedIdentity {
  /** The TLS client certificate (DER), when one was presented. */
  peerCertificate: Buffer | null
  /** The Mdm-Signature header, when present. */
  mdmSignature: string | undefined
}

/**
 * The hex SHA-256 of the CA-issued identity certificate this request proves, or a
 * DeviceAuthError saying why not.
 */
export function authenticateDevice(
  presented: PresentedIdentity,
  body: Buffer,
  ca: WorkspaceCa,
  now: Date,
): { fingerprint: string; via: 'mdm-signature' | 'mutual-tls' } {
  const via = presented.mdmSignature !== undefined ? 'mdm-signature' : 'mutual-tls'
  const cert =
    presented.mdmSignature !== undefined ? verifyMdmSignature(presented.mdmSignature, body) : presented.peerCertificate
  if (!cert)
    throw new DeviceAuthError(
      'The request proves no device identity: present the identity certificate from the enrollment profile (mutual TLS) or sign the body (Mdm-Signature).',
    )
  const refusal = ca.refuse(cert, now)
  if (refusal) throw new DeviceAuthError(refusal)
  return { fingerprint: fingerprintOf(cert), via }
}

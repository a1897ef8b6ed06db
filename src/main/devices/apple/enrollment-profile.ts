// The enrollment profile a person downloads after signing in (application/x-apple-aspen-config):
// trust anchors for the ingress, the SCEP payload that makes the device's identity, and the MDM
// payload that uses it. Keys and types are Apple's (apple/device-management, mdm/profiles:
// TopLevel.yaml, com.apple.security.root.yaml, com.apple.security.scep.yaml, com.apple.mdm.yaml).
// Certificate payloads come before the MDM payload, which names its identity by the SCEP
// payload's UUID (IdentityCertificateUUID; as nanomdm's docs/enroll.mobileconfig).
import { type KeyObject, randomUUID, X509Certificate } from 'node:crypto'
import { buildPlist, type PlistValue } from '../plist'
import { signData } from './cms'

export const PROFILE_CONTENT_TYPE = 'application/x-apple-aspen-config'
export const PROFILE_IDENTIFIER = 'com.jitmapper.enrollment'

/**
 * com.apple.mdm AccessRights: every right (1 … 4096 OR-ed; micromdm sends 8191 too). The
 * device-information and app rights are what policies and Scan Device need.
 */
export const ACCESS_RIGHTS = 8191

/**
 * ServerCapabilities: per-user connections, so macOS opens its user channel (com.apple.mdm.yaml:
 * "must be present when managing Shared iPad or macOS devices"). It can never be added or
 * removed by an update of the profile, so it is sent from the first enrollment on.
 */
export const SERVER_CAPABILITIES = ['com.apple.mdm.per-user-connections']

/**
 * The self-signed certificates of the ingress's TLS chain (a LAN certificate, a private CA):
 * no public root, so the profile carries them for the device to reach ServerURL.
 */
export function selfSignedAnchors(chain: Buffer[]): Buffer[] {
  return chain.filter(der => {
    const c = new X509Certificate(der)
    return c.checkIssued(c) && c.verify(c.publicKey)
  })
}

export interface ProfileOptions {
  /** The ingress's public URL, e.g. https://mdm.example.com:8443 */
  baseUrl: string
  /** The push certificate's topic (com.apple.mgmt.…). */
  topic: string
  /** The one-time SCEP challenge made for this person's sign-in. */
  challenge: string
  /** Shown on the device: who the profile was made for. */
  userPrincipalName: string
  /** Self-signed certificates of the ingress's TLS chain the device must trust (DER). */
  anchors: Buffer[]
  organization?: string
  /** Unique per profile; random when absent. */
  uuid?: () => string
}

export function enrollmentProfile(o: ProfileOptions): Record<string, PlistValue> {
  const uuid = o.uuid ?? randomUUID
  const org = o.organization ?? 'JIT Mapper'
  const scepUuid = uuid()
  const anchors = o.anchors.map((der, i) => ({
    PayloadType: 'com.apple.security.root',
    PayloadVersion: 1,
    PayloadIdentifier: `${PROFILE_IDENTIFIER}.anchor.${i + 1}`,
    PayloadUUID: uuid(),
    PayloadDisplayName: 'Enrollment server certificate',
    PayloadCertificateFileName: `enrollment-server-${i + 1}.cer`,
    PayloadContent: new Uint8Array(der),
  }))
  const scep = {
    PayloadType: 'com.apple.security.scep',
    PayloadVersion: 1,
    PayloadIdentifier: `${PROFILE_IDENTIFIER}.scep`,
    PayloadUUID: scepUuid,
    PayloadDisplayName: 'Device identity',
    // The SCEP keys sit in a PayloadContent dictionary; two of them have spaces in their names.
    PayloadContent: {
      URL: `${o.baseUrl}/scep`,
      Name: 'JIT Mapper',
      Challenge: o.challenge,
      Subject: [[['O', org]], [['CN', 'JIT Mapper device identity']]],
      Keysize: 2048,
      'Key Type': 'RSA',
      // 1 signing | 4 encryption, as micromdm asks for (5).
      'Key Usage': 5,
    },
  }
  const mdm = {
    PayloadType: 'com.apple.mdm',
    PayloadVersion: 1,
    PayloadIdentifier: `${PROFILE_IDENTIFIER}.mdm`,
    PayloadUUID: uuid(),
    PayloadDisplayName: 'Device management',
    ServerURL: `${o.baseUrl}/mdm/server`,
    CheckInURL: `${o.baseUrl}/mdm/checkin`,
    Topic: o.topic,
    IdentityCertificateUUID: scepUuid,
    AccessRights: ACCESS_RIGHTS,
    ServerCapabilities: SERVER_CAPABILITIES,
    CheckOutWhenRemoved: true,
    // Every message carries Mdm-Signature, so a TLS-terminating proxy in front of the ingress
    // still lets us authenticate the device (Apple: "pass the identity through a proxy").
    SignMessage: true,
  }
  return {
    PayloadType: 'Configuration',
    PayloadVersion: 1,
    PayloadIdentifier: PROFILE_IDENTIFIER,
    PayloadUUID: uuid(),
    PayloadDisplayName: `${org} device management`,
    PayloadDescription: `Enrolls this device for ${o.userPrincipalName}.`,
    PayloadOrganization: org,
    PayloadContent: [...anchors, scep, mdm],
  }
}

/** The profile as a CMS SignedData (attached) signed with the ingress certificate. */
export function signedEnrollmentProfile(
  o: ProfileOptions,
  signer: { certDer: Buffer; chain: Buffer[]; key: KeyObject },
): Buffer {
  return signData({
    content: Buffer.from(buildPlist(enrollmentProfile(o)), 'utf8'),
    signer: { certDer: signer.certDer, key: signer.key },
    certificates: signer.chain,
  })
}

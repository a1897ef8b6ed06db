// The SCEP server (RFC 8894) that gives Apple devices their identity: the device makes its own
// key, sends a CSR carrying the one-time challenge from its enrollment profile, and our
// workspace CA signs it. Behaviour follows RFC 8894 and micromdm/scep (server/service.go,
// scep/scep.go), the server Apple devices are known to work with:
// - GetCACaps lists SHA-1/SHA-256 (iOS refuses a CA without one: micromdm/scep #23), AES and
//   DES3, and POSTPKIOperation (Debian's scepclient 2.1.0 breaks on GET: its base64 is URL-safe).
// - GetCACert answers the one CA certificate as DER (application/x-x509-ca-cert).
// - PKIOperation: a SignedData over an EnvelopedData holding the CSR. A request that cannot be
//   read is the client's error; a readable one that we refuse (bad challenge) gets a FAILURE
//   CertRep with failInfo, as RFC 8894 §3.3.2 says.
// - The challenge is single-use (as micromdm's challenge store) and bound to the person whose
//   sign-in made it; the certificate issued with it is bound to that person too. A RenewalReq
//   is signed with a still-valid identity of ours and renews it for the same person, without a
//   challenge (scepclient sends none).
import { createHash, randomBytes } from 'node:crypto'
import type { Clock, Log } from '../../ports'
import type { Store } from '../../store'
import { type Csr, CsrError, fingerprintOf, parseCsr, type WorkspaceCa } from './ca'
import {
  attributeValues,
  certParts,
  certsOnly,
  CmsError,
  envelope,
  openEnvelope,
  parseSignedData,
  signData,
  verifySignedData,
} from './cms'
import { octets, OID, octetString, printable, readString } from './der'

/** RFC 8894 §3.2.1.2 messageType values. */
export const MESSAGE_TYPE = {
  CertRep: '3',
  RenewalReq: '17',
  PKCSReq: '19',
  CertPoll: '20',
  GetCert: '21',
  GetCRL: '22',
} as const
/** RFC 8894 §3.2.1.4 failInfo values. */
export const FAIL_INFO = { badAlg: '0', badMessageCheck: '1', badRequest: '2', badTime: '3', badCertId: '4' } as const

export const SCEP_CAPS = ['POSTPKIOperation', 'SHA-1', 'SHA-256', 'AES', 'DES3', 'SCEPStandard', 'Renewal']

/** Hex SHA-256 of a challenge: only this is stored. */
export const challengeHash = (challenge: string): string => createHash('sha256').update(challenge, 'utf8').digest('hex')

/** A new challenge: 24 random bytes, as micromdm's challenge store makes them. */
export const newChallenge = (): string => randomBytes(24).toString('base64url')

export class ScepError extends Error {}

export interface ScepDeps {
  ca: () => Promise<WorkspaceCa>
  store: Store
  clock: Clock
  log: Log
  /** How long an identity certificate is valid (micromdm's default: 365 days). */
  validityDays: number
}

interface Request {
  messageType: string
  transactionId: string
  senderNonce: Buffer
  signerCert: Buffer
  digest: 'sha1' | 'sha256'
  envelope: Buffer
}

const attr = (oid: string, value: Buffer) => ({ oid, values: [value] })

function readRequest(body: Buffer): Request {
  const sd = parseSignedData(body)
  if (!sd.content) throw new ScepError('The pkiMessage carries no pkcsPKIEnvelope.')
  const signerCert = verifySignedData(sd, sd.content)
  const signer = sd.signers[0]
  const text = (oid: string) => {
    const v = signer ? attributeValues(signer, oid)[0] : undefined
    return v ? readString(v) : null
  }
  const messageType = text(OID.scepMessageType)
  const transactionId = text(OID.scepTransactionId)
  const nonce = signer ? attributeValues(signer, OID.scepSenderNonce)[0] : undefined
  if (!messageType || !transactionId || !nonce)
    throw new ScepError('The pkiMessage lacks messageType, transactionID or senderNonce (RFC 8894 §3.2.1).')
  return {
    messageType,
    transactionId,
    senderNonce: octets(nonce),
    signerCert,
    digest: signer?.digest === 'sha1' ? 'sha1' : 'sha256',
    envelope: sd.content,
  }
}

/** A CertRep: SUCCESS with the issued certificate enveloped to the requester, or FAILURE. */
function certRep(
  ca: WorkspaceCa,
  req: Request,
  outcome: { issued: Buffer } | { failInfo: (typeof FAIL_INFO)[keyof typeof FAIL_INFO] },
): Buffer {
  const common = [
    attr(OID.scepTransactionId, printable(req.transactionId)),
    attr(OID.scepMessageType, printable(MESSAGE_TYPE.CertRep)),
    attr(OID.scepSenderNonce, octetString(randomBytes(16))),
    attr(OID.scepRecipientNonce, octetString(req.senderNonce)),
  ]
  if ('failInfo' in outcome)
    return signData({
      content: Buffer.alloc(0),
      detached: true,
      signer: { certDer: ca.certDer, key: ca.key },
      digest: req.digest,
      attributes: [
        ...common,
        attr(OID.scepPkiStatus, printable('2')),
        attr(OID.scepFailInfo, printable(outcome.failInfo)),
      ],
    })
  return signData({
    content: envelope(certsOnly([outcome.issued]), req.signerCert),
    signer: { certDer: ca.certDer, key: ca.key },
    // micromdm puts the issued certificate in the outer set too (scep.go Success).
    certificates: [outcome.issued],
    digest: req.digest,
    attributes: [...common, attr(OID.scepPkiStatus, printable('0'))],
  })
}

const sameKey = (csr: Csr, certDer: Buffer): boolean => certParts(certDer).spki.equals(csr.spki)

export function createScep(d: ScepDeps) {
  const { store } = d

  /** Issues and records a certificate for `userId`; in the caller's transaction. */
  const issueFor = (ca: WorkspaceCa, csr: Csr, userId: string, renewedFrom: string | null): Buffer => {
    const from = d.clock.now()
    const issued = ca.issue(csr, { from: new Date(from.getTime() - 5 * 60_000), days: d.validityDays })
    store.appleIdentities.addIdentity({
      fingerprint: fingerprintOf(issued),
      userId,
      serial: certParts(issued).serial.toString('hex'),
      issuedAt: from.toISOString(),
      notAfter: new Date(from.getTime() + d.validityDays * 86_400_000).toISOString(),
      renewedFrom,
    })
    return issued
  }

  return {
    caps: (): string => SCEP_CAPS.join('\n'),
    caCert: async (): Promise<Buffer> => (await d.ca()).certDer,
    /** Answers a pkiMessage with a CertRep; throws ScepError for a message that cannot be read. */
    async pkiOperation(body: Buffer): Promise<Buffer> {
      const ca = await d.ca()
      let req: Request
      try {
        req = readRequest(body)
      } catch (e) {
        if (e instanceof CmsError || e instanceof ScepError) throw new ScepError(`Unreadable pkiMessage: ${e.message}`)
        throw e
      }
      const fail = (failInfo: (typeof FAIL_INFO)[keyof typeof FAIL_INFO], why: string) => {
        d.log.warn('SCEP request refused', { transactionId: req.transactionId, failInfo, reason: why })
        return certRep(ca, req, { failInfo })
      }
      if (req.messageType !== MESSAGE_TYPE.PKCSReq && req.messageType !== MESSAGE_TYPE.RenewalReq)
        return fail(FAIL_INFO.badRequest, `messageType ${req.messageType} is not served (only PKCSReq and RenewalReq)`)
      let csr: Csr
      try {
        csr = parseCsr(openEnvelope(req.envelope, ca))
      } catch (e) {
        if (e instanceof CmsError || e instanceof CsrError) return fail(FAIL_INFO.badMessageCheck, e.message)
        throw e
      }
      const now = d.clock.now()
      if (req.messageType === MESSAGE_TYPE.RenewalReq) {
        const refusal = ca.refuse(req.signerCert, now)
        const previous = refusal ? undefined : store.appleIdentities.identity(fingerprintOf(req.signerCert))
        if (!previous)
          return fail(FAIL_INFO.badRequest, refusal ?? 'the renewal is signed by an identity this CA never issued')
        const issued = store.transaction(() => issueFor(ca, csr, previous.userId, previous.fingerprint))
        d.log.info('SCEP identity renewed', { transactionId: req.transactionId, userId: previous.userId })
        return certRep(ca, req, { issued })
      }
      // PKCSReq: signed with the new key (a throwaway self-signed certificate, RFC 8894 §2.3).
      if (!sameKey(csr, req.signerCert))
        return fail(FAIL_INFO.badMessageCheck, 'the CSR is not for the key that signed the request')
      if (!csr.challenge) return fail(FAIL_INFO.badRequest, 'the CSR carries no challengePassword')
      const hash = challengeHash(csr.challenge)
      const issued = store.transaction(() => {
        const userId = store.appleIdentities.useChallenge(hash, now.toISOString())
        return userId ? { userId, cert: issueFor(ca, csr, userId, null) } : null
      })
      if (!issued)
        return fail(FAIL_INFO.badRequest, 'the challenge is unknown, used or expired; sign in again for a new profile')
      d.log.info('SCEP identity issued', { transactionId: req.transactionId, userId: issued.userId })
      return certRep(ca, req, { issued: issued.cert })
    },
  }
}

export type Scep = ReturnType<typeof createScep>

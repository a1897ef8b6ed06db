// The SCEP server's decisions (RFC 8894 §3.3), message by message: what it issues, for whom,
// and the failInfo of each refusal.
import { randomBytes } from 'node:crypto'
import forge from 'node-forge'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fingerprintOf, loadWorkspaceCa, type WorkspaceCa } from '../../../../src/main/devices/apple/ca'
import { attributeValues, envelope, parseSignedData, signData } from '../../../../src/main/devices/apple/cms'
import { OID, octetString, printable, readString } from '../../../../src/main/devices/apple/der'
import { challengeHash, createScep, type Scep, ScepError, SCEP_CAPS } from '../../../../src/main/devices/apple/scep'
import { silentLog } from '../../../../src/main/ports'
import { deviceKey, forgeKeyOf, scepRequestParts } from '../../../fakes/apple-device'
import { memorySecrets } from '../../../fakes/memory-secrets'
import { openWorkspace, seedSmallOrganisation, type TestWorkspace } from '../../../helpers/workspace'

let ws: TestWorkspace
let ca: WorkspaceCa
let scep: Scep
let alex: string
const key = deviceKey()
beforeAll(async () => {
  ws = openWorkspace()
  seedSmallOrganisation(ws)
  ca = await loadWorkspaceCa(memorySecrets(), ws.clock.now())
  scep = createScep({
    ca: async () => ca,
    store: ws.app.services.store,
    clock: ws.clock,
    log: silentLog,
    validityDays: 365,
  })
  alex = ws.app.services.store.users.idByPrincipalName('alex@example.test') as string
}, 30_000)
afterAll(() => ws.close())

const challengeFor = (userId: string, ttlMs = 3600_000): string => {
  const c = randomBytes(12).toString('hex')
  const now = ws.clock.now()
  ws.app.services.store.appleIdentities.addChallenge(
    challengeHash(c),
    userId,
    now.toISOString(),
    new Date(now.getTime() + ttlMs).toISOString(),
  )
  return c
}

/** A pkiMessage: the CSR enveloped to the CA, signed by `signer`. */
function pkiMessage(o: { messageType: string; csr: Buffer; signer: { certDer: Buffer; key: typeof key.key } }) {
  return signData({
    content: envelope(o.csr, ca.certDer, 'des-ede3-cbc'),
    signer: o.signer,
    digest: 'sha1',
    attributes: [
      { oid: OID.scepMessageType, values: [printable(o.messageType)] },
      { oid: OID.scepTransactionId, values: [printable('tx-1')] },
      { oid: OID.scepSenderNonce, values: [octetString(Buffer.alloc(16, 7))] },
    ],
  })
}

/** pkiStatus, failInfo and the issued certificate of a CertRep. */
function certRep(der: Buffer, requesterKeyPem: string) {
  const sd = parseSignedData(der)
  const signer = sd.signers[0] as NonNullable<(typeof sd.signers)[0]>
  const text = (oid: string) => {
    const v = attributeValues(signer, oid)[0]
    return v ? readString(v) : undefined
  }
  let issued: Buffer | undefined
  if (sd.content) {
    const env = forge.pkcs7.messageFromAsn1(forge.asn1.fromDer(sd.content.toString('binary'))) as unknown as {
      recipients: unknown[]
      decrypt(r: unknown, k: forge.pki.rsa.PrivateKey): void
      content: forge.util.ByteStringBuffer
    }
    env.decrypt(env.recipients[0], forgeKeyOf(requesterKeyPem))
    issued = parseSignedData(Buffer.from(env.content.getBytes(), 'binary')).certificates[0]
  }
  return {
    status: text(OID.scepPkiStatus),
    failInfo: text(OID.scepFailInfo),
    messageType: text(OID.scepMessageType),
    transactionId: text(OID.scepTransactionId),
    recipientNonce: attributeValues(signer, OID.scepRecipientNonce)[0]?.body,
    issued,
  }
}

const pkcs1 = (k: typeof key) => k.key.export({ type: 'pkcs1', format: 'pem' }) as string

describe('PKIOperation', () => {
  it('lists the capabilities Apple devices and scepclient need', () => {
    expect(SCEP_CAPS).toEqual(expect.arrayContaining(['POSTPKIOperation', 'SHA-1', 'SHA-256', 'AES', 'DES3']))
  })

  it('issues an identity for a PKCSReq with a live challenge, bound to the challenge’s person', async () => {
    const { csr, selfDer } = scepRequestParts(key, challengeFor(alex))
    const rep = certRep(
      await scep.pkiOperation(pkiMessage({ messageType: '19', csr, signer: { certDer: selfDer, key: key.key } })),
      pkcs1(key),
    )
    expect(rep).toMatchObject({ status: '0', messageType: '3', transactionId: 'tx-1' })
    expect(rep.recipientNonce?.equals(Buffer.alloc(16, 7))).toBe(true)
    expect(ca.refuse(rep.issued as Buffer, ws.clock.now())).toBeNull()
    expect(ws.app.services.store.appleIdentities.identity(fingerprintOf(rep.issued as Buffer))).toMatchObject({
      userPrincipalName: 'alex@example.test',
      renewedFrom: null,
    })
  })

  it('renews an identity it issued (RenewalReq, no challenge) for the same person', async () => {
    const { csr, selfDer } = scepRequestParts(key, challengeFor(alex))
    const first = certRep(
      await scep.pkiOperation(pkiMessage({ messageType: '19', csr, signer: { certDer: selfDer, key: key.key } })),
      pkcs1(key),
    ).issued as Buffer
    const next = deviceKey()
    const renewal = certRep(
      await scep.pkiOperation(
        pkiMessage({
          messageType: '17',
          csr: scepRequestParts(next, null).csr,
          signer: { certDer: first, key: key.key },
        }),
      ),
      pkcs1(key),
    )
    expect(renewal.status).toBe('0')
    expect(ws.app.services.store.appleIdentities.identity(fingerprintOf(renewal.issued as Buffer))).toMatchObject({
      userPrincipalName: 'alex@example.test',
      renewedFrom: fingerprintOf(first),
    })
  })

  it.each([
    ['an unknown challenge', () => ({ messageType: '19', challenge: 'never-made' }), '2'],
    ['an expired challenge', () => ({ messageType: '19', challenge: challengeFor(alex, -1) }), '2'],
    ['no challenge', () => ({ messageType: '19', challenge: null }), '2'],
    ['a GetCRL', () => ({ messageType: '22', challenge: challengeFor(alex) }), '2'],
    ['a RenewalReq signed by a certificate it never issued', () => ({ messageType: '17', challenge: null }), '2'],
  ])('answers %s with a FAILURE CertRep (badRequest), issuing nothing', async (_, make, failInfo) => {
    const { messageType, challenge } = make()
    const { csr, selfDer } = scepRequestParts(key, challenge)
    const rep = certRep(
      await scep.pkiOperation(pkiMessage({ messageType, csr, signer: { certDer: selfDer, key: key.key } })),
      pkcs1(key),
    )
    expect(rep).toMatchObject({ status: '2', failInfo, issued: undefined })
  })

  it('refuses a CSR for another key than the one that signed the request (badMessageCheck)', async () => {
    const { selfDer } = scepRequestParts(key, null)
    const { csr } = scepRequestParts(deviceKey(), challengeFor(alex))
    const rep = certRep(
      await scep.pkiOperation(pkiMessage({ messageType: '19', csr, signer: { certDer: selfDer, key: key.key } })),
      pkcs1(key),
    )
    expect(rep).toMatchObject({ status: '2', failInfo: '1' })
  })

  it('refuses a message it cannot read as the client’s error', async () => {
    await expect(scep.pkiOperation(Buffer.from('not cms'))).rejects.toThrow(ScepError)
    const { csr, selfDer } = scepRequestParts(key, challengeFor(alex))
    const signed = pkiMessage({ messageType: '19', csr, signer: { certDer: selfDer, key: key.key } })
    const tampered = Buffer.from(signed)
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1
    await expect(scep.pkiOperation(tampered)).rejects.toThrow(/does not verify/)
  })
})

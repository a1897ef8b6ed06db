// A simulated Apple MDM device, doing what an iPhone or a Mac does: its person signs in on the
// enrollment page and downloads the profile made for them; the device checks the profile's
// signature, makes its own key and gets its identity over SCEP with the profile's challenge
// (RFC 8894: GetCACaps, GetCACert, PKIOperation), then checks in with that identity
// (Authenticate, TokenUpdate), waits for its APNs push and polls the server URL
// (Idle → command → Acknowledged → next …) as Apple's MDM protocol says.
// It answers the queries (DeviceInformation, SecurityInfo, InstalledApplicationList, ProfileList)
// with the keys of Apple's schema, from what it is and what the server installed on it. A Mac
// also has user channels: each logged-in user checks in with UserID and its own push token, and
// polls its own queue.
//
// Where it can, it uses node-forge rather than the server's own code (the CSR, the CertRep's
// envelope, the Mdm-Signature), so the two sides are written independently; the SCEP request's
// SignedData and envelope come from the server's cms.ts (forge cannot sign SCEP's attributes,
// and its JavaScript RSA is slow). The real scepclient (test/integration/devices/
// scepclient.test.ts) checks the SCEP server on its own.
import https from 'node:https'
import {
  constants,
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  privateDecrypt,
  privateEncrypt,
  randomBytes,
  sign,
} from 'node:crypto'
import forge from 'node-forge'
import {
  attributeValues,
  envelope,
  parseSignedData,
  signData,
  verifySignedData,
} from '../../src/main/devices/apple/cms'
import { OID, printable, octetString, readString } from '../../src/main/devices/apple/der'
import { buildPlist, parsePlist, type PlistValue } from '../../src/main/devices/plist'
import type { FakeApns } from './apns'
import { request, type Reply } from './https-client'
import type { Identity } from './pki'

export interface ExecutedCommand {
  uuid: string
  requestType: string
  command: Record<string, PlistValue>
}

type Dict = Record<string, PlistValue>

/** What the device took from its enrollment profile. */
export interface InstalledProfile {
  profile: Dict
  scep: Dict & { PayloadUUID: string; PayloadContent: Dict & { URL: string; Challenge: string } }
  mdm: Dict & { ServerURL: string; CheckInURL: string; Topic: string; IdentityCertificateUUID: string }
  /** The certificate that signed the profile (DER). */
  signer: Buffer
}

const der = (a: forge.asn1.Asn1): Buffer => Buffer.from(forge.asn1.toDer(a).getBytes(), 'binary')
const forgeCert = (pemOrDer: string | Buffer) =>
  typeof pemOrDer === 'string'
    ? forge.pki.certificateFromPem(pemOrDer)
    : forge.pki.certificateFromAsn1(forge.asn1.fromDer(pemOrDer.toString('binary')))

/** Functions node-forge has but its type definitions leave out. */
const forgeInternals = forge.pki as unknown as {
  getCertificationRequestInfo(csr: forge.pki.CertificateSigningRequest): forge.asn1.Asn1
  getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1
}

/** A fresh 2048-bit RSA key, as the SCEP payload asks (Keysize 2048). */
export function deviceKey(): { key: KeyObject; keyPem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return { key: privateKey, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string }
}

/** DigestInfo's prefix for SHA-256 (RFC 8017 §9.2 note 1). */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex')

/**
 * A private key as node-forge uses it, whose two private operations run in node:crypto: forge's
 * pure-JS RSA takes a quarter of a second each, and Node 20 refuses PKCS#1 v1.5 decryption
 * (CVE-2023-46809), so decryption is the raw operation and the padding is removed here.
 */
export function forgeKeyOf(keyPem: string): forge.pki.rsa.PrivateKey {
  const cached = forgeKeys.get(keyPem)
  if (cached) return cached
  const key = createPrivateKey(keyPem)
  const parsed = forge.pki.privateKeyFromPem(key.export({ type: 'pkcs1', format: 'pem' }) as string)
  const forgeKey = Object.assign(parsed, {
    decrypt(bytes: string): string {
      const em = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, Buffer.from(bytes, 'binary'))
      const separator = em.indexOf(0, 2)
      if (em[0] !== 0 || em[1] !== 2 || separator < 10) throw new Error('bad PKCS#1 v1.5 padding')
      return em.subarray(separator + 1).toString('binary')
    },
    sign(md: forge.md.MessageDigest): string {
      const digest = Buffer.from(md.digest().getBytes(), 'binary')
      const digestInfo = Buffer.concat([SHA256_DIGEST_INFO, digest])
      return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, digestInfo).toString('binary')
    },
  }) as forge.pki.rsa.PrivateKey
  forgeKeys.set(keyPem, forgeKey)
  return forgeKey
}
/** forge parses a PEM key in JavaScript, slowly: once per key. */
const forgeKeys = new Map<string, forge.pki.rsa.PrivateKey>()

/**
 * A SCEP requester's CSR (PKCS#10 with the challenge) and its throwaway self-signed signer
 * certificate (scepclient: CN "SCEP SIGNER", one hour), built by forge, signed by node:crypto.
 */
export function scepRequestParts(
  key: { key: KeyObject; keyPem: string },
  challenge: string | null,
): { csr: Buffer; self: forge.pki.Certificate; selfDer: Buffer } {
  const forgeKey = forgeKeyOf(key.keyPem)
  const publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e)
  const signature = {
    signatureOid: forge.pki.oids['sha256WithRSAEncryption'],
    siginfo: { algorithmOid: forge.pki.oids['sha256WithRSAEncryption'] },
  }
  const csr = forge.pki.createCertificationRequest()
  csr.publicKey = publicKey
  csr.setSubject([
    { name: 'organizationName', value: 'JIT Mapper' },
    { name: 'commonName', value: 'JIT Mapper device identity' },
  ])
  if (challenge !== null) csr.setAttributes([{ name: 'challengePassword', value: challenge }])
  const csrInfo = forgeInternals.getCertificationRequestInfo(csr)
  Object.assign(csr, signature, {
    certificationRequestInfo: csrInfo,
    signature: sign('sha256', der(csrInfo), key.key).toString('binary'),
  })
  const self = forge.pki.createCertificate()
  self.publicKey = publicKey
  self.serialNumber = `01${randomBytes(8).toString('hex')}`
  self.validity.notBefore = new Date(Date.now() - 60_000)
  self.validity.notAfter = new Date(Date.now() + 3600_000)
  self.setSubject([{ name: 'commonName', value: 'SCEP SIGNER' }])
  self.setIssuer([{ name: 'commonName', value: 'SCEP SIGNER' }])
  Object.assign(self, signature)
  const tbs = forgeInternals.getTBSCertificate(self)
  Object.assign(self, { tbsCertificate: tbs, signature: sign('sha256', der(tbs), key.key).toString('binary') })
  return { csr: der(forge.pki.certificationRequestToAsn1(csr)), self, selfDer: der(forge.pki.certificateToAsn1(self)) }
}

export class AppleDevice {
  readonly token = randomBytes(32)
  readonly pushMagic = `magic-${randomBytes(8).toString('hex')}`
  /** iOS hands its UnlockToken over with the device channel's TokenUpdate (tokenupdate.yaml); ClearPasscode sends it back. */
  readonly unlockToken = randomBytes(32)
  /** MDM Lost Mode, as EnableLostMode and DisableLostMode leave it. */
  lostMode = false
  /** Where the device says it is when DeviceLocation asks (in Lost Mode only). */
  location = { Latitude: 52.3731, Longitude: 4.8922, HorizontalAccuracy: 12 }
  /** What the device-action commands did to it, in order (lock, erase …). */
  readonly actions: { requestType: string; keys: Record<string, PlistValue> }[] = []
  readonly executed: ExecutedCommand[] = []
  /** Answers this device gives instead of Acknowledged, by RequestType. */
  readonly refuse = new Map<string, 'Error' | 'NotNow'>()
  readonly key: { key: KeyObject; keyPem: string }
  installed: InstalledProfile | null = null
  identity: Identity | null = null
  private agent: https.Agent | null = null
  /** Connections made before the device has an identity (sign-in, profile, SCEP). */
  private readonly anonymous: https.Agent
  private authenticated = false
  /** Managed apps installed by InstallApplication (bundle id → name), as InstalledApplicationList reports them. */
  readonly apps = new Map<string, string>()
  /** Bundle ids this device acknowledges InstallApplication for but never installs (a failed App Store download). */
  readonly failsToInstall = new Set<string>()
  /** Managed profiles installed by InstallProfile (identifier → profile), as ProfileList reports them. */
  readonly profiles = new Map<string, { PayloadIdentifier: string; PayloadDisplayName: string; PayloadUUID: string }>()
  /** What Authenticate, DeviceInformation and SecurityInfo report. */
  readonly about: {
    DeviceName: string
    OSVersion: string
    BuildVersion: string
    ProductName: string
    Model: string
    ModelName: string
    DeviceCapacity: number
    AvailableDeviceCapacity: number
    IsSupervised: boolean
    encrypted: boolean
  }

  constructor(
    readonly o: {
      serverUrl: string
      ca: string
      udid: string
      serial: string
      platform?: 'ios' | 'macos'
      /** How check-ins prove the identity: the TLS client certificate, the Mdm-Signature header, or both. */
      proof?: 'mutual-tls' | 'mdm-signature' | 'both'
      key?: { key: KeyObject; keyPem: string }
    },
  ) {
    this.key = o.key ?? deviceKey()
    this.about =
      o.platform === 'macos'
        ? {
            DeviceName: 'Alex’s MacBook Air',
            OSVersion: '15.1',
            BuildVersion: '24B83',
            ProductName: 'Mac14,2',
            Model: 'Mac14,2',
            ModelName: 'MacBook Air',
            DeviceCapacity: 494.38,
            AvailableDeviceCapacity: 201.5,
            IsSupervised: false,
            encrypted: true,
          }
        : {
            DeviceName: 'Alex’s iPhone',
            OSVersion: '18.1',
            BuildVersion: '22B83',
            ProductName: 'iPhone16,1',
            Model: 'MTLT3',
            ModelName: 'iPhone',
            DeviceCapacity: 128,
            AvailableDeviceCapacity: 91.25,
            IsSupervised: false,
            encrypted: true,
          }
    this.anonymous = new https.Agent({ keepAlive: true, ca: o.ca })
  }

  get tokenHex(): string {
    return this.token.toString('hex')
  }

  get topic(): string {
    if (!this.installed) throw new Error('no enrollment profile installed')
    return this.installed.mdm.Topic
  }

  /** Uses this identity for check-ins from now on (another device's, in attack tests). */
  presentIdentity(identity: Identity): void {
    this.identity = identity
    this.agent?.destroy()
    const tls = this.o.proof === 'mdm-signature' ? {} : { cert: identity.certPem, key: identity.keyPem }
    this.agent = new https.Agent({ keepAlive: true, ca: this.o.ca, ...tls })
  }

  /** The enrollment page: sign-in at the IdP as `user`; returns the server's answer (the profile). */
  async signIn(user: string): Promise<Reply> {
    const callback = await this.startSignIn(user)
    return typeof callback === 'string' ? this.fetchProfile(callback) : callback
  }

  /** The page's sign-in up to the IdP's redirect back: the callback URL, or the answer that refused. */
  async startSignIn(user: string): Promise<string | Reply> {
    const start = await request(`${this.o.serverUrl}/enroll/start?platform=${this.o.platform ?? 'ios'}`, {
      ca: this.o.ca,
      agent: this.anonymous,
    })
    if (start.status !== 302) return start
    const authorize = await request(String(start.headers.location), { ca: this.o.ca, headers: { 'x-test-user': user } })
    return authorize.status === 302 ? String(authorize.headers.location) : authorize
  }

  /** The IdP's callback on the ingress, whose answer is the enrollment profile. */
  fetchProfile(callback: string): Promise<Reply> {
    return request(callback, { ca: this.o.ca, agent: this.anonymous })
  }

  /** Checks the profile's signature and reads its SCEP and MDM payloads, as the OS installer does. */
  install(reply: Reply): InstalledProfile {
    if (reply.headers['content-type'] !== 'application/x-apple-aspen-config')
      throw new Error(`the enrollment answer is ${String(reply.headers['content-type'])}, not a profile`)
    // The installer checks the signature (node:crypto over the bytes received).
    const sd = parseSignedData(reply.raw)
    const signer = verifySignedData(sd, sd.content ?? Buffer.alloc(0))
    const profile = parsePlist((sd.content ?? Buffer.alloc(0)).toString('utf8')) as Dict
    const payloads = profile['PayloadContent'] as Dict[]
    const scep = payloads.find(p => p['PayloadType'] === 'com.apple.security.scep') as InstalledProfile['scep']
    const mdm = payloads.find(p => p['PayloadType'] === 'com.apple.mdm') as InstalledProfile['mdm']
    if (!scep || !mdm) throw new Error('the profile lacks its SCEP or MDM payload')
    if (mdm.IdentityCertificateUUID !== scep.PayloadUUID) throw new Error('IdentityCertificateUUID names no payload')
    this.installed = { profile, scep, mdm, signer }
    return this.installed
  }

  /** SCEP (RFC 8894) with the profile's URL and challenge; returns the CertRep's pkiStatus. */
  async scep(): Promise<{ status: string; failInfo?: string }> {
    if (!this.installed) throw new Error('install the enrollment profile first')
    const { URL: url, Challenge: challenge } = this.installed.scep.PayloadContent
    const caps = await request(`${url}?operation=GetCACaps`, { ca: this.o.ca, agent: this.anonymous })
    if (!caps.body.split('\n').includes('POSTPKIOperation'))
      throw new Error(`SCEP caps lack POSTPKIOperation: ${caps.body}`)
    const caCert = (await request(`${url}?operation=GetCACert`, { ca: this.o.ca, agent: this.anonymous })).raw
    const forgeKey = forgeKeyOf(this.key.keyPem)
    const { csr, self, selfDer } = scepRequestParts(this.key, challenge)
    // The pkcsPKIEnvelope: the CSR encrypted to the CA (AES-256-CBC). node:crypto's, as an
    // iPhone's is native: forge's JavaScript would dominate the bench's enrollment figure
    // (Debian's scepclient checks the server against an envelope nobody here wrote).
    const env = envelope(csr, caCert, 'aes-256-cbc')
    const senderNonce = randomBytes(16)
    const transactionId = randomBytes(20).toString('hex')
    const message = signData({
      content: env,
      signer: { certDer: selfDer, key: this.key.key },
      attributes: [
        { oid: OID.scepMessageType, values: [printable('19')] },
        { oid: OID.scepTransactionId, values: [printable(transactionId)] },
        { oid: OID.scepSenderNonce, values: [octetString(senderNonce)] },
      ],
    })
    const reply = await request(`${url}?operation=PKIOperation`, {
      method: 'POST',
      ca: this.o.ca,
      agent: this.anonymous,
      headers: { 'content-type': 'application/octet-stream' },
      body: message,
    })
    if (reply.status !== 200) throw new Error(`PKIOperation refused: ${reply.status} ${reply.body}`)
    const rep = parseSignedData(reply.raw)
    if (!verifySignedData(rep, rep.content ?? Buffer.alloc(0)).equals(caCert))
      throw new Error('CertRep not signed by the CA')
    const signer = rep.signers[0]
    if (!signer) throw new Error('CertRep without a signer')
    const attr = (oid: string) => attributeValues(signer, oid)[0]
    const pkiStatus = attr(OID.scepPkiStatus)
    if (!pkiStatus) throw new Error('CertRep without pkiStatus')
    const status = readString(pkiStatus)
    if (!attr(OID.scepRecipientNonce)?.body.equals(senderNonce))
      throw new Error('CertRep recipientNonce is not our senderNonce')
    if (status !== '0') {
      const fail = attr(OID.scepFailInfo)
      return { status, failInfo: fail ? readString(fail) : undefined }
    }
    const enveloped = forge.pkcs7.messageFromAsn1(
      forge.asn1.fromDer((rep.content as Buffer).toString('binary')),
    ) as forge.pkcs7.PkcsEnvelopedData & {
      decrypt(recipient: unknown, key: forge.pki.rsa.PrivateKey): void
      findRecipient(cert: forge.pki.Certificate): unknown
      content: forge.util.ByteStringBuffer
    }
    enveloped.decrypt(enveloped.findRecipient(self), forgeKey)
    const certs = forge.pkcs7.messageFromAsn1(
      forge.asn1.fromDer(enveloped.content.getBytes()),
    ) as forge.pkcs7.PkcsSignedData
    const issued = certs.certificates[0]
    if (!issued) throw new Error('the CertRep carries no certificate')
    this.presentIdentity({ certPem: forge.pki.certificateToPem(issued), keyPem: this.key.keyPem })
    return { status }
  }

  /** Sign-in → profile → SCEP → Authenticate; returns the first answer that was not a success. */
  async enroll(user: string): Promise<Reply> {
    const refused = await this.obtainIdentity(user)
    if (refused) return refused
    this.authenticated = false
    return this.authenticate()
  }

  /** Sign-in → profile → SCEP: the device holds its identity; returns the sign-in's refusal, if any. */
  async obtainIdentity(user: string): Promise<Reply | null> {
    const profile = await this.signIn(user)
    if (profile.status !== 200) return profile
    this.install(profile)
    const scep = await this.scep()
    if (scep.status !== '0') throw new Error(`SCEP refused: pkiStatus ${scep.status}, failInfo ${scep.failInfo}`)
    return null
  }

  async authenticate(): Promise<Reply> {
    const r = await this.checkIn({
      MessageType: 'Authenticate',
      Topic: this.topic,
      SerialNumber: this.o.serial,
      DeviceName: this.about.DeviceName,
      Model: this.about.Model,
      ModelName: this.about.ModelName,
      ProductName: this.about.ProductName,
      OSVersion: this.about.OSVersion,
      BuildVersion: this.about.BuildVersion,
    })
    this.authenticated = r.status === 200
    return r
  }

  private send(url: string, body: string): Promise<Reply> {
    if (!this.identity || !this.agent) throw new Error('the device has no identity yet: enroll first')
    const headers: Record<string, string> = { 'content-type': 'application/x-apple-aspen-mdm-checkin' }
    if (this.o.proof === 'mdm-signature' || this.o.proof === 'both') headers['mdm-signature'] = this.signature(body)
    return request(url, { method: 'PUT', body, ca: this.o.ca, agent: this.agent, headers })
  }

  /** Mdm-Signature: base64 of a detached CMS SignedData over the body, by forge. */
  signature(body: string): string {
    if (!this.identity) throw new Error('no identity')
    const p7 = forge.pkcs7.createSignedData()
    p7.content = forge.util.createBuffer(Buffer.from(body, 'utf8').toString('binary'))
    const cert = forgeCert(this.identity.certPem)
    p7.addCertificate(cert)
    p7.addSigner({
      key: forgeKeyOf(this.identity.keyPem),
      certificate: cert,
      digestAlgorithm: forge.pki.oids['sha256'] as string,
      authenticatedAttributes: [
        { type: forge.pki.oids['contentType'] as string, value: forge.pki.oids['data'] },
        { type: forge.pki.oids['messageDigest'] as string },
        { type: forge.pki.oids['signingTime'] as string, value: new Date() as unknown as string },
      ],
    })
    p7.sign({ detached: true })
    return der(p7.toAsn1()).toString('base64')
  }

  checkIn(message: Dict): Promise<Reply> {
    return this.send(
      this.installed?.mdm.CheckInURL ?? `${this.o.serverUrl}/mdm/checkin`,
      buildPlist({ UDID: this.o.udid, ...message }),
    )
  }

  /** Sends a property list exactly as given (a replayed capture), without adding the UDID. */
  sendRaw(path: '/mdm/checkin' | '/mdm/server', plist: string): Promise<Reply> {
    return this.send(`${this.o.serverUrl}${path}`, plist)
  }

  /** A macOS user channel: the keys a logged-in user's messages carry (tokenupdate.yaml). */
  user(userId: string, shortName: string, longName: string): AppleUserChannel {
    return new AppleUserChannel(this, { UserID: userId, UserShortName: shortName, UserLongName: longName })
  }

  async authenticateAndRegister(): Promise<void> {
    if (!this.authenticated) {
      const a = await this.authenticate()
      if (a.status !== 200) throw new Error(`Authenticate refused: ${a.status} ${a.body}`)
    }
    const t = await this.checkIn({
      MessageType: 'TokenUpdate',
      Topic: this.topic,
      Token: new Uint8Array(this.token),
      PushMagic: this.pushMagic,
      ...(this.o.platform === 'macos' ? {} : { UnlockToken: new Uint8Array(this.unlockToken) }),
    })
    if (t.status !== 200) throw new Error(`TokenUpdate refused: ${t.status} ${t.body}`)
  }

  waitForPush(apns: FakeApns) {
    return apns.nextPush(this.tokenHex)
  }

  report(message: Dict): Promise<Reply> {
    return this.send(
      this.installed?.mdm.ServerURL ?? `${this.o.serverUrl}/mdm/server`,
      buildPlist({ UDID: this.o.udid, ...message }),
    )
  }

  /** Polls the device channel until the server has nothing more (or NotNow); returns what it ran. */
  poll(): Promise<ExecutedCommand[]> {
    return this.pollChannel({})
  }

  /** The answer keys of a command this device carried out (Apple's response keys per RequestType). */
  private carryOut(command: Record<string, PlistValue> & { RequestType: string }): Record<string, PlistValue> {
    switch (command.RequestType) {
      case 'InstallApplication':
        if (this.failsToInstall.has(String(command['Identifier']))) return {}
        this.apps.set(String(command['Identifier']), String(command['Identifier']).split('.').at(-1) ?? '')
        return {}
      case 'RemoveApplication':
        this.apps.delete(String(command['Identifier']))
        return {}
      case 'InstallProfile': {
        const profile = parsePlist(Buffer.from(command['Payload'] as Uint8Array).toString('utf8')) as Record<
          string,
          string
        >
        this.profiles.set(profile['PayloadIdentifier'] as string, {
          PayloadIdentifier: profile['PayloadIdentifier'] as string,
          PayloadDisplayName: profile['PayloadDisplayName'] ?? '',
          PayloadUUID: profile['PayloadUUID'] as string,
        })
        return {}
      }
      case 'RemoveProfile':
        this.profiles.delete(String(command['Identifier']))
        return {}
      case 'DeviceInformation': {
        const asked = (command['Queries'] as string[] | undefined) ?? []
        const known: Record<string, PlistValue> = { ...this.about, UDID: this.o.udid, SerialNumber: this.o.serial }
        return {
          QueryResponses: Object.fromEntries(asked.filter(k => k in known).map(k => [k, known[k] as PlistValue])),
        }
      }
      case 'SecurityInfo':
        return {
          SecurityInfo:
            this.o.platform === 'macos'
              ? { FDE_Enabled: this.about.encrypted, SystemIntegrityProtectionEnabled: true }
              : { HardwareEncryptionCaps: 3, PasscodePresent: this.about.encrypted, PasscodeCompliant: true },
        }
      case 'InstalledApplicationList':
        return {
          InstalledApplicationList: [...this.apps].map(([Identifier, Name]) => ({
            Identifier,
            Name,
            ShortVersion: '1.0',
            Version: '100',
            Installing: false,
          })),
        }
      case 'ProfileList':
        return { ProfileList: [...this.profiles.values()].map(p => ({ ...p, PayloadVersion: 1, IsManaged: true })) }
      // Device actions (mdm/commands/device.*.yaml response keys).
      case 'DeviceLock':
      case 'RestartDevice':
      case 'ClearPasscode':
      case 'EraseDevice':
      case 'PlayLostModeSound': {
        const { RequestType, ...keys } = command
        this.actions.push({ requestType: RequestType, keys })
        return RequestType === 'DeviceLock' && ('Message' in keys || 'PhoneNumber' in keys)
          ? { MessageResult: this.lostMode ? 'DeviceInLostMode' : 'Success' }
          : {}
      }
      case 'EnableLostMode':
      case 'DisableLostMode':
        this.lostMode = command.RequestType === 'EnableLostMode'
        this.actions.push({ requestType: command.RequestType, keys: {} })
        return {}
      case 'DeviceLocation':
        return this.lostMode
          ? {
              ...this.location,
              VerticalAccuracy: -1,
              Altitude: 0,
              Speed: -1,
              Course: -1,
              Timestamp: '2026-11-02T09:00:00Z',
            }
          : {}
      default:
        return {}
    }
  }

  /** Polls one channel (keys = the user channel's, or none for the device channel). */
  async pollChannel(keys: Record<string, PlistValue>, profiles?: Map<string, unknown>): Promise<ExecutedCommand[]> {
    const ran: ExecutedCommand[] = []
    const report = (m: Record<string, PlistValue>) => this.report({ ...keys, ...m })
    let reply = await report({ Status: 'Idle' })
    for (;;) {
      if (reply.status !== 200) throw new Error(`command connection refused: ${reply.status} ${reply.body}`)
      if (reply.body === '') return ran
      const msg = parsePlist(reply.body) as {
        CommandUUID: string
        Command: Dict & { RequestType: string }
      }
      const refusal = this.refuse.get(msg.Command.RequestType)
      if (refusal === 'NotNow') {
        await report({ Status: 'NotNow', CommandUUID: msg.CommandUUID })
        return ran
      }
      const done = { uuid: msg.CommandUUID, requestType: msg.Command.RequestType, command: msg.Command }
      let answer: Record<string, PlistValue> = {}
      if (!refusal) {
        this.executed.push(done)
        ran.push(done)
        answer =
          profiles && msg.Command.RequestType === 'ProfileList'
            ? { ProfileList: [...profiles.values()] as PlistValue[] }
            : this.carryOut(msg.Command)
      }
      reply = await report(
        refusal === 'Error'
          ? {
              Status: 'Error',
              CommandUUID: msg.CommandUUID,
              ErrorChain: [
                {
                  ErrorCode: 12,
                  ErrorDomain: 'MCInstallationErrorDomain',
                  LocalizedDescription: 'The profile could not be installed.',
                },
              ],
            }
          : { Status: 'Acknowledged', CommandUUID: msg.CommandUUID, RequestType: msg.Command.RequestType, ...answer },
      )
    }
  }

  close(): void {
    this.anonymous.destroy()
    this.agent?.destroy()
  }
}

/** One user's channel on a simulated Mac: its own push token and PushMagic, its own queue. */
export class AppleUserChannel {
  readonly token = randomBytes(32)
  readonly pushMagic = `magic-${randomBytes(8).toString('hex')}`
  /** The user's own profiles, as a user-channel ProfileList reports them. */
  readonly profiles = new Map<string, { PayloadIdentifier: string; PayloadDisplayName: string; PayloadUUID: string }>()

  constructor(
    readonly device: AppleDevice,
    readonly keys: { UserID: string; UserShortName: string; UserLongName: string },
  ) {}

  get tokenHex(): string {
    return this.token.toString('hex')
  }

  /** The user channel's TokenUpdate (macOS: UserID, UserShortName, UserLongName; NotOnConsole). */
  tokenUpdate(): Promise<Reply> {
    return this.device.checkIn({
      MessageType: 'TokenUpdate',
      Topic: this.device.topic,
      Token: new Uint8Array(this.token),
      PushMagic: this.pushMagic,
      NotOnConsole: false,
      ...this.keys,
    })
  }

  checkIn(message: Record<string, PlistValue>): Promise<Reply> {
    return this.device.checkIn({ ...this.keys, ...message })
  }

  poll(): Promise<ExecutedCommand[]> {
    return this.device.pollChannel(this.keys, this.profiles)
  }
}

// The enrollment ingress: one HTTPS server (its own certificate, on the office LAN address)
// serving the enrollment sign-in, Apple MDM check-in and command connection (property lists),
// and the Android agent's JSON protocol. Every request is validated before anything is stored;
// a bad one gets a precise 4xx and a log line.
//
// Device identity (Apple): the person signs in on /enroll and downloads an enrollment profile
// made for them; its SCEP payload makes the device's own key and gets it certified by the
// workspace CA with a one-time challenge bound to that sign-in (apple/scep.ts). The device is
// bound to the person when it first sends Authenticate with that identity, presented over mutual
// TLS or in the Mdm-Signature header (apple/mdm-signature.ts); every later check-in must present
// the identity bound to its UDID. No trust on first use, and never a 401 to an Apple device:
// Apple documents that a device receiving 401 removes its MDM profile, so authentication
// problems get 400 ("Terminating a Management Relationship"; nanomdm http/mdm/mdm_cert.go).
// An Android agent gets a random credential at enrollment; only its SHA-256 is stored.
import { createHash, createPrivateKey, randomBytes, timingSafeEqual } from 'node:crypto'
import { once } from 'node:events'
import https from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TLSSocket } from 'node:tls'
import type { JWTPayload } from 'jose'
import { z } from 'zod'
import type { EnrollResult, Platform } from '../../shared/domain'
import { AppError, errorMessage, errorStack } from '../../shared/errors'
import { notificationRoutes, type NotificationReceiver } from '../directories'
import type { Clock, Log, Secrets } from '../ports'
import type { Store } from '../store'
import { REBIND_HELD } from './rebind'
import type { DeviceService } from './service'
import { type AppleAnswer, createAppleMdm } from './apple/checkin'
import { buildPlist, parsePlist, PlistError, type PlistValue } from './plist'
import { createRateLimiter } from './rate-limit'
import { createSignIn, type SignInProvider } from './signin'
import { directoryUserOf as directoryUser } from './signin/directory-user'
import { HttpError } from './http-error'
import { ADE_CALLBACK_PATH, adeRoutes, adoptAdeIdentity, type AdeSignInContext } from './apple/ade/routes'
import { APPLE_ANCHORS } from './apple/ade/machine-info'
import type { IdpHttp } from './http'
import { derOfPem, loadWorkspaceCa, type WorkspaceCa } from './apple/ca'
import { PROFILE_CONTENT_TYPE, selfSignedAnchors, signedEnrollmentProfile } from './apple/enrollment-profile'
import { authenticateDevice, DeviceAuthError } from './apple/mdm-signature'
import { challengeHash, createScep, newChallenge, ScepError } from './apple/scep'
import { androidIngressRoutes } from './android/routes'
import type { AndroidEnterprise } from './android/service'
import { forgetWhatWasSent } from './actions/results'

export interface IngressOptions {
  devices: DeviceService
  store: Store
  clock: Clock
  log: Log
  tls: { keyPem: string; certPem: string }
  /** 127.0.0.1 in tests; the office LAN address in production. */
  host: string
  port?: number
  /** The URL devices and the IdP reach this server at (defaults to https://host:port). */
  publicUrl?: string
  /** The IdP people sign in with (through its own SDK; endpoints by its discovery document). */
  oidc: SignInProvider
  http: IdpHttp
  maxBodyBytes?: number
  /** Sign-in starts one client address may make a minute (and at once); default 30. */
  enrollStartsPerMinute?: number
  /** SCEP PKIOperations one client address may send a minute (and at once); default 60. Each
   *  costs the server an RSA decryption and a signature, so an unlimited flood is a cheap DoS. */
  scepOperationsPerMinute?: number
  /** Where the workspace CA's key is kept (the CA is made on first use). */
  secrets: Secrets
  /** The MDM push certificate's topic; null while none is uploaded (no profile can be made). */
  pushTopic: () => Promise<string | null>
  /** Days an identity certificate from SCEP is valid; default 365 (micromdm's default). */
  identityValidityDays?: number
  /** Android Enterprise, when the workspace manages Android devices through the Android Management API. */
  android?: AndroidEnterprise
  /** PEM anchors for Setup Assistant's signed device information; default the Apple Root CA. */
  deviceInfoAnchors?: string[]
  /** The IdPs' change notifications (directories/notifications); absent, their routes answer 404. */
  notifications?: NotificationReceiver
  /**
   * Resolves when this process may write (write-gate.ts: not while its import thread holds the
   * write lock). Every route writes; each request waits here, not in SQLite's busy handler. A
   * rejection (waited too long) answers 503 with Retry-After.
   */
  writable?: () => Promise<void>
}

export interface Ingress {
  url: string
  port: number
  close(): Promise<void>
}

const MAX_BODY = 64 * 1024
/** How long the SCEP challenge in a downloaded profile stays good: time to install it. */
const CHALLENGE_TTL_MS = 60 * 60_000

const udid = z.string().min(1).max(200)
/** Apple devices send nothing but the platform: their serial and UDID arrive with Authenticate. */
const startQuery = z.object({
  platform: z.enum(['ios', 'macos', 'android']),
  serial: z.string().trim().min(1).max(200).optional(),
  name: z.string().trim().min(1).max(200).optional(),
  pushToken: z.string().min(1).max(4096).optional(),
})
const text = z.string().max(300).optional()
/** What Authenticate says about the device that binds it (checked in apple/checkin.ts first). */
const authenticateMessage = z
  .object({
    UDID: udid,
    SerialNumber: z.string().trim().min(1).max(200).optional(),
    DeviceName: z.string().trim().min(1).max(200).optional(),
    Model: text,
    ModelName: text,
    ProductName: text,
  })
  .loose()
const agentToken = z.object({ fcmToken: z.string().min(1).max(4096) })
const agentAnswer = z.object({ status: z.enum(['acknowledged', 'error']), error: z.string().max(2000).optional() })

const issues = (e: z.ZodError) => e.issues.map(i => ({ path: i.path.join('.') || '(body)', message: i.message }))

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value)
  if (!r.success) {
    const fields = issues(r.error)
    throw new HttpError(400, 'BAD_INPUT', `Invalid ${what}: ${fields.map(f => `${f.path}: ${f.message}`).join('; ')}`, {
      fields,
    })
  }
  return r.data
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN)
  if (declared > limit)
    throw new HttpError(413, 'TOO_LARGE', `The body is ${declared} bytes; the limit is ${limit}.`, { limit })
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > limit) throw new HttpError(413, 'TOO_LARGE', `The body exceeds ${limit} bytes.`, { limit })
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

/** When a device asked to wait for an import (503) is told to try again. */
const BUSY_RETRY_SECONDS = 30

/**
 * The path and query of a request target. Only origin-form (`/path?query`, RFC 9112 §3.2.1) is
 * served; the path is never percent-decoded as a whole (segments are decoded where a route
 * reads them), so no target can make parsing throw.
 */
export function parseTarget(raw: string | undefined): { pathname: string; searchParams: URLSearchParams } {
  const target = raw ?? ''
  if (!target.startsWith('/') || target.startsWith('//'))
    throw new HttpError(400, 'BAD_INPUT', 'The request target must be a path starting with a single "/".', {
      target: target.slice(0, 200),
    })
  const q = target.indexOf('?')
  const pathname = q < 0 ? target : target.slice(0, q)
  const hash = pathname.indexOf('#')
  return {
    pathname: hash < 0 ? pathname : pathname.slice(0, hash),
    searchParams: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)),
  }
}

/** One percent-encoded path segment, decoded; a bad escape is the client's error (400). */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw new HttpError(
      400,
      'BAD_INPUT',
      `The path segment ${JSON.stringify(segment.slice(0, 200))} has a bad percent-escape.`,
    )
  }
}

const peerCertificateOf = (req: IncomingMessage): Buffer | null =>
  (req.socket as TLSSocket).getPeerCertificate?.()?.raw ?? null

/** macOS when the device calls itself a Mac (ModelName "MacBook Pro", ProductName "Mac14,2"), else iOS. */
export const applePlatformOf = (m: { Model?: string; ModelName?: string; ProductName?: string }): 'ios' | 'macos' =>
  [m.ModelName, m.ProductName, m.Model].some(v => /^(i?Mac|VirtualMac)/i.test(v ?? '')) ? 'macos' : 'ios'

const ENROLL_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Enroll a device</title></head>
<body><h1>Enroll this device</h1>
<p>Sign in with your work account; you then get an enrollment profile made for you. Install it in Settings.</p>
<ul><li><a href="/enroll/start?platform=ios">iPhone or iPad</a></li><li><a href="/enroll/start?platform=macos">Mac</a></li></ul>
</body></html>
`

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

const sameHex = (a: string, b: string): boolean => {
  const x = Buffer.from(a, 'hex')
  const y = Buffer.from(b, 'hex')
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y)
}

interface EnrollContext {
  platform: Platform
  /** Android: the serial and FCM token the agent enrolls with. */
  serial?: string
  name?: string
  pushToken?: string
  /** The device proved, at the start, the identity its serial is currently bound to. */
  proven: boolean
}

export async function startIngress(o: IngressOptions): Promise<Ingress> {
  const limit = o.maxBodyBytes ?? MAX_BODY
  const server = https.createServer({
    key: o.tls.keyPem,
    cert: o.tls.certPem,
    requestCert: true,
    rejectUnauthorized: false,
  })
  server.listen(o.port ?? 0, o.host)
  await once(server, 'listening')
  const port = (server.address() as AddressInfo).port
  const url = o.publicUrl ?? `https://${o.host}:${port}`
  const signIn = await createSignIn<EnrollContext>({
    provider: o.oidc,
    redirectUri: `${url}/enroll/callback`,
    clock: o.clock,
    http: o.http,
  }).catch((e: unknown) => {
    server.close()
    throw new AppError(
      'INGRESS_IDP_UNREACHABLE',
      `The sign-in provider ${o.oidc.issuer} could not be read: ${errorMessage(e)}`,
      { issuer: o.oidc.issuer },
    )
  })
  const { store, devices } = o
  let caLoading: Promise<WorkspaceCa> | null = null
  /** The workspace CA, made on first use; a failed load is retried by the next request. */
  const ca = (): Promise<WorkspaceCa> =>
    (caLoading ??= loadWorkspaceCa(o.secrets, o.clock.now()).catch((e: unknown) => {
      caLoading = null
      throw e
    }))
  const scep = createScep({ ca, store, clock: o.clock, log: o.log, validityDays: o.identityValidityDays ?? 365 })
  const tlsChain = derOfPem(o.tls.certPem)
  const profileSigner = {
    certDer: tlsChain[0] as Buffer,
    chain: tlsChain.slice(1),
    key: createPrivateKey(o.tls.keyPem),
  }
  const anchors = selfSignedAnchors(tlsChain)
  const startLimiter = createRateLimiter({
    perMinute: o.enrollStartsPerMinute ?? 30,
    now: () => o.clock.now().getTime(),
  })
  const scepLimiter = createRateLimiter({
    perMinute: o.scepOperationsPerMinute ?? 60,
    now: () => o.clock.now().getTime(),
  })

  const sendJson = (res: ServerResponse, status: number, value: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(value))
  }
  const sendPlist = (res: ServerResponse, value: PlistValue | null) => {
    if (value === null) {
      res.writeHead(200, { 'content-length': '0' })
      res.end()
      return
    }
    res.writeHead(200, { 'content-type': 'application/xml' })
    res.end(buildPlist(value))
  }

  const apple = createAppleMdm({ store, devices, clock: o.clock, log: o.log, escrowCertificate: profileSigner.certDer })
  const sendApple = (res: ServerResponse, answer: AppleAnswer) => {
    if (!answer.ok) throw new HttpError(answer.status, answer.code, answer.message, answer.details)
    sendPlist(res, answer.body)
  }

  const plistOf = (raw: Buffer): Record<string, PlistValue> => {
    const body = raw.toString('utf8')
    let value: PlistValue
    try {
      value = parsePlist(body)
    } catch (e) {
      if (e instanceof PlistError)
        throw new HttpError(400, 'BAD_INPUT', `Malformed property list: ${e.message}.`, { offset: e.offset })
      throw e
    }
    if (
      typeof value !== 'object' ||
      value === null ||
      Array.isArray(value) ||
      value instanceof Date ||
      value instanceof Uint8Array
    ) {
      throw new HttpError(400, 'BAD_INPUT', 'The property list must hold a dictionary.')
    }
    return value
  }

  const readJson = async (req: IncomingMessage): Promise<unknown> => {
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
      throw new HttpError(415, 'BAD_INPUT', 'Send the body as application/json.')
    }
    const body = (await readBody(req, limit)).toString('utf8')
    try {
      return JSON.parse(body)
    } catch (e) {
      throw new HttpError(400, 'BAD_INPUT', `Malformed JSON: ${errorMessage(e)}.`)
    }
  }

  /**
   * An Apple check-in or command request: its body, read once (Mdm-Signature is over these exact
   * bytes), the property list in it, and the CA-issued identity it proves — or a 400, never a 401.
   */
  const appleRequest = async (
    req: IncomingMessage,
  ): Promise<{ message: Record<string, PlistValue>; fingerprint: string }> => {
    const body = await readBody(req, limit)
    const header = req.headers['mdm-signature']
    try {
      const { fingerprint } = authenticateDevice(
        { peerCertificate: peerCertificateOf(req), mdmSignature: Array.isArray(header) ? header.join('') : header },
        body,
        await ca(),
        o.clock.now(),
      )
      return { message: plistOf(body), fingerprint }
    } catch (e) {
      if (e instanceof DeviceAuthError) throw new HttpError(400, 'UNAUTHORIZED', e.message)
      throw e
    }
  }

  /** The enrolled Apple device with this UDID, if `fingerprint` is its identity; else a 400. */
  const appleDevice = (fingerprint: string, id: string): string => {
    const known = store.outbox.appleByUdid(id)
    if (!known)
      throw new HttpError(400, 'UNAUTHORIZED', `No enrolled device has UDID ${id}; it must Authenticate first.`, {
        udid: id,
      })
    if (!sameHex(known.identityFingerprint ?? '', fingerprint))
      throw new HttpError(
        400,
        'UNAUTHORIZED',
        `The identity certificate is not the one device ${id} is enrolled with.`,
        {
          udid: id,
        },
      )
    return known.deviceId
  }

  /**
   * Authenticate: the device is bound to the person its identity was issued for. A repeated
   * Authenticate with the bound identity only marks the device seen; a new identity of the same
   * person (the profile installed again) replaces the old one; another person's identity for an
   * enrolled serial waits for an admin (held re-enrollment), as a sign-in by another user does.
   */
  const authenticateApple = async (
    msg: z.output<typeof authenticateMessage>,
    fingerprint: string,
  ): Promise<string | null> => {
    const issued = store.appleIdentities.identity(fingerprint)
    if (!issued)
      throw new HttpError(
        400,
        'UNAUTHORIZED',
        'This identity was not issued for a sign-in on this server; sign in on the enrollment page again.',
      )
    const known = store.outbox.appleByUdid(msg.UDID)
    if (known && sameHex(known.identityFingerprint ?? '', fingerprint)) {
      store.devices.markSeen(known.deviceId, o.clock.now().toISOString())
      return known.deviceId
    }
    const serial = msg.SerialNumber ?? msg.UDID
    const adopted = adoptAdeIdentity(
      store,
      { udid: msg.UDID, serial, fingerprint, userId: issued.userId },
      o.clock.now(),
    )
    if (adopted) return adopted
    if (known && store.devices.get(known.deviceId)?.serial !== serial)
      throw new HttpError(
        409,
        'CONFLICT',
        `UDID ${msg.UDID} is already enrolled under another serial number; remove that device first.`,
        {
          udid: msg.UDID,
        },
      )
    try {
      const result = await devices.enroll({
        serial,
        platform: applePlatformOf(msg),
        userPrincipalName: issued.userPrincipalName,
        name: msg.DeviceName,
        identity: { kind: 'apple', udid: msg.UDID, fingerprint },
        rebind: 'hold',
      })
      o.log.info('device enrolled', {
        deviceId: result.device.id,
        platform: result.device.platform,
        userPrincipalName: issued.userPrincipalName,
      })
      return result.device.id
    } catch (e) {
      // Held for an admin: Authenticate still succeeds (a refusal would fail the profile's
      // installation, and the device could never be approved); its check-ins wait for the decision.
      if (e instanceof AppError && e.details?.['reason'] === REBIND_HELD) {
        o.log.warn('re-enrollment held for an admin', {
          deviceId: e.details['deviceId'],
          heldRebindId: e.details['heldRebindId'],
        })
        return null
      }
      if (e instanceof AppError && (e.code === 'NOT_FOUND' || e.code === 'CONFLICT'))
        throw new HttpError(e.code === 'CONFLICT' ? 409 : 400, e.code, e.message, e.details)
      throw e
    }
  }

  /** The enrollment profile for the person who just signed in, with a fresh one-time challenge. */
  const sendProfile = async (res: ServerResponse, claims: JWTPayload) => {
    const upn = directoryUserOf(claims)
    const userId = store.users.idByPrincipalName(upn)
    if (!userId)
      throw new HttpError(
        403,
        'NOT_FOUND',
        `No user ${upn} in any directory. Ask your admin to sync the directory first.`,
        {
          userPrincipalName: upn,
        },
      )
    const topic = await o.pushTopic()
    if (!topic)
      throw new HttpError(
        503,
        'NOT_READY',
        'Enrollment is not ready: the admin has not uploaded the MDM push certificate yet.',
      )
    const challenge = newChallenge()
    const now = o.clock.now()
    store.appleIdentities.addChallenge(
      challengeHash(challenge),
      userId,
      now.toISOString(),
      new Date(now.getTime() + CHALLENGE_TTL_MS).toISOString(),
    )
    const profile = signedEnrollmentProfile(
      { baseUrl: url, topic, challenge, userPrincipalName: upn, anchors },
      profileSigner,
    )
    o.log.info('enrollment profile issued', { userPrincipalName: upn })
    res.writeHead(200, {
      'content-type': PROFILE_CONTENT_TYPE,
      'content-disposition': 'attachment; filename="enroll.mobileconfig"',
      'cache-control': 'no-store',
    })
    res.end(profile)
  }

  /** SCEP (RFC 8894 §4): one URL, the operation in the query; PKIOperation by POST or GET. */
  const scepRoute = async (req: IncomingMessage, res: ServerResponse, _p: string, query: URLSearchParams) => {
    const operation = query.get('operation')
    if (operation === 'GetCACaps') {
      res.writeHead(200, { 'content-type': 'text/plain' })
      return void res.end(scep.caps())
    }
    if (operation === 'GetCACert') {
      res.writeHead(200, { 'content-type': 'application/x-x509-ca-cert' })
      return void res.end(await scep.caCert())
    }
    if (operation !== 'PKIOperation')
      throw new HttpError(400, 'BAD_INPUT', 'The SCEP operation must be GetCACaps, GetCACert or PKIOperation.', {
        operation,
      })
    const wait = scepLimiter.take(req.socket.remoteAddress ?? '')
    if (wait > 0)
      throw new HttpError(
        429,
        'RATE_LIMITED',
        `Too many certificate requests from this address; try again in ${wait} s.`,
        {
          retryAfter: wait,
        },
      )
    // GET carries the message as standard base64 in the query; an unescaped "+" arrives as a space.
    const message =
      req.method === 'POST'
        ? await readBody(req, limit)
        : Buffer.from((query.get('message') ?? '').replace(/ /g, '+'), 'base64')
    let reply: Buffer
    try {
      reply = await scep.pkiOperation(message)
    } catch (e) {
      if (e instanceof ScepError) throw new HttpError(400, 'BAD_INPUT', e.message)
      throw e
    }
    res.writeHead(200, { 'content-type': 'application/x-pki-message' })
    res.end(reply)
  }

  /** The Android device whose credential this request carries, or a 401. */
  const androidDevice = (req: IncomingMessage): string => {
    const m = /^Bearer ([^.\s]+)\.([A-Za-z0-9_-]+)$/.exec(String(req.headers.authorization ?? ''))
    if (!m)
      throw new HttpError(
        401,
        'UNAUTHORIZED',
        'Send Authorization: Bearer <deviceId>.<credential> as issued at enrollment.',
      )
    const [, deviceId, secret] = m as unknown as [string, string, string]
    const stored = store.outbox.credentialHash(deviceId)
    const given = Buffer.from(sha256(secret), 'hex')
    if (!stored || !timingSafeEqual(Buffer.from(stored, 'hex'), given))
      throw new HttpError(401, 'UNAUTHORIZED', 'The device credential is not valid.', { deviceId })
    return deviceId
  }

  /**
   * Whether this request proves the identity the serial is enrolled with now: an Android agent's
   * current credential. Only such proof lets another user's sign-in move the device without an
   * admin.
   */
  const provesCurrentIdentity = (req: IncomingMessage, serial: string): boolean => {
    const current = store.devices.enrollmentOf(serial)
    if (!current) return false
    const m = /^Bearer ([^.\s]+)\.([A-Za-z0-9_-]+)$/.exec(String(req.headers.authorization ?? ''))
    return (
      !!m &&
      m[1] === current.deviceId &&
      !!current.credentialHash &&
      sameHex(current.credentialHash, sha256(m[2] as string))
    )
  }

  /**
   * The directory user (principal name) a verified ID token names: by the IdP's immutable id
   * matched to a directory user's external id, else by a verified email; or a 401.
   */
  const directoryUserOf = (claims: JWTPayload): string => {
    try {
      return directoryUser(store.users, claims, o.oidc)
    } catch (e) {
      if (e instanceof AppError) throw new HttpError(401, e.code, e.message, e.details)
      throw e
    }
  }

  const wakeSafely = () =>
    devices.pump().catch((e: unknown) => o.log.error('push after check-in failed', { error: String(e) }))

  const routes: Record<
    string,
    (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams) => Promise<void>
  > = {
    'GET /enroll': async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      res.end(ENROLL_PAGE)
    },
    'GET /enroll/start': async (req, res, _p, query) => {
      const wait = startLimiter.take(req.socket.remoteAddress ?? '')
      if (wait > 0)
        throw new HttpError(429, 'RATE_LIMITED', `Too many enrollments from this address; try again in ${wait} s.`, {
          retryAfter: wait,
        })
      const q = parse(startQuery, Object.fromEntries(query), 'enrollment request')
      if (q.platform !== 'android') {
        res.writeHead(302, { location: signIn.start({ platform: q.platform, proven: false }) })
        return void res.end()
      }
      if (!q.serial)
        throw new HttpError(400, 'BAD_INPUT', 'An Android enrollment needs the device serial.', {
          fields: [{ path: 'serial', message: 'required' }],
        })
      if (!q.pushToken)
        throw new HttpError(400, 'BAD_INPUT', 'An Android enrollment needs the FCM registration token.', {
          fields: [{ path: 'pushToken', message: 'required' }],
        })
      const proven = provesCurrentIdentity(req, q.serial)
      res.writeHead(302, { location: signIn.start({ ...q, proven }) })
      res.end()
    },
    'GET /enroll/callback': async (_req, res, _p, query) => {
      let signed: Awaited<ReturnType<typeof signIn.complete>>
      try {
        signed = await signIn.complete(query)
      } catch (e) {
        if (e instanceof AppError) throw new HttpError(e.code === 'BAD_INPUT' ? 400 : 401, e.code, e.message, e.details)
        throw e
      }
      const { claims, context } = signed
      if (context.platform !== 'android') return sendProfile(res, claims)
      const upn = directoryUserOf(claims)
      const secret = randomBytes(32).toString('base64url')
      let result: EnrollResult
      try {
        result = await devices.enroll({
          serial: context.serial as string,
          platform: context.platform,
          userPrincipalName: upn,
          name: context.name,
          pushToken: context.pushToken,
          identity: { kind: 'android', credentialHash: sha256(secret) },
          rebind: context.proven ? 'proven' : 'hold',
        })
      } catch (e) {
        if (e instanceof AppError && e.code === 'NOT_FOUND') throw new HttpError(403, 'NOT_FOUND', e.message, e.details)
        if (e instanceof AppError && e.details?.['reason'] === REBIND_HELD) {
          // Accepted, not done: the device learns its credential now; it works once an admin approves.
          const deviceId = String(e.details['deviceId'])
          o.log.warn('re-enrollment held for an admin', { deviceId, heldRebindId: e.details['heldRebindId'] })
          return sendJson(res, 202, {
            held: true,
            heldRebindId: e.details['heldRebindId'],
            message: e.message,
            credential: `${deviceId}.${secret}`,
          })
        }
        if (e instanceof AppError && e.code === 'CONFLICT') throw new HttpError(409, 'CONFLICT', e.message, e.details)
        throw e
      }
      const deviceId = result.device.id
      o.log.info('device enrolled', {
        deviceId,
        platform: context.platform,
        userPrincipalName: result.device.userPrincipalName,
      })
      sendJson(res, 200, {
        deviceId,
        userPrincipalName: result.device.userPrincipalName,
        policies: result.policies,
        credential: `${deviceId}.${secret}`,
      })
    },
    ...(await androidIngressRoutes({ ...o, url })),
    'GET /scep': scepRoute,
    'POST /scep': scepRoute,
    'PUT /mdm/checkin': async (req, res) => {
      const { message, fingerprint } = await appleRequest(req)
      sendApple(
        res,
        await apple.checkIn(message, (id, authenticate) =>
          authenticate
            ? authenticateApple(parse(authenticateMessage, authenticate, 'Authenticate'), fingerprint)
            : appleDevice(fingerprint, id),
        ),
      )
    },
    'PUT /mdm/server': async (req, res) => {
      const { message, fingerprint } = await appleRequest(req)
      sendApple(res, await apple.report(message, id => appleDevice(fingerprint, id)))
    },
    ...adeRoutes({
      store,
      devices,
      clock: o.clock,
      log: o.log,
      signIn: await createSignIn<AdeSignInContext>({
        provider: o.oidc,
        redirectUri: `${url}${ADE_CALLBACK_PATH}`,
        clock: o.clock,
        http: o.http,
      }),
      anchors: o.deviceInfoAnchors ?? APPLE_ANCHORS,
      directoryUserOf,
      sendProfile,
    }),
    'POST /android/v1/token': async (req, res) => {
      const deviceId = androidDevice(req)
      const body = parse(agentToken, await readJson(req), 'token update')
      const at = o.clock.now().toISOString()
      store.transaction(() => {
        store.outbox.setFcmToken(deviceId, body.fcmToken, at)
        store.outbox.rearm(deviceId, at)
      })
      await wakeSafely()
      sendJson(res, 200, { ok: true })
    },
    'GET /android/v1/commands': async (req, res) => {
      const deviceId = androidDevice(req)
      const commands = devices.outbox
        .pending(deviceId)
        .map(c => ({ id: c.id, seq: c.seq, type: c.type, payload: c.payload }))
      sendJson(res, 200, { commands })
    },
    ...notificationRoutes(o.notifications),
  }

  const answerRoute = async (req: IncomingMessage, res: ServerResponse, commandId: string) => {
    const deviceId = androidDevice(req)
    const body = parse(agentAnswer, await readJson(req), 'command answer')
    if (!store.devices.command(deviceId, commandId))
      throw new HttpError(404, 'NOT_FOUND', `Device ${deviceId} has no command ${commandId}.`)
    const { changed } = devices.outbox.answer(deviceId, commandId, body.status, body.error ?? null)
    const answered = changed && body.status === 'acknowledged' ? store.devices.command(deviceId, commandId) : undefined
    if (answered) forgetWhatWasSent(store, deviceId, answered.type)
    sendJson(res, 200, { ok: true, changed })
  }

  const refuse = (res: ServerResponse, route: string, e: unknown) => {
    const err =
      e instanceof HttpError ? e : e instanceof AppError ? new HttpError(400, e.code, e.message, e.details ?? {}) : null
    if (!err) o.log.error('ingress request failed', { route, error: errorStack(e) })
    else o.log.warn('ingress refused a request', { route, status: err.status, message: err.message })
    if (res.headersSent || res.destroyed) return void res.destroy()
    const status = err?.status ?? 500
    res.writeHead(status, {
      'content-type': 'application/json',
      ...(status === 413 ? { connection: 'close' } : {}),
      ...(status === 429 || status === 503 ? { 'retry-after': String(err?.details['retryAfter']) } : {}),
    })
    res.end(
      JSON.stringify({
        error: {
          code: err?.code ?? 'INTERNAL',
          message: err?.message ?? 'Internal error; see the log.',
          ...(err ? { details: err.details } : {}),
        },
      }),
    )
  }

  const dispatch = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = parseTarget(req.url)
    if (o.writable)
      await o.writable().catch((e: unknown) => {
        throw new HttpError(503, 'CONFLICT', errorMessage(e), { retryAfter: BUSY_RETRY_SECONDS })
      })
    const key = `${req.method} ${target.pathname}`
    const answer = /^\/android\/v1\/commands\/([^/]{1,200})\/answer$/.exec(target.pathname)
    const route = routes[key]
    if (route) return route(req, res, target.pathname, target.searchParams)
    if (answer && req.method === 'POST') return answerRoute(req, res, decodeSegment(answer[1] as string))
    throw Object.keys(routes).some(k => k.endsWith(` ${target.pathname}`))
      ? new HttpError(405, 'BAD_INPUT', `${req.method} is not allowed on ${target.pathname}.`)
      : new HttpError(404, 'NOT_FOUND', `No endpoint ${target.pathname}.`)
  }

  // Whatever a client sends — a malformed target, a bad escape, a handler bug — ends in an
  // answer and a log line, never in an exception that leaves this listener (it would end the
  // process: the ingress is exposed to the whole LAN).
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const route = `${req.method} ${String(req.url).slice(0, 200)}`
    try {
      dispatch(req, res).catch((e: unknown) => refuse(res, route, e))
    } catch (e) {
      refuse(res, route, e)
    }
  })
  server.on('clientError', (e: Error, socket) => {
    o.log.warn('ingress refused a malformed request', { error: e.message })
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
    else socket.destroy()
  })

  return {
    url,
    port,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    },
  }
}

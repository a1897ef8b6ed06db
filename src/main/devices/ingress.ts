// The enrollment ingress: one HTTPS server (its own certificate, on the office LAN address)
// serving the enrollment sign-in, Apple MDM check-in and command connection (property lists),
// and the Android agent's JSON protocol. Every request is validated before anything is stored;
// a bad one gets a precise 4xx and a log line.
//
// Device identity: an Apple device presents its enrollment identity certificate over mutual TLS
// when it starts enrollment; its SHA-256 fingerprint is bound to the device's UDID once the user
// has signed in, and every later check-in must present the same certificate (Apple, "Check-in":
// the server authenticates the device by its identity certificate or Mdm-Signature). An Android
// agent gets a random credential at enrollment; only its SHA-256 is stored.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { once } from 'node:events'
import https from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TLSSocket } from 'node:tls'
import type { JWTPayload } from 'jose'
import { z } from 'zod'
import type { EnrollResult, Platform } from '../../shared/domain'
import { AppError, errorMessage, errorStack } from '../../shared/errors'
import type { Clock, Log } from '../ports'
import type { Store } from '../store'
import { type EnrollIdentity, REBIND_HELD } from './rebind'
import type { DeviceService } from './service'
import { type AppleAnswer, createAppleMdm } from './apple/checkin'
import { buildPlist, parsePlist, PlistError, type PlistValue } from './plist'
import { createRateLimiter } from './rate-limit'
import { claimedIdentity, createSignIn, type OidcProvider } from './signin'
import type { IdpHttp } from './http'

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
  oidc: OidcProvider
  http: IdpHttp
  maxBodyBytes?: number
  /** Sign-in starts one client address may make a minute (and at once); default 30. */
  enrollStartsPerMinute?: number
}

export interface Ingress {
  url: string
  port: number
  close(): Promise<void>
}

const MAX_BODY = 64 * 1024

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
  }
}

const udid = z.string().min(1).max(200)
const startQuery = z.object({
  platform: z.enum(['ios', 'macos', 'android']),
  serial: z.string().trim().min(1).max(200),
  udid: udid.optional(),
  name: z.string().trim().min(1).max(200).optional(),
  pushToken: z.string().min(1).max(4096).optional(),
})
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

const fingerprintOf = (req: IncomingMessage): string | null => {
  const cert = (req.socket as TLSSocket).getPeerCertificate?.()
  return cert?.raw ? createHash('sha256').update(cert.raw).digest('hex') : null
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

const sameHex = (a: string, b: string): boolean => {
  const x = Buffer.from(a, 'hex')
  const y = Buffer.from(b, 'hex')
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y)
}

interface EnrollContext {
  platform: Platform
  serial: string
  udid?: string
  name?: string
  pushToken?: string
  fingerprint: string | null
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
  const signIn = createSignIn<EnrollContext>({
    provider: o.oidc,
    redirectUri: `${url}/enroll/callback`,
    clock: o.clock,
    http: o.http,
  })
  const { store, devices } = o
  const startLimiter = createRateLimiter({
    perMinute: o.enrollStartsPerMinute ?? 30,
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

  const apple = createAppleMdm({ store, devices, clock: o.clock, log: o.log })
  const sendApple = (res: ServerResponse, answer: AppleAnswer) => {
    if (!answer.ok) throw new HttpError(answer.status, answer.code, answer.message, answer.details)
    sendPlist(res, answer.body)
  }

  const readPlist = async (req: IncomingMessage): Promise<Record<string, PlistValue>> => {
    const body = (await readBody(req, limit)).toString('utf8')
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

  /** The enrolled Apple device this check-in proves to be, or a 401. */
  const appleDevice = (req: IncomingMessage, id: string): string => {
    const fp = fingerprintOf(req)
    if (!fp)
      throw new HttpError(401, 'UNAUTHORIZED', 'A check-in must present the device identity certificate (mutual TLS).')
    const known = store.outbox.appleByUdid(id)
    if (!known)
      throw new HttpError(401, 'UNAUTHORIZED', `No enrolled device has UDID ${id}; enroll it first.`, { udid: id })
    const expected = Buffer.from(known.identityFingerprint ?? '', 'hex')
    const given = Buffer.from(fp, 'hex')
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new HttpError(
        401,
        'UNAUTHORIZED',
        `The client certificate is not the enrollment identity of device ${id}.`,
        { udid: id },
      )
    }
    return known.deviceId
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
   * Whether this request proves the identity the serial is enrolled with now: an Apple device's
   * current identity certificate, or an Android agent's current credential. Only such proof
   * lets another user's sign-in move the device without an admin.
   */
  const provesCurrentIdentity = (req: IncomingMessage, serial: string, fingerprint: string | null): boolean => {
    const current = store.devices.enrollmentOf(serial)
    if (!current) return false
    if (fingerprint && current.identityFingerprint) return sameHex(current.identityFingerprint, fingerprint)
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
    const who = claimedIdentity(claims, o.oidc)
    const bySubject = who.subject ? store.users.principalNamesByExternalId(who.subject) : []
    if (bySubject.length > 1)
      throw new HttpError(
        401,
        'UNAUTHORIZED',
        `The IdP's id ${who.subject} names ${bySubject.length} directory users; remove the duplicate directory.`,
        {
          subject: who.subject,
        },
      )
    const upn = bySubject[0] ?? who.email
    if (!upn)
      throw new HttpError(
        401,
        'UNAUTHORIZED',
        `No directory user has the IdP's id ${who.subject ?? '(none)'}, and the email cannot identify one: ${who.emailRefusal}`,
        { subject: who.subject, reason: 'identity' },
      )
    return upn
  }

  const wakeSafely = () =>
    devices.pump().catch((e: unknown) => o.log.error('push after check-in failed', { error: String(e) }))

  const routes: Record<
    string,
    (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams) => Promise<void>
  > = {
    'GET /enroll/start': async (req, res, _p, query) => {
      const wait = startLimiter.take(req.socket.remoteAddress ?? '')
      if (wait > 0)
        throw new HttpError(429, 'RATE_LIMITED', `Too many enrollments from this address; try again in ${wait} s.`, {
          retryAfter: wait,
        })
      const q = parse(startQuery, Object.fromEntries(query), 'enrollment request')
      if (q.platform !== 'android' && !q.udid)
        throw new HttpError(400, 'BAD_INPUT', 'An Apple enrollment needs the device UDID.', {
          fields: [{ path: 'udid', message: 'required' }],
        })
      if (q.platform === 'android' && !q.pushToken)
        throw new HttpError(400, 'BAD_INPUT', 'An Android enrollment needs the FCM registration token.', {
          fields: [{ path: 'pushToken', message: 'required' }],
        })
      const fingerprint = fingerprintOf(req)
      if (q.platform !== 'android' && !fingerprint)
        throw new HttpError(
          401,
          'UNAUTHORIZED',
          'An Apple enrollment must present the device identity certificate (mutual TLS).',
        )
      const proven = provesCurrentIdentity(req, q.serial, fingerprint)
      res.writeHead(302, { location: signIn.start({ ...q, fingerprint, proven }) })
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
      const bound = context.udid ? store.outbox.appleByUdid(context.udid) : undefined
      const sameSerial = bound ? store.devices.get(bound.deviceId)?.serial === context.serial : true
      if (!sameSerial)
        throw new HttpError(
          409,
          'CONFLICT',
          `UDID ${context.udid} is already enrolled under another serial number; remove that device first.`,
          { udid: context.udid },
        )
      const upn = directoryUserOf(claims)
      const secret = context.platform === 'android' ? randomBytes(32).toString('base64url') : null
      const identity: EnrollIdentity = secret
        ? { kind: 'android', credentialHash: sha256(secret) }
        : { kind: 'apple', udid: context.udid as string, fingerprint: context.fingerprint as string }
      let result: EnrollResult
      try {
        result = await devices.enroll({
          serial: context.serial,
          platform: context.platform,
          userPrincipalName: upn,
          name: context.name,
          pushToken: context.platform === 'android' ? context.pushToken : undefined,
          identity,
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
            ...(secret ? { credential: `${deviceId}.${secret}` } : {}),
          })
        }
        if (e instanceof AppError && e.code === 'CONFLICT') throw new HttpError(409, 'CONFLICT', e.message, e.details)
        throw e
      }
      const deviceId = result.device.id
      const credential = secret ? `${deviceId}.${secret}` : undefined
      o.log.info('device enrolled', {
        deviceId,
        platform: context.platform,
        userPrincipalName: result.device.userPrincipalName,
      })
      sendJson(res, 200, {
        deviceId,
        userPrincipalName: result.device.userPrincipalName,
        policies: result.policies,
        ...(credential ? { credential } : {}),
      })
    },
    'PUT /mdm/checkin': async (req, res) =>
      sendApple(res, await apple.checkIn(await readPlist(req), id => appleDevice(req, id))),
    'PUT /mdm/server': async (req, res) =>
      sendApple(res, await apple.report(await readPlist(req), id => appleDevice(req, id))),
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
  }

  const answerRoute = async (req: IncomingMessage, res: ServerResponse, commandId: string) => {
    const deviceId = androidDevice(req)
    const body = parse(agentAnswer, await readJson(req), 'command answer')
    if (!store.devices.command(deviceId, commandId))
      throw new HttpError(404, 'NOT_FOUND', `Device ${deviceId} has no command ${commandId}.`)
    const { changed } = devices.outbox.answer(deviceId, commandId, body.status, body.error ?? null)
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
      ...(status === 429 ? { 'retry-after': String(err?.details['retryAfter']) } : {}),
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

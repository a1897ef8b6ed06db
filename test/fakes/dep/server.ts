// A stateful fake of Apple's device assignment service (mdmenrollment.apple.com) on 127.0.0.1,
// speaking its wire format as Apple documents it and nanodep's client expects it:
// - GET /session checks an OAuth 1.0a HMAC-SHA1 Authorization header (RFC 5849) against the
//   server token it issued (consumer key/secret, access token/secret), refuses a reused nonce
//   (401), answers 403 T_C_NOT_SIGNED when the terms are not accepted, and returns
//   {auth_session_token};
// - every other call needs X-ADM-Auth-Session (401 UNAUTHORIZED when missing or expired) and a
//   User-Agent (400 USER_AGENT_MISSING);
// - POST /server/devices pages the devices assigned to the server with a cursor
//   (more_to_follow); a cursor whose fetch is complete answers 400 EXHAUSTED_CURSOR;
// - POST /devices/sync returns the changes after a cursor (op_type added/modified/deleted,
//   op_date), 400 CURSOR_REQUIRED / INVALID_CURSOR / EXPIRED_CURSOR (older than 7 days);
// - POST /profile defines a profile (CONFIG_URL_REQUIRED, FLAGS_INVALID), GET /profile reads it,
//   PUT or POST /profile/devices assigns it, DELETE /profile/devices clears it, per-serial
//   SUCCESS / NOT_ACCESSIBLE;
// - faults: 429 with Retry-After for the next N calls, expired sessions.
// The server token it issues is a real S/MIME .p7m encrypted to the certificate it is given.
import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import forge from 'node-forge'

export interface FakeDepDevice {
  serial_number: string
  model: string
  description: string
  color: string
  device_family: string
  os: string
  profile_status: 'empty' | 'assigned' | 'pushed' | 'removed'
  profile_uuid?: string
  profile_assign_time?: string
  device_assigned_date: string
  device_assigned_by: string
}

interface Op {
  seq: number
  device: FakeDepDevice
  op_type: 'added' | 'modified' | 'deleted'
  op_date: string
}

interface Cursor {
  kind: 'fetch' | 'sync'
  /** fetch: the snapshot's serials and the next index; sync: the op seq it follows. */
  serials?: string[]
  offset: number
  seq: number
  issuedAt: number
}

export interface FakeDep {
  url: string
  /** The token's fields, as Apple puts them in the .p7m. */
  token: {
    consumer_key: string
    consumer_secret: string
    access_token: string
    access_secret: string
    access_token_expiry: string
  }
  /** The .p7m Apple Business Manager lets the admin download, encrypted to `certPem`. */
  serverTokenFile(certPem: string): string
  /** Assigns a device to this MDM server in Apple Business Manager (an "added" change). */
  addDevice(d: Partial<FakeDepDevice> & { serial_number: string }): FakeDepDevice
  /** Unassigns it from this server (a "deleted" change). */
  removeDevice(serial: string): void
  devices: Map<string, FakeDepDevice>
  profiles: Map<string, Record<string, unknown>>
  /** What Setup Assistant gets from Apple's activation servers for this serial: the assigned profile. */
  profileFor(serial: string): Record<string, unknown> | null
  /** Sessions handed out; `expireSessions` forgets them all, as Apple does after a while. */
  sessions: Set<string>
  expireSessions(): void
  /** The next `times` calls (not /session) answer 429 with Retry-After `seconds`. */
  rateLimit(times: number, seconds: number): void
  /** Whether the organisation accepted the latest terms (else /session is 403 T_C_NOT_SIGNED). */
  termsAccepted: boolean
  /** Milliseconds added to the fake's clock (cursor expiry). */
  advance(ms: number): void
  requests: { method: string; path: string; headers: IncomingMessage['headers']; body: string; status: number }[]
  close(): Promise<void>
}

const CURSOR_TTL_MS = 7 * 86_400_000
const pct = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/** The signature the client should have sent (RFC 5849 §3.4), computed independently of the client's code. */
function expectedSignature(
  method: string,
  url: URL,
  params: Record<string, string>,
  secrets: [string, string],
): string {
  const pairs = [...url.searchParams.entries(), ...Object.entries(params).filter(([k]) => k !== 'oauth_signature')]
    .map(([k, v]) => `${pct(k)}=${pct(v)}`)
    .sort()
  const base = `${method}&${pct(`${url.protocol}//${url.host}${url.pathname}`)}&${pct(pairs.join('&'))}`
  return createHmac('sha1', `${pct(secrets[0])}&${pct(secrets[1])}`)
    .update(base)
    .digest('base64')
}

export async function startFakeDep(opts: { now?: () => number } = {}): Promise<FakeDep> {
  let offset = 0
  const now = () => (opts.now ?? Date.now)() + offset
  const iso = () => new Date(now()).toISOString()
  const token = {
    consumer_key: `CK_${randomBytes(24).toString('hex')}`,
    consumer_secret: `CS_${randomBytes(20).toString('hex')}`,
    access_token: `AT_${randomBytes(24).toString('hex')}`,
    access_secret: `AS_${randomBytes(20).toString('hex')}`,
    access_token_expiry: new Date(now() + 365 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  }
  const devices = new Map<string, FakeDepDevice>()
  const profiles = new Map<string, Record<string, unknown>>()
  const ops: Op[] = []
  const cursors = new Map<string, Cursor>()
  const sessions = new Set<string>()
  const nonces = new Set<string>()
  const requests: FakeDep['requests'] = []
  let limited = { times: 0, seconds: 0 }
  const state = { termsAccepted: true }

  const record = (device: FakeDepDevice, op_type: Op['op_type']) =>
    ops.push({ seq: ops.length + 1, device: { ...device }, op_type, op_date: iso() })

  const newCursor = (c: Omit<Cursor, 'issuedAt'>): string => {
    const id = randomBytes(24).toString('base64url')
    cursors.set(id, { ...c, issuedAt: now() })
    return id
  }

  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const answer = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body)
    res.writeHead(status, {
      'content-type': typeof body === 'string' ? 'text/plain;charset=UTF8' : 'application/json;charset=UTF8',
      ...headers,
    })
    res.end(text)
    return status
  }

  const session = (req: IncomingMessage, res: ServerResponse, target: URL): number => {
    const header = String(req.headers.authorization ?? '')
    if (!header.startsWith('OAuth ')) return answer(res, 400, 'Missing required authorization parameter')
    const params: Record<string, string> = {}
    for (const part of header.slice(6).split(',')) {
      const m = /^\s*([a-z_]+)="([^"]*)"\s*$/.exec(part)
      if (!m) return answer(res, 400, 'Unsupported OAuth parameters')
      if ((m[1] as string) in params) return answer(res, 400, 'Duplicated OAuth protocol parameter')
      params[m[1] as string] = decodeURIComponent(m[2] as string)
    }
    if (params['oauth_signature_method'] !== 'HMAC-SHA1') return answer(res, 400, 'Unsupported signature method')
    for (const k of ['oauth_consumer_key', 'oauth_token', 'oauth_nonce', 'oauth_timestamp', 'oauth_signature'])
      if (!params[k]) return answer(res, 400, 'Missing required authorization parameter')
    if (params['oauth_consumer_key'] !== token.consumer_key) return answer(res, 401, 'Invalid consumer key')
    if (params['oauth_token'] !== token.access_token) return answer(res, 401, 'Invalid or expired token')
    const sig = expectedSignature(req.method as string, target, params, [token.consumer_secret, token.access_secret])
    if (sig !== params['oauth_signature']) return answer(res, 401, 'Invalid signature')
    if (nonces.has(params['oauth_nonce'] as string))
      return answer(res, 401, 'Invalid or already-used anti-replay value')
    nonces.add(params['oauth_nonce'] as string)
    if (!state.termsAccepted) return answer(res, 403, 'T_C_NOT_SIGNED')
    const t = `${randomUUID()}`
    sessions.add(t)
    return answer(res, 200, { auth_session_token: t })
  }

  const page = (serialsOrOps: FakeDepDevice[] | Op[], limit: number) => serialsOrOps.slice(0, limit)

  const deviceList = (body: Record<string, unknown>, res: ServerResponse, sync: boolean): number => {
    const limit = typeof body['limit'] === 'number' ? body['limit'] : 100
    if (!Number.isInteger(limit) || limit < 1) return answer(res, 400, 'INVALID_LIMIT')
    const take = Math.min(limit, 1000)
    const cursorId = typeof body['cursor'] === 'string' ? body['cursor'] : undefined
    if (sync && !cursorId) return answer(res, 400, 'CURSOR_REQUIRED')
    const c = cursorId === undefined ? null : cursors.get(cursorId)
    if (cursorId !== undefined && !c) return answer(res, 400, 'INVALID_CURSOR')
    if (c && now() - c.issuedAt > CURSOR_TTL_MS) return answer(res, 400, 'EXPIRED_CURSOR')
    if (!sync) {
      const fetch = c ?? { kind: 'fetch' as const, serials: [...devices.keys()], offset: 0, seq: ops.length }
      if (fetch.kind !== 'fetch' || fetch.offset >= (fetch.serials?.length ?? 0)) {
        if (c) return answer(res, 400, 'EXHAUSTED_CURSOR')
      }
      const serials = fetch.serials ?? []
      const slice = serials.slice(fetch.offset, fetch.offset + take)
      const nextOffset = fetch.offset + slice.length
      const more = nextOffset < serials.length
      const cursor = newCursor({ kind: 'fetch', serials, offset: nextOffset, seq: fetch.seq })
      const list = slice.flatMap(s => (devices.has(s) ? [devices.get(s) as FakeDepDevice] : []))
      return answer(res, 200, { cursor, devices: page(list, take), fetched_until: iso(), more_to_follow: more })
    }
    const after = (c as Cursor).seq
    const changes = ops.filter(o => o.seq > after).slice(0, take)
    const last = changes.at(-1)?.seq ?? after
    const more = ops.some(o => o.seq > last)
    const cursor = newCursor({ kind: 'sync', offset: 0, seq: last })
    return answer(res, 200, {
      cursor,
      devices: changes.map(o => ({ ...o.device, op_type: o.op_type, op_date: o.op_date })),
      fetched_until: iso(),
      more_to_follow: more,
    })
  }

  const defineProfile = (body: Record<string, unknown>, res: ServerResponse): number => {
    if (typeof body['profile_name'] !== 'string' || !body['profile_name'])
      return answer(res, 400, 'PROFILE_NAME_REQUIRED')
    if (typeof body['url'] !== 'string' || !body['url']) return answer(res, 400, 'CONFIG_URL_REQUIRED')
    if (body['is_mdm_removable'] === false && body['is_supervised'] === false) return answer(res, 400, 'FLAGS_INVALID')
    const uuid = randomUUID().replace(/-/g, '').toUpperCase()
    const { devices: serials, ...profile } = body
    profiles.set(uuid, profile)
    return answer(res, 200, {
      profile_uuid: uuid,
      devices: assign(uuid, Array.isArray(serials) ? (serials as string[]) : []),
    })
  }

  const assign = (uuid: string, serials: string[]): Record<string, string> => {
    const out: Record<string, string> = {}
    for (const s of serials) {
      const d = devices.get(s)
      if (!d) {
        out[s] = 'NOT_ACCESSIBLE'
        continue
      }
      Object.assign(d, { profile_uuid: uuid, profile_status: 'assigned', profile_assign_time: iso() })
      record(d, 'modified')
      out[s] = 'SUCCESS'
    }
    return out
  }

  const handle = async (req: IncomingMessage, res: ServerResponse, raw: string): Promise<number> => {
    const target = new URL(req.url ?? '/', url)
    const route = `${req.method} ${target.pathname}`
    if (!req.headers['user-agent']) return answer(res, 400, 'USER_AGENT_MISSING')
    if (route === 'GET /session') return session(req, res, target)
    const t = String(req.headers['x-adm-auth-session'] ?? '')
    if (!t || !sessions.has(t)) return answer(res, 401, 'UNAUTHORIZED')
    if (limited.times > 0) {
      limited.times--
      return answer(res, 429, 'TOO_MANY_REQUESTS', { 'retry-after': String(limited.seconds) })
    }
    let body: Record<string, unknown> = {}
    if (raw) {
      try {
        body = JSON.parse(raw) as Record<string, unknown>
      } catch {
        return answer(res, 400, 'MALFORMED_REQUEST_BODY')
      }
    }
    switch (route) {
      case 'GET /account':
        return answer(res, 200, {
          server_name: 'JIT Mapper (test)',
          server_uuid: 'A1B2C3D4E5F60718293A4B5C6D7E8F90',
          admin_id: 'admin@example.test',
          facilitator_id: 'admin@example.test',
          org_name: 'Example Org',
          org_email: 'it@example.test',
          org_phone: '+1 555 0100',
          org_address: '1 Infinite Loop',
          org_id: '1234567',
          org_type: 'org',
          org_version: 'v2',
          urls: [],
        })
      case 'POST /server/devices':
        return deviceList(body, res, false)
      case 'POST /devices/sync':
        return deviceList(body, res, true)
      case 'POST /profile':
        return defineProfile(body, res)
      case 'GET /profile': {
        const p = profiles.get(target.searchParams.get('profile_uuid') ?? '')
        return p ? answer(res, 200, p) : answer(res, 400, 'PROFILE_NOT_FOUND')
      }
      case 'PUT /profile/devices':
      case 'POST /profile/devices': {
        const uuid = String(body['profile_uuid'] ?? '')
        if (!profiles.has(uuid)) return answer(res, 404, 'PROFILE_NOT_FOUND')
        const serials = Array.isArray(body['devices']) ? (body['devices'] as string[]) : []
        if (serials.length === 0) return answer(res, 400, 'DEVICE_ID_REQUIRED')
        return answer(res, 200, { profile_uuid: uuid, devices: assign(uuid, serials) })
      }
      case 'DELETE /profile/devices': {
        const serials = Array.isArray(body['devices']) ? (body['devices'] as string[]) : []
        const out: Record<string, string> = {}
        for (const s of serials) {
          const d = devices.get(s)
          if (!d) {
            out[s] = 'NOT_ACCESSIBLE'
            continue
          }
          d.profile_uuid = undefined
          d.profile_status = 'removed'
          record(d, 'modified')
          out[s] = 'SUCCESS'
        }
        return answer(res, 200, { devices: out })
      }
      default:
        return answer(res, 404, 'NOT_FOUND')
    }
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      handle(req, res, raw).then(
        status =>
          requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: raw, status }),
        (e: unknown) => answer(res, 500, String(e)),
      )
    })
  })

  return {
    url,
    token,
    serverTokenFile(certPem) {
      const json = JSON.stringify(token)
      const inner = `Content-Type: text/plain;charset=UTF-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n-----BEGIN MESSAGE-----\r\n${json}\r\n-----END MESSAGE-----\r\n`
      const p7 = forge.pkcs7.createEnvelopedData()
      p7.addRecipient(forge.pki.certificateFromPem(certPem))
      p7.content = forge.util.createBuffer(inner)
      p7.encrypt()
      const der = Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary')
      return [
        'Content-Type: application/pkcs7-mime; name=smime.p7m; smime-type=enveloped-data',
        'Content-Transfer-Encoding: base64',
        'Content-Disposition: attachment; filename=smime.p7m',
        'Content-Description: S/MIME Encrypted Message',
        '',
        der.toString('base64').replace(/(.{64})/g, '$1\n'),
      ].join('\n')
    },
    addDevice(d) {
      const device: FakeDepDevice = {
        model: 'iPhone 16',
        description: 'IPHONE 16 BLACK 128GB',
        color: 'BLACK',
        device_family: 'iPhone',
        os: 'iOS',
        profile_status: 'empty',
        device_assigned_date: iso(),
        device_assigned_by: 'admin@example.test',
        ...d,
      }
      devices.set(device.serial_number, device)
      record(device, 'added')
      return device
    },
    removeDevice(serial) {
      const d = devices.get(serial)
      if (!d) return
      devices.delete(serial)
      record(d, 'deleted')
    },
    devices,
    profiles,
    profileFor(serial) {
      const d = devices.get(serial)
      return d?.profile_uuid ? (profiles.get(d.profile_uuid) ?? null) : null
    },
    sessions,
    expireSessions: () => sessions.clear(),
    rateLimit(times, seconds) {
      limited = { times, seconds }
    },
    get termsAccepted() {
      return state.termsAccepted
    },
    set termsAccepted(v: boolean) {
      state.termsAccepted = v
    },
    advance(ms) {
      offset += ms
    },
    requests,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    },
  }
}

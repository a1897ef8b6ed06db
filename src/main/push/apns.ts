// APNs MDM wake-ups through @parse/node-apn over one HTTP/2 mutual-TLS connection per push
// certificate. The payload is exactly {"mdm": PushMagic} with push type mdm and the topic from
// the certificate's UID (Apple, "Sending MDM commands to a device"). The library's own retry
// is off: it retries 429/5xx at once, and its Retry-After is always 0 because it reads
// 'Retry-After' while Node lowercases HTTP/2 header names (@parse/node-apn 8.1.0); the outbox retries.
import apn from '@parse/node-apn'
import type { ClientHttp2Session } from 'node:http2'
import type { Clock } from '../ports'
import { classifyApns } from './apns-reasons'
import { pushCertificateInfo } from './certificate'
import type { PushTransport, WakeOutcome, WakeTarget } from './transport'
import { errorMessage } from '../../shared/errors'

export interface ApnsCredentials {
  certPem: string
  keyPem: string
}

export interface ApnsOptions {
  /** Reads the push certificate and key (from the secrets port) when a connection is made. */
  credentials: () => Promise<ApnsCredentials | null>
  clock: Clock
  /** Loopback tests point this at a fake; production uses api.push.apple.com. */
  address?: string
  port?: number
  ca?: string[]
  /** How long APNs stores the wake-up for an offline device. */
  expirySeconds?: number
}

export interface ApnsTransport extends PushTransport {
  close(): Promise<void>
}

interface Failure {
  device: string
  status?: number
  response?: { reason?: string; timestamp?: number }
  error?: Error
}

const TRANSPORT = 'apns'

export function createApnsTransport(o: ApnsOptions): ApnsTransport {
  let current: { provider: apn.Provider; certPem: string; topic: string } | null = null
  // Retry-After by request path, read from the raw HTTP/2 response headers: the library reads
  // headers['Retry-After'] (HTTP/2 lowercases names) and then deletes it before returning.
  const retryAfter = new Map<string, number>()
  // APNs may close the connection with a GOAWAY whose debug data is {"reason": …} (NanoMDM
  // decodes it as the push error); node-apn only logs it, so keep it for the failures it causes.
  let goawayReason: string | null = null

  const watch = (provider: apn.Provider): void => {
    const client = (provider as unknown as { client: { connect(): Promise<void>; session?: ClientHttp2Session } })
      .client
    const connect = client.connect.bind(client)
    client.connect = async () => {
      await connect()
      const session = client.session
      if (!session || (session as { watched?: boolean }).watched) return
      ;(session as { watched?: boolean }).watched = true
      session.on('goaway', (_code: number, _last: number, data?: Buffer) => {
        try {
          goawayReason = (JSON.parse(data?.toString('utf8') ?? '') as { reason?: string }).reason ?? 'GOAWAY'
        } catch {
          goawayReason = 'GOAWAY'
        }
      })
      const request = session.request.bind(session)
      session.request = ((headers: Record<string, string>, options?: object) => {
        const stream = request(headers, options)
        stream.on('response', h => {
          const value = h['retry-after']
          if (typeof value === 'string') {
            const seconds = Number(value)
            const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - o.clock.now().getTime()
            if (ms > 0) retryAfter.set(String(headers[':path']), ms)
          }
        })
        return stream
      }) as typeof session.request
    }
  }

  const providerFor = async (): Promise<{ provider: apn.Provider; topic: string } | string> => {
    const creds = await o.credentials()
    if (!creds) return 'No MDM push certificate is configured; upload it under Settings → Push credentials'
    if (current?.certPem === creds.certPem) return current
    if (current) await current.provider.shutdown()
    const topic = pushCertificateInfo(creds.certPem, o.clock.now()).topic
    const provider = new apn.Provider({
      cert: creds.certPem,
      key: creds.keyPem,
      ca: o.ca,
      address: o.address,
      port: o.port,
      // A real MDM push certificate carries only the APNs production extension (OID
      // 1.2.840.113635.100.6.3.2), not the development one (6.3.1), as Apple-issued ones show.
      production: o.address === undefined,
      connectionRetryLimit: 0,
    })
    watch(provider)
    current = { provider, certPem: creds.certPem, topic }
    return current
  }

  const failure = (f: Failure, path: string): WakeOutcome => {
    const status = typeof f.status === 'number' ? f.status : null
    const transportReason = goawayReason
      ? `connection closed by APNs: ${goawayReason}; ${f.error?.message ?? ''}`.replace(/; $/, '')
      : (f.error?.message ?? null)
    const reason =
      f.response?.reason ?? (status === null ? transportReason : status === 500 ? 'InternalServerError' : null)
    const c = classifyApns(status, reason)
    const after = retryAfter.get(path)
    retryAfter.delete(path)
    return {
      ok: false,
      transport: TRANSPORT,
      reason: c.reason,
      disposition: c.disposition,
      ...(after ? { retryAfterMs: after } : {}),
      ...(typeof f.response?.timestamp === 'number'
        ? { invalidSince: new Date(f.response.timestamp).toISOString() }
        : {}),
    }
  }

  const wakeOne = async (provider: apn.Provider, topic: string, t: WakeTarget): Promise<WakeOutcome> => {
    if (!t.pushMagic)
      return {
        ok: false,
        transport: TRANSPORT,
        reason: 'The device has not sent its PushMagic (no TokenUpdate yet)',
        disposition: 'rejected',
      }
    if (t.pushTopic && t.pushTopic !== topic) {
      return {
        ok: false,
        transport: TRANSPORT,
        reason: `The device registered for topic ${t.pushTopic}, but the push certificate is for ${topic}; re-enroll the device or upload the matching certificate`,
        disposition: 'rejected',
      }
    }
    const n = new apn.Notification()
    n.topic = topic
    n.mdm = t.pushMagic
    n.pushType = 'mdm'
    n.priority = 10
    n.expiry = Math.floor(o.clock.now().getTime() / 1000) + (o.expirySeconds ?? 86_400)
    const { failed } = await provider.send(n, t.pushToken)
    const f = failed[0] as Failure | undefined
    if (!f) goawayReason = null
    return f ? failure(f, `/3/device/${t.pushToken}`) : { ok: true, transport: TRANSPORT }
  }

  return {
    async send(targets) {
      const p = await providerFor().catch(
        (e: unknown) => `The MDM push certificate or its key cannot be used: ${errorMessage(e)}`,
      )
      if (typeof p === 'string')
        return targets.map(() => ({ ok: false, transport: TRANSPORT, reason: p, disposition: 'credentials' as const }))
      return Promise.all(targets.map(t => wakeOne(p.provider, p.topic, t)))
    },
    async close() {
      if (current) await current.provider.shutdown()
      current = null
    },
  }
}

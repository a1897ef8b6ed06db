// A local APNs: HTTP/2 only, mutual TLS with the push certificate, Apple's statuses and
// reasons ("Handling notification responses from APNs"). Tests script an answer per device
// token; everything else gets 200 with an apns-id. Every request is recorded and announced.
import { randomUUID } from 'node:crypto'
import { EventEmitter, once } from 'node:events'
import http2 from 'node:http2'
import type { AddressInfo } from 'node:net'
import type { TLSSocket } from 'node:tls'
import type { TestPki } from './pki'

export interface ApnsRequest {
  token: string
  headers: Record<string, string | string[] | undefined>
  body: string
  certTopic: string | undefined
}

export interface ScriptedAnswer {
  /** Close the connection with an HTTP/2 GOAWAY carrying {"reason": goaway} instead of answering. */
  goaway?: string
  status: number
  reason?: string
  timestamp?: number
  retryAfter?: string
}

export interface FakeApns {
  port: number
  requests: ApnsRequest[]
  /** Answers the next `times` pushes to this token with `answer` (default: every push). */
  script(token: string, answer: ScriptedAnswer, times?: number): void
  /** Resolves with the next push to this token. */
  nextPush(token: string): Promise<ApnsRequest>
  close(): Promise<void>
}

export async function startFakeApns(pki: TestPki): Promise<FakeApns> {
  const requests: ApnsRequest[] = []
  const scripts = new Map<string, { answer: ScriptedAnswer; left: number }>()
  const events = new EventEmitter()
  events.setMaxListeners(0)
  const server = http2.createSecureServer({
    key: pki.server.keyPem,
    cert: pki.server.certPem,
    ca: [pki.caPem],
    requestCert: true,
    rejectUnauthorized: true,
    allowHTTP1: false,
  })
  server.on('stream', (stream, headers) => {
    let body = ''
    stream.setEncoding('utf8')
    stream.on('data', (d: string) => (body += d))
    stream.on('end', () => {
      const reply = (status: number, json?: object, extra: Record<string, string> = {}) => {
        stream.respond({ ':status': status, 'apns-id': String(headers['apns-id'] ?? randomUUID()), ...extra })
        stream.end(json ? JSON.stringify(json) : undefined)
      }
      const certTopic = (stream.session?.socket as TLSSocket | undefined)?.getPeerCertificate().subject?.UID as
        | string
        | undefined
      const m = /^\/3\/device\/([0-9a-fA-F]+)$/.exec(String(headers[':path']))
      if (headers[':method'] !== 'POST') return reply(405, { reason: 'MethodNotAllowed' })
      if (!m) return reply(404, { reason: 'BadPath' })
      if (Buffer.byteLength(body) > 4096) return reply(413, { reason: 'PayloadTooLarge' })
      if (headers['apns-topic'] && headers['apns-topic'] !== certTopic) return reply(400, { reason: 'TopicDisallowed' })
      if (body === '' || body === '{}') return reply(400, { reason: 'PayloadEmpty' })
      const token = (m[1] as string).toLowerCase()
      const record: ApnsRequest = { token, headers: { ...headers }, body, certTopic }
      requests.push(record)
      const s = scripts.get(token)
      if (s && s.left > 0) {
        s.left--
        if (s.answer.goaway) {
          stream.session?.goaway(
            http2.constants.NGHTTP2_NO_ERROR,
            0,
            Buffer.from(JSON.stringify({ reason: s.answer.goaway })),
          )
          // Closing with an error code makes the server's own stream emit that error; expected here.
          stream.once('error', () => {})
          stream.close(http2.constants.NGHTTP2_REFUSED_STREAM)
          return
        }
        const { status, reason, timestamp, retryAfter } = s.answer
        reply(
          status,
          { reason, ...(timestamp !== undefined ? { timestamp } : {}) },
          retryAfter ? { 'retry-after': retryAfter } : {},
        )
      } else {
        reply(200)
        events.emit(`push:${token}`, record)
      }
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const sessions = new Set<http2.ServerHttp2Session>()
  server.on('session', s => {
    sessions.add(s)
    s.on('close', () => sessions.delete(s))
  })
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    script: (token, answer, times = Number.POSITIVE_INFINITY) =>
      void scripts.set(token.toLowerCase(), { answer, left: times }),
    nextPush: async token => (await once(events, `push:${token.toLowerCase()}`))[0] as ApnsRequest,
    close: async () => {
      for (const s of sessions) s.destroy()
      await new Promise<void>(resolve => server.close(() => resolve()))
    },
  }
}

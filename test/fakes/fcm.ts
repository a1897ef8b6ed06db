// A local FCM HTTP v1 endpoint and Google OAuth token endpoint on one TLS port (HTTP/2 and
// HTTP/1.1: sendEach speaks h2, the token request h1). POST /token takes the service account's
// JWT-bearer assertion (verified against its public key) and returns an access token;
// POST /v1/projects/<p>/messages:send requires it and answers as FCM documents, with scripted
// errors per token ({error:{code,status,details:[FcmError]}}).
import { randomUUID } from 'node:crypto'
import { EventEmitter, once } from 'node:events'
import https from 'node:https'
import http2 from 'node:http2'
import type { AddressInfo } from 'node:net'
import tls from 'node:tls'
import { importSPKI, jwtVerify } from 'jose'
import type { TestPki } from './pki'

export interface FcmMessage {
  token: string
  data?: Record<string, string>
  android?: { priority?: string; ttl?: string }
  notification?: unknown
}

export interface FcmError {
  httpStatus: number
  status: string
  errorCode?: string
  retryAfter?: string
}

export interface FakeFcm {
  port: number
  projectId: string
  /** The service account JSON the app stores as its secret. */
  serviceAccount: string
  messages: FcmMessage[]
  tokensIssued: number
  script(token: string, error: FcmError, times?: number): void
  nextMessage(token: string): Promise<FcmMessage>
  /** An https.Agent that routes fcm.googleapis.com and oauth2.googleapis.com here. */
  agent: https.Agent
  /**
   * Routes firebase-admin's HTTP/2 session (which takes no agent) here and fixes the
   * ':scheme: https:' it sends (firebase-admin-node #2865), which nghttp2 servers reset.
   */
  redirectHttp2(): () => void
  close(): Promise<void>
}

export async function startFakeFcm(pki: TestPki, saKey: { keyPem: string; publicPem: string }): Promise<FakeFcm> {
  const projectId = 'demo-jit-mapper'
  const clientEmail = `push@${projectId}.iam.gserviceaccount.com`
  const messages: FcmMessage[] = []
  const scripts = new Map<string, { error: FcmError; left: number }>()
  const events = new EventEmitter()
  events.setMaxListeners(0)
  const accessTokens = new Set<string>()
  const publicKey = await importSPKI(saKey.publicPem, 'RS256')
  let tokensIssued = 0

  const server = http2.createSecureServer({ key: pki.server.keyPem, cert: pki.server.certPem, allowHTTP1: true })
  server.on('request', (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (d: string) => (body += d))
    req.on('end', () => {
      const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers })
        res.end(JSON.stringify(value))
      }
      void (async () => {
        if (req.method === 'POST' && req.url === '/token') {
          const form = new URLSearchParams(body)
          if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
            return json(400, { error: 'unsupported_grant_type' })
          try {
            await jwtVerify(form.get('assertion') ?? '', publicKey, {
              issuer: clientEmail,
              audience: 'https://oauth2.googleapis.com/token',
            })
          } catch (e) {
            return json(400, { error: 'invalid_grant', error_description: String(e) })
          }
          const token = `ya29.${randomUUID()}`
          accessTokens.add(token)
          tokensIssued++
          return json(200, { access_token: token, expires_in: 3599, token_type: 'Bearer' })
        }
        const m = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(req.url)
        if (req.method !== 'POST' || !m)
          return json(404, { error: { code: 404, status: 'NOT_FOUND', message: `No route ${req.method} ${req.url}` } })
        const auth = String(req.headers.authorization ?? '')
        if (!auth.startsWith('Bearer ') || !accessTokens.has(auth.slice(7))) {
          return json(401, {
            error: { code: 401, status: 'UNAUTHENTICATED', message: 'Request had invalid authentication credentials.' },
          })
        }
        const message = (JSON.parse(body) as { message: FcmMessage }).message
        const s = scripts.get(message.token)
        if (s && s.left > 0) {
          s.left--
          const e = s.error
          return json(
            e.httpStatus,
            {
              error: {
                code: e.httpStatus,
                status: e.status,
                message: `${e.status} (scripted)`,
                details: e.errorCode
                  ? [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: e.errorCode }]
                  : [],
              },
            },
            e.retryAfter ? { 'retry-after': e.retryAfter } : {},
          )
        }
        messages.push(message)
        events.emit(`message:${message.token}`, message)
        return json(200, { name: `projects/${m[1]}/messages/${randomUUID()}` })
      })()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as AddressInfo).port
  const sessions = new Set<http2.ServerHttp2Session>()
  server.on('session', s => {
    sessions.add(s)
    s.on('close', () => sessions.delete(s))
  })

  const route = routeFcmTo(port, pki.caPem)

  return {
    port,
    projectId,
    serviceAccount: JSON.stringify({
      type: 'service_account',
      project_id: projectId,
      private_key_id: 'k1',
      private_key: saKey.keyPem,
      client_email: clientEmail,
      token_uri: 'https://oauth2.googleapis.com/token',
    }),
    messages,
    get tokensIssued() {
      return tokensIssued
    },
    script: (token, error, times = Number.POSITIVE_INFINITY) => void scripts.set(token, { error, left: times }),
    nextMessage: async token => (await once(events, `message:${token}`))[0] as FcmMessage,
    agent: route.agent,
    redirectHttp2: route.redirectHttp2,
    close: async () => {
      route.agent.destroy()
      for (const s of sessions) s.destroy()
      await new Promise<void>(resolve => server.close(() => resolve()))
    },
  }
}

/**
 * Routes Google's FCM and OAuth hosts to a loopback port: an https.Agent for the HTTP/1.1
 * requests, and a wrapper of http2.connect for firebase-admin's HTTP/2 session (which takes no
 * agent), fixing the ':scheme: https:' it sends (firebase-admin-node #2865) that nghttp2 resets.
 */
export function routeFcmTo(port: number, caPem: string): { agent: https.Agent; redirectHttp2(): () => void } {
  const agent = new (class extends https.Agent {
    override createConnection(options: https.RequestOptions) {
      return tls.connect({
        ...(options as tls.ConnectionOptions),
        host: '127.0.0.1',
        port,
        servername: String(options.servername ?? options.host),
        ca: [caPem],
      })
    }
  })({ keepAlive: true })
  return {
    agent,
    redirectHttp2() {
      const original = http2.connect
      const patched = ((authority: string | URL, options?: http2.SecureClientSessionOptions, listener?: () => void) => {
        if (String(authority).startsWith('https://fcm.googleapis.com')) {
          const session = original(
            `https://127.0.0.1:${port}`,
            { ...options, servername: 'fcm.googleapis.com', ca: [caPem] },
            listener,
          )
          const request = session.request.bind(session)
          session.request = ((headers: http2.OutgoingHttpHeaders, opts?: http2.ClientSessionRequestOptions) =>
            request({ ...headers, ':scheme': 'https' }, opts)) as typeof session.request
          return session
        }
        return original(authority, options as http2.SecureClientSessionOptions, listener)
      }) as typeof http2.connect
      http2.connect = patched
      return () => {
        if (http2.connect === patched) http2.connect = original
      }
    },
  }
}

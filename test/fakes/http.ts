// The plumbing every IdP fake shares: a plain HTTP server on 127.0.0.1 (random port), a
// request log, and fault injection. Faults are queued with a matcher and a count; each
// matching request consumes one, so a test can say "the third page fails with a 503".
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type Fault =
  /** An HTTP error status, with Retry-After (seconds) when given. */
  | { kind: 'status'; status: number; retryAfter?: number; body?: unknown }
  /** Headers and half a body, then the TCP connection is destroyed. */
  | { kind: 'reset' }
  /** 200 with a body that is not valid JSON. */
  | { kind: 'malformed' }
  /** The real answer, after a delay. */
  | { kind: 'slow'; ms: number }

export interface FaultRule {
  fault: Fault
  /** Substring of the request path (with query) that this fault applies to. */
  path?: string
  /** Matching requests to let through before the fault starts. */
  skip: number
  /** How many matching requests fail (Infinity: all of them). */
  times: number
}

export interface LoggedRequest {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
}

export interface FakeRequest {
  method: string
  url: URL
  headers: IncomingMessage['headers']
  body: string
}

export interface FakeResponse {
  status: number
  headers?: Record<string, string>
  body?: unknown
}

export interface FakeServer {
  url: string
  port: number
  requests: LoggedRequest[]
  /** Queues a fault for the next matching requests. */
  inject(fault: Fault, opts?: { path?: string; skip?: number; times?: number }): void
  clearFaults(): void
  close(): Promise<void>
}

export async function startFakeServer(
  handle: (req: FakeRequest) => FakeResponse | Promise<FakeResponse>,
): Promise<FakeServer> {
  const rules: FaultRule[] = []
  const requests: LoggedRequest[] = []
  const sockets = new Set<import('node:net').Socket>()

  const send = (res: ServerResponse, r: FakeResponse) => {
    const body = r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body)
    res.writeHead(r.status, { 'content-type': 'application/json; charset=utf-8', ...(r.headers ?? {}) })
    res.end(body)
  }

  const takeFault = (path: string): Fault | undefined => {
    for (const rule of rules) {
      if (rule.path !== undefined && !path.includes(rule.path)) continue
      if (rule.skip > 0) {
        rule.skip--
        continue
      }
      if (rule.times <= 0) continue
      rule.times--
      return rule.fault
    }
    return undefined
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const path = req.url ?? '/'
      requests.push({ method: req.method ?? 'GET', url: path, headers: req.headers, body })
      const fault = takeFault(decodeURIComponent(path))
      void (async () => {
        if (fault?.kind === 'status') {
          const headers: Record<string, string> =
            fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) }
          return send(res, {
            status: fault.status,
            headers,
            body: fault.body ?? { error: { code: 'injected', message: `Injected ${fault.status}` } },
          })
        }
        if (fault?.kind === 'reset') {
          res.writeHead(200, { 'content-type': 'application/json' })
          res.write('{"value":[{"id":"')
          // Let the partial body reach the client before the connection dies.
          setImmediate(() => req.socket.destroy())
          return
        }
        if (fault?.kind === 'malformed') return send(res, { status: 200, body: '{"value": [ {"id": "truncated' })
        if (fault?.kind === 'slow') await new Promise(r => setTimeout(r, fault.ms))
        const url = new URL(path, 'http://127.0.0.1')
        send(res, await handle({ method: req.method ?? 'GET', url, headers: req.headers, body }))
      })().catch((e: unknown) => {
        if (!res.headersSent)
          send(res, {
            status: 500,
            body: { error: { code: 'fakeBug', message: e instanceof Error ? e.stack : String(e) } },
          })
      })
    })
  })
  server.on('connection', s => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    inject(fault, opts = {}) {
      rules.push({ fault, path: opts.path, skip: opts.skip ?? 0, times: opts.times ?? 1 })
    },
    clearFaults() {
      rules.length = 0
    },
    close: () =>
      new Promise<void>(resolve => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

export const b64url = (s: string): string => Buffer.from(s).toString('base64url')
export const unb64url = (s: string): string => Buffer.from(s, 'base64url').toString('utf8')

/** Reads an application/x-www-form-urlencoded body. */
export const form = (body: string): URLSearchParams => new URLSearchParams(body)

// The loopback host: serves the built renderer and the contract over HTTP to a browser, for
// `jit-mapper demo` and the end-to-end tests. It binds 127.0.0.1 only.
//
// What needs the per-launch secret: every API call and the event stream, which must carry it in
// the x-jit-mapper-secret header (never a cookie: cookies reach every port of 127.0.0.1), come
// from this origin (Origin / Sec-Fetch-Site) and address the host by its loopback name (DNS
// rebinding). The renderer's files are the public build and hold no data; a page opened with a
// wrong ?secret= is refused at once.
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { readFile, realpath } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, sep } from 'node:path'
import type { App } from '../app'
import { EVENT_NAMES } from '../../shared/channels'
import { BRIDGE_SCRIPT, SECRET_HEADER } from './bridge-script'
import { internalError } from '../boundary'

export interface HostOptions {
  app: App
  rendererDir: string
  port?: number
  secret?: string
  /** Limits, for tests; the defaults suit one admin's browser. */
  limits?: Partial<HostLimits>
}

export interface HostLimits {
  /** The largest API body (a directory file import): 80 MiB. */
  maxBodyBytes: number
  /** A body over this many bytes (or of unknown length) is large: 1 MiB. */
  largeBodyBytes: number
  /** Large bodies read at the same time: 2. */
  concurrentLargeBodies: number
  /** Open event streams: 16 (a few tabs). */
  eventStreams: number
}

const DEFAULT_LIMITS: HostLimits = {
  maxBodyBytes: 80 * 1024 * 1024,
  largeBodyBytes: 1024 * 1024,
  concurrentLargeBodies: 2,
  eventStreams: 16,
}

export interface Host {
  url: string
  port: number
  secret: string
  close(): Promise<void>
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
}

const sameSecret = (a: string, b: string): boolean => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

const HEADERS = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff' }

const json = (res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void => {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...HEADERS,
    ...extra,
  })
  res.end(text)
}

class HostError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }
}

/** Decodes a percent-encoded path; a bad escape is the client's error (400), not ours. */
const decodePath = (path: string): string => {
  try {
    return decodeURIComponent(path)
  } catch {
    throw new HostError(400, 'BAD_INPUT', `The path ${JSON.stringify(path.slice(0, 200))} has a bad percent-escape.`)
  }
}

/** The path and query of an origin-form request target; anything else is a 400. */
const parseTarget = (raw: string | undefined): { pathname: string; searchParams: URLSearchParams } => {
  const target = raw ?? ''
  if (!target.startsWith('/') || target.startsWith('//'))
    throw new HostError(400, 'BAD_INPUT', 'The request target must be a path starting with a single "/".')
  const q = target.indexOf('?')
  return {
    pathname: q < 0 ? target : target.slice(0, q),
    searchParams: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)),
  }
}

export async function startHost({
  app,
  rendererDir,
  port = 0,
  secret = randomBytes(32).toString('base64url'),
  limits: given = {},
}: HostOptions): Promise<Host> {
  const limits = { ...DEFAULT_LIMITS, ...given }
  const root = normalize(rendererDir + sep)
  const realRoot = normalize((await realpath(rendererDir)) + sep)
  let boundPort = port
  const streams = new Set<ServerResponse>()
  let largeBodies = 0

  const readBody = async (req: IncomingMessage): Promise<string> => {
    const declared = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length'])
    if (declared !== null && declared > limits.maxBodyBytes)
      throw new HostError(
        413,
        'TOO_LARGE',
        `The request body is ${declared} bytes; the limit is ${limits.maxBodyBytes}.`,
      )
    const large = declared === null || declared > limits.largeBodyBytes
    if (large && largeBodies >= limits.concurrentLargeBodies)
      throw new HostError(503, 'BUSY', 'Another large request is being read; try again in a moment.', {
        'retry-after': '1',
      })
    if (large) largeBodies++
    try {
      const chunks: Buffer[] = []
      let size = 0
      for await (const chunk of req) {
        size += (chunk as Buffer).length
        if (size > limits.maxBodyBytes)
          throw new HostError(413, 'TOO_LARGE', `The request body exceeds ${limits.maxBodyBytes} bytes.`)
        chunks.push(chunk as Buffer)
      }
      return Buffer.concat(chunks).toString('utf8')
    } finally {
      if (large) largeBodies--
    }
  }

  const serveStatic = async (res: ServerResponse, pathname: string): Promise<void> => {
    const file = normalize(join(root, pathname === '/' ? 'index.html' : decodePath(pathname)))
    if (!file.startsWith(root)) throw new HostError(404, 'NOT_FOUND', 'No such file.')
    let body: Buffer
    try {
      // A symlink inside the renderer folder must not lead out of it.
      if (!(await realpath(file)).startsWith(realRoot)) throw new Error('outside')
      body = await readFile(file)
    } catch {
      throw new HostError(404, 'NOT_FOUND', `No such file: ${pathname.slice(0, 200)}`)
    }
    const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream'
    if (file.endsWith('index.html')) {
      // The bridge must exist before the app's module script runs.
      body = Buffer.from(body.toString('utf8').replace('<head>', '<head>\n    <script src="/__bridge.js"></script>'))
    }
    res.writeHead(200, { 'content-type': type, ...HEADERS, 'cache-control': 'no-cache' })
    res.end(body)
  }

  /** The API and event stream: the secret header, from a page of this origin. */
  const authorize = (req: IncomingMessage): void => {
    const presented = req.headers[SECRET_HEADER]
    if (typeof presented !== 'string' || !sameSecret(presented, secret))
      throw new HostError(
        401,
        'UNAUTHORIZED',
        'Open the URL printed by `jit-mapper demo` or `jit-mapper serve`: it carries the launch secret.',
      )
    const origin = req.headers.origin
    if (
      origin !== undefined &&
      origin !== `http://127.0.0.1:${boundPort}` &&
      origin !== `http://localhost:${boundPort}`
    )
      throw new HostError(403, 'UNAUTHORIZED', `Requests from ${origin.slice(0, 200)} are not allowed.`)
    const site = req.headers['sec-fetch-site']
    if (site !== undefined && site !== 'same-origin')
      throw new HostError(403, 'UNAUTHORIZED', 'Only this page may call the API (Sec-Fetch-Site).')
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const host = req.headers.host ?? ''
    // A page on another site that resolves its name to 127.0.0.1 (DNS rebinding) carries its own Host.
    if (host !== `127.0.0.1:${boundPort}` && host !== `localhost:${boundPort}`)
      throw new HostError(403, 'UNAUTHORIZED', 'Requests must address the host as 127.0.0.1.')
    const url = parseTarget(req.url)
    const offered = url.searchParams.get('secret')
    if (offered !== null && !sameSecret(offered, secret))
      throw new HostError(401, 'UNAUTHORIZED', 'That launch secret is not valid for this host.')

    if (url.pathname === '/__bridge.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', ...HEADERS })
      return void res.end(BRIDGE_SCRIPT)
    }
    if (url.pathname === '/__events') {
      authorize(req)
      if (streams.size >= limits.eventStreams)
        throw new HostError(503, 'BUSY', `${limits.eventStreams} event streams are open already; close a tab.`, {
          'retry-after': '5',
        })
      res.writeHead(200, { 'content-type': 'text/event-stream', ...HEADERS, connection: 'keep-alive' })
      res.write(': connected\n\n')
      streams.add(res)
      const offs = EVENT_NAMES.map(name =>
        app.on(name, payload => res.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`)),
      )
      req.on('close', () => {
        for (const off of offs) off()
        streams.delete(res)
      })
      return
    }
    if (url.pathname.startsWith('/__ipc/')) {
      if (req.method !== 'POST') throw new HostError(405, 'BAD_INPUT', 'API calls are POST requests.')
      authorize(req)
      // A custom header cannot be sent cross-site without a CORS preflight, which this host never grants.
      if (req.headers['x-jit-mapper'] !== '1')
        throw new HostError(403, 'UNAUTHORIZED', 'Missing the x-jit-mapper header.')
      const channel = decodePath(url.pathname.slice('/__ipc/'.length))
      const body = await readBody(req)
      let args: unknown
      try {
        args = body.trim() === '' ? {} : JSON.parse(body)
      } catch {
        throw new HostError(400, 'BAD_INPUT', 'The request body is not valid JSON.')
      }
      return json(res, 200, await app.invoke(channel, args))
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HostError(405, 'BAD_INPUT', 'Only GET serves files.')
    return serveStatic(res, url.pathname)
  }

  const refuse = (req: IncomingMessage, res: ServerResponse, e: unknown) => {
    const err = e instanceof HostError ? e : null
    // A refusal is the client's doing; anything else is ours, and goes to the log with a reference.
    const error = err
      ? { code: err.code, message: err.message }
      : internalError(e, `${req.method} ${String(req.url).slice(0, 200)}`, app.log)
    if (res.headersSent || res.destroyed) return void res.destroy()
    const status = err?.status ?? 500
    // An over-cap body gets its 413 and the connection closes: the rest of the body is not read.
    const close = status === 413 || (status === 503 && req.headers['content-length'] !== '0')
    json(res, status, { ok: false, error }, { ...(err?.headers ?? {}), ...(close ? { connection: 'close' } : {}) })
  }

  // Nothing a request does may end the process: every failure becomes an answer.
  const server = createServer((req, res) => {
    try {
      handle(req, res).catch((e: unknown) => refuse(req, res, e))
    } catch (e) {
      refuse(req, res, e)
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  boundPort = (server.address() as AddressInfo).port

  return {
    url: `http://127.0.0.1:${boundPort}/?secret=${secret}`,
    port: boundPort,
    secret,
    close: () =>
      new Promise<void>(resolve => {
        for (const s of streams) s.end()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

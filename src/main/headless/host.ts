// The loopback host: serves the built renderer and the contract over HTTP to a browser, for
// `jit-mapper demo` and the end-to-end tests. It binds 127.0.0.1 only and refuses every
// request that does not carry the per-launch secret (first as ?secret=, then as a cookie).
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, sep } from 'node:path'
import type { App } from '../app'
import { EVENT_NAMES } from '../../shared/channels'
import { BRIDGE_SCRIPT } from './bridge-script'
import { internalError } from '../boundary'

export interface HostOptions {
  app: App
  rendererDir: string
  port?: number
  secret?: string
}

export interface Host {
  url: string
  port: number
  secret: string
  close(): Promise<void>
}

const COOKIE = 'jit_mapper_session'
const MAX_BODY = 80 * 1024 * 1024

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

const cookieOf = (req: IncomingMessage): string | undefined =>
  (req.headers.cookie ?? '')
    .split(';')
    .map(c => c.trim().split('='))
    .find(([k]) => k === COOKIE)?.[1]

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
  res.end(JSON.stringify(body))
}

const fail = (res: ServerResponse, status: number, code: string, message: string): void =>
  json(res, status, { ok: false, error: { code, message } })

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) {
        reject(new Error('too large'))
        req.destroy()
      } else chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

export async function startHost({
  app,
  rendererDir,
  port = 0,
  secret = randomBytes(32).toString('base64url'),
}: HostOptions): Promise<Host> {
  const root = normalize(rendererDir + sep)
  let boundPort = port
  const streams = new Set<ServerResponse>()

  const serveStatic = async (res: ServerResponse, pathname: string): Promise<void> => {
    const file = normalize(join(root, pathname === '/' ? 'index.html' : decodeURIComponent(pathname)))
    if (!file.startsWith(root)) return fail(res, 404, 'NOT_FOUND', 'No such file.')
    let body: Buffer
    try {
      body = await readFile(file)
    } catch {
      return fail(res, 404, 'NOT_FOUND', `No such file: ${pathname}`)
    }
    const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream'
    if (file.endsWith('index.html')) {
      // The bridge must exist before the app's module script runs.
      body = Buffer.from(body.toString('utf8').replace('<head>', '<head>\n    <script src="/__bridge.js"></script>'))
    }
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' })
    res.end(body)
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const host = req.headers.host ?? ''
    // A page on another site that resolves its name to 127.0.0.1 (DNS rebinding) carries its own Host.
    if (host !== `127.0.0.1:${boundPort}` && host !== `localhost:${boundPort}`) {
      return fail(res, 403, 'UNAUTHORIZED', 'Requests must address the host as 127.0.0.1.')
    }
    const url = new URL(req.url ?? '/', `http://${host}`)
    const offered = url.searchParams.get('secret')
    if (offered !== null) {
      if (!sameSecret(offered, secret))
        return fail(res, 401, 'UNAUTHORIZED', 'That launch secret is not valid for this host.')
      url.searchParams.delete('secret')
      res.writeHead(302, {
        'set-cookie': `${COOKIE}=${secret}; HttpOnly; SameSite=Strict; Path=/`,
        location: url.pathname + (url.search || '') + url.hash,
      })
      return void res.end()
    }
    const presented = cookieOf(req) ?? req.headers['x-jit-mapper-secret']
    if (typeof presented !== 'string' || !sameSecret(presented, secret)) {
      return fail(res, 401, 'UNAUTHORIZED', 'Open the URL printed by `jit-mapper demo`: it carries the launch secret.')
    }

    if (url.pathname === '/__bridge.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' })
      return void res.end(BRIDGE_SCRIPT)
    }
    if (url.pathname === '/__events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
      res.write(': connected\n\n')
      streams.add(res)
      const offs = EVENT_NAMES.map(name =>
        app.on(name, payload => res.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`)),
      )
      req.on('close', () => {
        offs.forEach(off => off())
        streams.delete(res)
      })
      return
    }
    if (url.pathname.startsWith('/__ipc/')) {
      if (req.method !== 'POST') return fail(res, 405, 'BAD_INPUT', 'API calls are POST requests.')
      // A custom header cannot be sent cross-site without a CORS preflight, which this host never grants.
      if (req.headers['x-jit-mapper'] !== '1') return fail(res, 403, 'UNAUTHORIZED', 'Missing the x-jit-mapper header.')
      let args: unknown
      try {
        const body = await readBody(req)
        args = body.trim() === '' ? {} : JSON.parse(body)
      } catch (e) {
        const tooLarge = e instanceof Error && e.message === 'too large'
        return fail(
          res,
          tooLarge ? 413 : 400,
          'BAD_INPUT',
          tooLarge ? 'The request body is larger than 80 MiB.' : 'The request body is not valid JSON.',
        )
      }
      const channel = decodeURIComponent(url.pathname.slice('/__ipc/'.length))
      return json(res, 200, await app.invoke(channel, args))
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'BAD_INPUT', 'Only GET serves files.')
    return serveStatic(res, url.pathname)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const error = internalError(e, `${req.method} ${req.url}`, app.log)
      if (!res.headersSent) json(res, 500, { ok: false, error })
      else res.end()
    })
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

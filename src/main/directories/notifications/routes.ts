// The ingress routes of the three receivers (spread into the ingress's route table): each reads a
// body of at most MAX_NOTIFICATION_BODY bytes, hands it to the receiver and answers what it says.
// Whatever a client sends ends in an answer (4xx for bad input), never in an exception.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { NotificationReceiver, Receipt } from './receiver'

/** Graph and Okta batch notifications; a megabyte holds a thousand of either with room to spare. */
export const MAX_NOTIFICATION_BODY = 1024 * 1024

export const NOTIFICATION_PATHS = {
  entra: '/notifications/entra',
  okta: '/notifications/okta',
  google: '/notifications/google',
} as const

export type IngressRoute = (
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
) => Promise<void>

class BodyError extends Error {
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message)
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN)
  if (declared > MAX_NOTIFICATION_BODY)
    throw new BodyError(413, `The body is ${declared} bytes; the limit is ${MAX_NOTIFICATION_BODY}.`)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_NOTIFICATION_BODY) throw new BodyError(413, `The body exceeds ${MAX_NOTIFICATION_BODY} bytes.`)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** The body as JSON; an empty one is undefined (Google's sync message has none). */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req)
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch (e) {
    throw new BodyError(400, `Malformed JSON: ${(e as Error).message}.`)
  }
}

function answer(res: ServerResponse, r: Receipt): void {
  if ('message' in r) {
    res.writeHead(r.status, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ error: { code: r.status === 401 ? 'UNAUTHORIZED' : 'BAD_INPUT', message: r.message } }))
    return
  }
  if (r.body === undefined) {
    res.writeHead(r.status, { 'content-length': '0' })
    res.end()
    return
  }
  res.writeHead(r.status, { 'content-type': r.contentType ?? 'text/plain' })
  res.end(r.body)
}

/** Runs one receiver call; a body that is too large or not JSON, or a bug, still gets an answer. */
const guarded =
  (handle: (req: IncomingMessage, query: URLSearchParams) => Promise<Receipt>): IngressRoute =>
  async (req, res, _path, query) => {
    let receipt: Receipt
    try {
      receipt = await handle(req, query)
    } catch (e) {
      if (!(e instanceof BodyError)) throw e
      if (e.status === 413) {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' })
        res.end(JSON.stringify({ error: { code: 'TOO_LARGE', message: e.message } }))
        return
      }
      receipt = { status: 400, message: e.message }
    }
    answer(res, receipt)
  }

/** The receivers' routes; none when notifications are not wired (the ingress then answers 404). */
export function notificationRoutes(receiver: NotificationReceiver | undefined): Record<string, IngressRoute> {
  if (!receiver) return {}
  return {
    [`POST ${NOTIFICATION_PATHS.entra}`]: guarded(async (req, query) => {
      // The handshake is text/plain and answered before anything else (Microsoft's Node sample).
      if (query.has('validationToken')) {
        await readBody(req)
        return receiver.entra(query, undefined)
      }
      return receiver.entra(query, await readJson(req))
    }),
    [`GET ${NOTIFICATION_PATHS.okta}`]: guarded(async (req, query) => receiver.oktaVerify(query, req.headers)),
    [`POST ${NOTIFICATION_PATHS.okta}`]: guarded(async req => receiver.okta(req.headers, await readJson(req))),
    [`POST ${NOTIFICATION_PATHS.google}`]: guarded(async req => receiver.google(req.headers, await readJson(req))),
  }
}

// The small HTTPS client the enrollment sign-in needs: every request the IdP SDKs make (discovery,
// token, signing keys) goes through it, so `ca` adds trust anchors for an IdP behind a private CA
// (and for the loopback fakes in tests), and a test can see and bound where the SDKs connect.
import https from 'node:https'

export interface HttpResponse {
  status: number
  body: string
  /** Lower-case header names; repeated headers joined with ", ". */
  headers: Record<string, string>
}

export interface HttpRequest {
  method: 'GET' | 'POST'
  url: string
  headers?: Record<string, string>
  body?: string
}

export interface IdpHttp {
  send(req: HttpRequest): Promise<HttpResponse>
  get(url: string): Promise<HttpResponse>
  postForm(url: string, form: Record<string, string>): Promise<HttpResponse>
}

const TIMEOUT_MS = 10_000
/** An IdP's answers are small JSON documents; a larger one is not an IdP's. */
const MAX_BODY = 1024 * 1024

/** get and postForm on top of one `send`. */
export function idpHttpOf(send: IdpHttp['send']): IdpHttp {
  return {
    send,
    get: url => send({ method: 'GET', url, headers: { accept: 'application/json' } }),
    postForm: (url, form) =>
      send({
        method: 'POST',
        url,
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      }),
  }
}

export function createIdpHttp(opts: { ca?: string[] } = {}): IdpHttp {
  const once = ({ method, url, headers, body }: HttpRequest, retried: boolean): Promise<HttpResponse> =>
    new Promise((resolve, reject) => {
      if (!url.startsWith('https://')) return reject(new Error(`Refusing to reach the IdP over plain http: ${url}`))
      const req = https.request(url, { method, ca: opts.ca, timeout: TIMEOUT_MS, headers }, res => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => {
          text += d
          if (text.length > MAX_BODY) req.destroy(new Error(`${method} ${url}: the answer exceeds ${MAX_BODY} bytes`))
        })
        res.on('end', () => {
          const out: Record<string, string> = {}
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v
          resolve({ status: res.statusCode ?? 0, body: text, headers: out })
        })
      })
      req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out after ${TIMEOUT_MS} ms`)))
      req.on('error', (e: NodeJS.ErrnoException) => {
        // A kept-alive connection the server closed as we reused it (Node's docs, request.reusedSocket):
        // the request never reached the server, so it is sent once more on a new connection.
        if (!retried && req.reusedSocket && e.code === 'ECONNRESET')
          return void once({ method, url, headers, body }, true).then(resolve, reject)
        reject(e)
      })
      req.end(body)
    })
  return idpHttpOf(req => once(req, false))
}

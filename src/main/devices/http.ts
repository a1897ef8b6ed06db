// The small HTTPS client the enrollment sign-in needs (the IdP's token and JWKS endpoints).
// `ca` adds trust anchors for an IdP behind a private CA (and for the loopback fakes in tests).
import https from 'node:https'

export interface HttpResponse {
  status: number
  body: string
}

export interface IdpHttp {
  get(url: string): Promise<HttpResponse>
  postForm(url: string, form: Record<string, string>): Promise<HttpResponse>
}

const TIMEOUT_MS = 10_000

export function createIdpHttp(opts: { ca?: string[] } = {}): IdpHttp {
  const request = (url: string, method: 'GET' | 'POST', body?: string): Promise<HttpResponse> =>
    new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          ca: opts.ca,
          timeout: TIMEOUT_MS,
          headers:
            body === undefined
              ? { accept: 'application/json' }
              : { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
        },
        res => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (d: string) => (text += d))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
        },
      )
      req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out after ${TIMEOUT_MS} ms`)))
      req.on('error', reject)
      req.end(body)
    })
  return {
    get: url => request(url, 'GET'),
    postForm: (url, form) => request(url, 'POST', new URLSearchParams(form).toString()),
  }
}

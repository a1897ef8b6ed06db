// A tiny HTTPS client for the device simulators: optional client certificate (mutual TLS),
// no redirects followed (the simulators follow them step by step like a browser would).
import https from 'node:https'

export interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  /** The body's bytes (a signed profile, a SCEP reply). */
  raw: Buffer
}

export interface RequestOptions {
  method?: string
  headers?: Record<string, string>
  body?: string | Buffer
  ca: string
  cert?: string
  key?: string
  agent?: https.Agent
}

export function request(url: string, o: RequestOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: o.method ?? 'GET', headers: o.headers, ca: o.ca, cert: o.cert, key: o.key, agent: o.agent },
      res => {
        const chunks: Buffer[] = []
        res.on('data', (d: Buffer) => chunks.push(d))
        res.on('end', () => {
          const raw = Buffer.concat(chunks)
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: raw.toString('utf8'), raw })
        })
      },
    )
    req.on('error', reject)
    req.end(o.body)
  })
}

// A raw HTTP/1.1 client: sends the request line verbatim (no URL parsing on our side), so hostile
// request targets reach the server exactly as an attacker would write them.
import net from 'node:net'
import tls from 'node:tls'

export interface RawReply {
  status: number
  head: string
  body: string
}

export function rawRequest(
  o: { port: number; tls?: { ca: string; cert?: string; key?: string } },
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body = '',
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = o.tls
      ? tls.connect({ host: '127.0.0.1', port: o.port, ...o.tls, servername: 'localhost' })
      : net.connect({ host: '127.0.0.1', port: o.port })
    const lines = [`${method} ${target} HTTP/1.1`, `host: 127.0.0.1:${o.port}`, 'connection: close']
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`)
    if (body && !('transfer-encoding' in headers) && !('content-length' in headers))
      lines.push(`content-length: ${Buffer.byteLength(body)}`)
    let text = ''
    socket.setEncoding('utf8')
    socket.on(o.tls ? 'secureConnect' : 'connect', () => socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`))
    socket.on('data', (d: string) => (text += d))
    socket.on('error', reject)
    socket.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text)
      if (!m) return reject(new Error(`no HTTP answer to ${method} ${target}: ${JSON.stringify(text.slice(0, 200))}`))
      const at = text.indexOf('\r\n\r\n')
      const head = text.slice(0, at)
      const body = text.slice(at + 4)
      resolve({ status: Number(m[1]), head, body: /transfer-encoding: chunked/i.test(head) ? dechunk(body) : body })
    })
  })
}

/** The body of a chunked reply (RFC 9112 §7.1), without extensions or trailers. */
function dechunk(body: string): string {
  let out = ''
  let i = 0
  for (;;) {
    const eol = body.indexOf('\r\n', i)
    const size = Number.parseInt(body.slice(i, eol), 16)
    if (!(size > 0)) return out
    out += body.slice(eol + 2, eol + 2 + size)
    i = eol + 2 + size + 2
  }
}

/** Request targets that have crashed HTTP servers: bad escapes, bracketed hosts, absolute forms. */
export const HOSTILE_TARGETS = [
  '//[',
  '//[::1',
  '/%',
  '/%E0%A4%A',
  '/enroll/start?platform=%&serial=%zz',
  '/android/v1/commands/%E0%A4%A/answer',
  '/android/v1/commands/%/answer',
  'http://bad host/',
  'http://127.0.0.1:99999/enroll/start',
  'http://[::1/mdm/checkin',
  'https://%/x',
  '*',
  '/mdm/checkin#%',
  `/${'a'.repeat(7000)}`,
] as const

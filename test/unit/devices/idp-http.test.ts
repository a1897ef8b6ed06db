// The HTTPS client every IdP SDK's requests go through.
import { once } from 'node:events'
import https from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createIdpHttp } from '../../../src/main/devices/http'
import { testPki } from '../../fakes/pki'

const pki = testPki()
let server: https.Server
let origin = ''
/** The server resets the connection the second request arrives on, as an IdP closing an idle kept-alive connection does. */
const seen = new Map<unknown, number>()
const raw: Socket[] = []
beforeAll(async () => {
  server = https.createServer({ key: pki.server.keyPem, cert: pki.server.certPem }, (req, res) => {
    const n = (seen.get(req.socket) ?? 0) + 1
    seen.set(req.socket, n)
    // A TCP reset (RST) on the connection under TLS: the client sees ECONNRESET.
    if (n === 2) return void raw[0]?.resetAndDestroy()
    res.writeHead(200, { 'content-type': 'application/json', 'x-seen': String(n) })
    res.end(JSON.stringify({ path: req.url, body: '' }))
  })
  server.on('connection', (s: Socket) => raw.push(s))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => {
  server.closeAllConnections()
  server.close()
})

describe('the IdP client', () => {
  it('sends a request again on a new connection when a reused one was reset', async () => {
    const http = createIdpHttp({ ca: [pki.caPem] })
    expect((await http.get(`${origin}/a`)).status).toBe(200)
    const second = await http.get(`${origin}/b`)
    expect(second.status).toBe(200)
    expect(JSON.parse(second.body)).toMatchObject({ path: '/b' })
  })

  it('refuses plain http', async () => {
    await expect(createIdpHttp().get('http://127.0.0.1:1/x')).rejects.toThrow(/plain http/)
  })
})

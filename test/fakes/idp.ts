// A local OpenID Connect IdP over HTTPS: discovery, /authorize (authorization code + PKCE S256),
// /token (checks the code verifier, returns an RS256 ID token) and /jwks. The "user typing
// their password" is the x-test-user header on the authorize request. Faults for tests:
// an expired token, a wrong audience, a wrong nonce, a token signed by a key not in the JWKS.
import { createHash, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto'
import { once } from 'node:events'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { exportJWK, SignJWT } from 'jose'
import type { TestPki } from './pki'

export type IdpFault = 'expired' | 'wrong-audience' | 'wrong-nonce' | 'unknown-key' | null

export interface FakeIdp {
  issuer: string
  clientId: string
  provider: { issuer: string; authorizationEndpoint: string; tokenEndpoint: string; jwksUri: string; clientId: string }
  /** The fault to apply to the next ID tokens. */
  fault: IdpFault
  /** Claims to add to (or override in) the next ID tokens; `aud` replaces the audience. */
  claims: Record<string, unknown>
  tokenRequests: number
  /** Every authorization code, access token, ID token and PKCE verifier this IdP has seen or issued. */
  readonly issued: readonly string[]
  close(): Promise<void>
}

interface Grant {
  user: string
  clientId: string
  redirectUri: string
  challenge: string
  nonce: string
}

const keyPair = () => generateKeyPairSync('rsa', { modulusLength: 2048 })

export async function startFakeIdp(pki: TestPki, now: () => Date = () => new Date()): Promise<FakeIdp> {
  const clientId = 'jit-mapper-enrollment'
  const signing = keyPair()
  const stranger = keyPair()
  const jwk = { ...(await exportJWK(signing.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }
  const codes = new Map<string, Grant>()
  const server = https.createServer({ key: pki.server.keyPem, cert: pki.server.certPem })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const issuer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
  const state: { fault: IdpFault; tokenRequests: number; claims: Record<string, unknown> } = {
    fault: null,
    tokenRequests: 0,
    claims: {},
  }
  const issued: string[] = []

  const json = (res: import('node:http').ServerResponse, status: number, v: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(v))
  }

  const idToken = async (g: Grant): Promise<string> => {
    const t = Math.floor(now().getTime() / 1000)
    const f = state.fault
    const key: KeyObject = f === 'unknown-key' ? stranger.privateKey : signing.privateKey
    const { aud, ...extra } = state.claims
    return new SignJWT({
      preferred_username: g.user,
      email: g.user,
      email_verified: true,
      nonce: f === 'wrong-nonce' ? 'another-nonce' : g.nonce,
      ...extra,
    })
      .setProtectedHeader({ alg: 'RS256', kid: f === 'unknown-key' ? 'k-unknown' : 'k1' })
      .setIssuer(issuer)
      .setSubject(createHash('sha256').update(g.user).digest('hex').slice(0, 24))
      .setAudience(f === 'wrong-audience' ? 'someone-else' : ((aud as string | string[] | undefined) ?? g.clientId))
      .setIssuedAt(f === 'expired' ? t - 7200 : t)
      .setExpirationTime(f === 'expired' ? t - 3600 : t + 3600)
      .sign(key)
  }

  server.on('request', (req, res) => {
    const u = new URL(req.url ?? '/', issuer)
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (d: string) => (body += d))
    req.on('end', () => {
      void (async () => {
        if (req.method === 'GET' && u.pathname === '/jwks') return json(res, 200, { keys: [jwk] })
        if (req.method === 'GET' && u.pathname === '/.well-known/openid-configuration') {
          return json(res, 200, {
            issuer,
            authorization_endpoint: `${issuer}/authorize`,
            token_endpoint: `${issuer}/token`,
            jwks_uri: `${issuer}/jwks`,
            response_types_supported: ['code'],
            code_challenge_methods_supported: ['S256'],
          })
        }
        if (req.method === 'GET' && u.pathname === '/authorize') {
          const q = u.searchParams
          const user = req.headers['x-test-user']
          if (q.get('client_id') !== clientId) return json(res, 400, { error: 'invalid_client' })
          if (
            q.get('response_type') !== 'code' ||
            q.get('code_challenge_method') !== 'S256' ||
            !q.get('code_challenge') ||
            !q.get('nonce') ||
            !q.get('state')
          )
            return json(res, 400, { error: 'invalid_request' })
          if (typeof user !== 'string') return json(res, 401, { error: 'login_required' })
          const code = randomUUID()
          issued.push(code)
          codes.set(code, {
            user,
            clientId,
            redirectUri: q.get('redirect_uri') ?? '',
            challenge: q.get('code_challenge') ?? '',
            nonce: q.get('nonce') ?? '',
          })
          const back = new URL(q.get('redirect_uri') ?? '')
          back.searchParams.set('code', code)
          back.searchParams.set('state', q.get('state') ?? '')
          res.writeHead(302, { location: back.toString() })
          return res.end()
        }
        if (req.method === 'POST' && u.pathname === '/token') {
          state.tokenRequests++
          const f = new URLSearchParams(body)
          const g = codes.get(f.get('code') ?? '')
          codes.delete(f.get('code') ?? '')
          if (f.get('grant_type') !== 'authorization_code' || !g) return json(res, 400, { error: 'invalid_grant' })
          if (f.get('redirect_uri') !== g.redirectUri || f.get('client_id') !== g.clientId)
            return json(res, 400, { error: 'invalid_grant', error_description: 'redirect_uri or client_id mismatch' })
          const challenge = createHash('sha256')
            .update(f.get('code_verifier') ?? '')
            .digest('base64url')
          if (challenge !== g.challenge)
            return json(res, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' })
          const tokens = { access_token: randomUUID(), id_token: await idToken(g) }
          issued.push(tokens.access_token, tokens.id_token, f.get('code_verifier') ?? '')
          return json(res, 200, { token_type: 'Bearer', expires_in: 3600, ...tokens })
        }
        json(res, 404, { error: 'not_found' })
      })()
    })
  })

  return {
    issuer,
    clientId,
    provider: {
      issuer,
      authorizationEndpoint: `${issuer}/authorize`,
      tokenEndpoint: `${issuer}/token`,
      jwksUri: `${issuer}/jwks`,
      clientId,
    },
    get fault() {
      return state.fault
    },
    set fault(f: IdpFault) {
      state.fault = f
    },
    get claims() {
      return state.claims
    },
    set claims(c: Record<string, unknown>) {
      state.claims = c
    },
    get tokenRequests() {
      return state.tokenRequests
    },
    issued,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    },
  }
}

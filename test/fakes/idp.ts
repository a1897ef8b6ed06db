// A local identity provider over HTTPS that speaks one of three IdPs' documented endpoints, for
// their SDKs to sign in against:
// - entra: Microsoft identity platform v2.0 — /{tenant}/v2.0/.well-known/openid-configuration
//   (tenant id, `organizations` or `common`, whose issuer is the …/{tenantid}/v2.0 template),
//   /{tenant}/oauth2/v2.0/authorize|token, /{tenant}/discovery/v2.0/keys; ID tokens with oid,
//   tid, a pairwise sub; token answers with client_info (msal reads it).
// - okta: the org authorization server (/.well-known/openid-configuration, /oauth2/v1/authorize|
//   token|keys) and a custom one (/oauth2/default/…/v1/…); sub is the Okta user id.
// - google: /.well-known/openid-configuration, /o/oauth2/v2/auth, /token, the keys as a JWK set
//   (/oauth2/v3/certs) and as PEM certificates by kid (/oauth2/v1/certs); ID tokens with azp, hd.
// The authorize endpoint checks PKCE S256, state, nonce and the client; the token endpoint
// checks the code (once), the redirect URI and the verifier. "The user typing their password" is
// the x-test-user header on the authorize request. Faults for tests: an expired token, a wrong
// audience, issuer or nonce, a token signed by a key not in the JWKS; `claims` adds or overrides
// claims (`aud` replaces the audience).
import { createHash, generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto'
import { once } from 'node:events'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { exportJWK, SignJWT } from 'jose'
import forge from 'node-forge'
import type { IdpKind, SignInProvider } from '../../src/main/devices/signin'
import type { TestPki } from './pki'

export type IdpFault = 'expired' | 'wrong-audience' | 'wrong-issuer' | 'wrong-nonce' | 'unknown-key' | null

/** The Entra tenant the fake plays (a GUID, as Entra's are). */
export const FAKE_TENANT = '3f1c2a5e-8d4b-4c7a-9e2f-5b6d7c8e9f01'

export interface FakeIdpOptions {
  kind?: IdpKind
  now?: () => Date
  /** Entra: the authority the provider names — this tenant, or any (`organizations`). Okta: the org or the custom server. */
  audience?: 'tenant' | 'organizations' | 'org' | 'custom'
}

export interface FakeIdp {
  kind: IdpKind
  issuer: string
  clientId: string
  /** The sign-in as the admin would configure it for this IdP. */
  provider: SignInProvider
  /** The fault to apply to the next ID tokens. */
  fault: IdpFault
  /** Claims to add to (or override in) the next ID tokens; `aud` replaces the audience. */
  claims: Record<string, unknown>
  /** The IdP's immutable ids of people, by the name they sign in with (else one derived from it). */
  ids: Record<string, string>
  tokenRequests: number
  /** The client secret each token request carried (client_secret_post), or null. */
  readonly clientSecrets: readonly (string | null)[]
  /** Every request's method and path, in order. */
  readonly requests: readonly string[]
  /** Every authorization code, access token, ID token and PKCE verifier this IdP has seen or issued. */
  readonly issued: readonly string[]
  close(): Promise<void>
}

interface Grant {
  user: string
  server: Server
  clientId: string
  redirectUri: string
  challenge: string
  nonce: string
}

/** One authorization server of the fake: where its endpoints are and what its tokens say. */
interface Server {
  issuer: string
  /** The issuer named in discovery (Entra's multi-tenant template), when not `issuer`. */
  discoveredIssuer?: string
  base: string
  authorize: string
  token: string
  keys: string
}

const keyPair = () => generateKeyPairSync('rsa', { modulusLength: 2048 })
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')

/** A self-signed X.509 certificate for the signing key: Google publishes its keys so (oauth2/v1/certs). */
function certificateOf(privateKey: KeyObject, publicKey: KeyObject): string {
  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }) as string)
  cert.serialNumber = '01'
  cert.validity.notBefore = new Date(Date.now() - 86_400_000)
  cert.validity.notAfter = new Date(Date.now() + 86_400_000)
  const name = [{ name: 'commonName', value: 'federated-signon.system.gserviceaccount.com' }]
  cert.setSubject(name)
  cert.setIssuer(name)
  cert.sign(
    forge.pki.privateKeyFromPem(
      privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
    ) as forge.pki.rsa.PrivateKey,
    forge.md.sha256.create(),
  )
  return forge.pki.certificateToPem(cert)
}

export async function startFakeIdp(pki: TestPki, opts: FakeIdpOptions | (() => Date) = {}): Promise<FakeIdp> {
  const o = typeof opts === 'function' ? { now: opts } : opts
  const kind = o.kind ?? 'entra'
  const now = o.now ?? (() => new Date())
  const clientId = kind === 'google' ? '1234567890-jitmapper.apps.googleusercontent.com' : 'jit-mapper-enrollment'
  const signing = keyPair()
  const stranger = keyPair()
  const kid = kind === 'okta' ? 'okta-k1' : 'k1'
  const jwk = { ...(await exportJWK(signing.publicKey)), kid, alg: 'RS256', use: 'sig' }
  const pem = kind === 'google' ? certificateOf(signing.privateKey, signing.publicKey) : ''
  const codes = new Map<string, Grant>()
  const httpServer = https.createServer({ key: pki.server.keyPem, cert: pki.server.certPem })
  httpServer.listen(0, '127.0.0.1')
  await once(httpServer, 'listening')
  const origin = `https://127.0.0.1:${(httpServer.address() as AddressInfo).port}`
  const state = {
    fault: null as IdpFault,
    tokenRequests: 0,
    claims: {} as Record<string, unknown>,
    ids: {} as Record<string, string>,
  }
  const issued: string[] = []
  const requests: string[] = []
  const clientSecrets: (string | null)[] = []

  const servers: Server[] = []
  if (kind === 'entra')
    for (const t of [FAKE_TENANT, 'organizations', 'common'])
      servers.push({
        issuer: `${origin}/${FAKE_TENANT}/v2.0`,
        ...(t === FAKE_TENANT ? {} : { discoveredIssuer: `${origin}/{tenantid}/v2.0` }),
        base: `${origin}/${t}/v2.0`,
        authorize: `/${t}/oauth2/v2.0/authorize`,
        token: `/${t}/oauth2/v2.0/token`,
        keys: `/${t}/discovery/v2.0/keys`,
      })
  if (kind === 'okta')
    for (const path of ['', '/oauth2/default'])
      servers.push({
        issuer: `${origin}${path}`,
        base: `${origin}${path}`,
        authorize: `${path || '/oauth2'}/v1/authorize`,
        token: `${path || '/oauth2'}/v1/token`,
        keys: `${path || '/oauth2'}/v1/keys`,
      })
  if (kind === 'google')
    servers.push({
      issuer: origin,
      base: origin,
      authorize: '/o/oauth2/v2/auth',
      token: '/token',
      keys: '/oauth2/v3/certs',
    })

  const json = (res: import('node:http').ServerResponse, status: number, v: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    res.end(JSON.stringify(v))
  }
  const idOf = (user: string) =>
    state.ids[user] ??
    (kind === 'entra'
      ? createHash('sha256')
          .update(user)
          .digest('hex')
          .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5')
      : kind === 'okta'
        ? `00u${createHash('sha256').update(user).digest('hex').slice(0, 17)}`
        : BigInt(`0x${createHash('sha256').update(user).digest('hex').slice(0, 15)}`).toString())

  /** The claims each IdP puts in an ID token for `openid profile email`. */
  const claimsOf = (g: Grant): Record<string, unknown> => {
    const id = idOf(g.user)
    const common = { email: g.user, name: g.user.split('@')[0] }
    if (kind === 'entra')
      // Entra sends email_verified only as an optional claim; the fake sends it so the email path can be tested.
      return {
        ...common,
        oid: id,
        tid: FAKE_TENANT,
        preferred_username: g.user,
        email_verified: true,
        ver: '2.0',
        sub: createHash('sha256').update(`${id}|${g.clientId}`).digest('base64url').slice(0, 43),
      }
    if (kind === 'okta')
      return {
        ...common,
        sub: id,
        preferred_username: g.user,
        email_verified: true,
        ver: 1,
        auth_time: 0,
        amr: ['pwd'],
      }
    return { ...common, sub: id, azp: g.clientId, email_verified: true, hd: g.user.split('@')[1] }
  }

  const idToken = async (g: Grant): Promise<string> => {
    const t = Math.floor(now().getTime() / 1000)
    const f = state.fault
    const { aud, ...extra } = state.claims
    const base = claimsOf(g)
    const payload: Record<string, unknown> = {
      ...base,
      nonce: f === 'wrong-nonce' ? 'another-nonce' : g.nonce,
      ...extra,
    }
    for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k]
    const tenantIssuer = kind === 'entra' ? `${origin}/${String(payload['tid'])}/v2.0` : g.server.issuer
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', kid: f === 'unknown-key' ? 'k-unknown' : kid, typ: 'JWT' })
      .setIssuer(f === 'wrong-issuer' ? 'https://impostor.example' : tenantIssuer)
      .setAudience(f === 'wrong-audience' ? 'someone-else' : ((aud as string | string[] | undefined) ?? g.clientId))
      .setIssuedAt(f === 'expired' ? t - 7200 : t)
      .setExpirationTime(f === 'expired' ? t - 3600 : t + 3600)
      .setJti(randomUUID())
      .sign(f === 'unknown-key' ? stranger.privateKey : signing.privateKey)
  }

  const discovery = (s: Server) => ({
    issuer: s.discoveredIssuer ?? s.issuer,
    authorization_endpoint: `${origin}${s.authorize}`,
    token_endpoint: `${origin}${s.token}`,
    jwks_uri: `${origin}${s.keys}`,
    ...(kind === 'entra' ? { end_session_endpoint: `${s.base.replace(/\/v2\.0$/, '')}/oauth2/v2.0/logout` } : {}),
    userinfo_endpoint: `${origin}/userinfo`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    subject_types_supported: [kind === 'entra' ? 'pairwise' : 'public'],
    id_token_signing_alg_values_supported: ['RS256'],
    code_challenge_methods_supported: ['S256'],
    scopes_supported: ['openid', 'profile', 'email'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'none'],
  })

  const authorize = (
    s: Server,
    u: URL,
    req: import('node:http').IncomingMessage,
    res: import('node:http').ServerResponse,
  ) => {
    const q = u.searchParams
    const user = req.headers['x-test-user']
    if (q.get('client_id') !== clientId) return json(res, 400, { error: 'invalid_client' })
    if (
      q.get('response_type') !== 'code' ||
      q.get('code_challenge_method') !== 'S256' ||
      !/^[A-Za-z0-9_-]{43}$/.test(q.get('code_challenge') ?? '') ||
      !q.get('nonce') ||
      !q.get('state') ||
      !(q.get('scope') ?? '').split(' ').includes('openid') ||
      !q.get('redirect_uri')?.startsWith('https://')
    )
      return json(res, 400, { error: 'invalid_request' })
    if (typeof user !== 'string') return json(res, 401, { error: 'login_required' })
    const code = randomUUID()
    issued.push(code)
    codes.set(code, {
      user,
      server: s,
      clientId,
      redirectUri: q.get('redirect_uri') ?? '',
      challenge: q.get('code_challenge') ?? '',
      nonce: q.get('nonce') ?? '',
    })
    const back = new URL(q.get('redirect_uri') ?? '')
    back.searchParams.set('code', code)
    back.searchParams.set('state', q.get('state') ?? '')
    res.writeHead(302, { location: back.toString() })
    res.end()
  }

  const token = async (s: Server, body: string, res: import('node:http').ServerResponse) => {
    state.tokenRequests++
    const f = new URLSearchParams(body)
    clientSecrets.push(f.get('client_secret'))
    const g = codes.get(f.get('code') ?? '')
    codes.delete(f.get('code') ?? '')
    if (f.get('grant_type') !== 'authorization_code' || !g || g.server.token !== s.token)
      return json(res, 400, { error: 'invalid_grant', error_description: 'The authorization code is invalid.' })
    if (f.get('redirect_uri') !== g.redirectUri || f.get('client_id') !== g.clientId)
      return json(res, 400, { error: 'invalid_grant', error_description: 'redirect_uri or client_id mismatch' })
    const challenge = createHash('sha256')
      .update(f.get('code_verifier') ?? '')
      .digest('base64url')
    if (challenge !== g.challenge)
      return json(res, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' })
    const tokens = { access_token: randomUUID(), id_token: await idToken(g) }
    issued.push(tokens.access_token, tokens.id_token, f.get('code_verifier') ?? '')
    const claims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >
    return json(res, 200, {
      token_type: 'Bearer',
      expires_in: 3600,
      scope: kind === 'entra' ? 'openid profile email' : 'openid profile email',
      ...tokens,
      ...(kind === 'entra'
        ? { ext_expires_in: 3600, client_info: b64({ uid: claims['oid'], utid: claims['tid'] }) }
        : {}),
    })
  }

  httpServer.on('request', (req, res) => {
    const u = new URL(req.url ?? '/', origin)
    requests.push(`${req.method} ${u.pathname}`)
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (d: string) => (body += d))
    req.on('end', () => {
      void (async () => {
        if (req.method === 'GET' && kind === 'google' && u.pathname === '/oauth2/v1/certs')
          return json(res, 200, { [kid]: pem })
        for (const s of servers) {
          const wellKnown = `${new URL(s.base).pathname.replace(/\/$/, '')}/.well-known/openid-configuration`
          if (req.method === 'GET' && u.pathname === wellKnown) return json(res, 200, discovery(s))
          if (req.method === 'GET' && u.pathname === s.keys) return json(res, 200, { keys: [jwk] })
          if (req.method === 'GET' && u.pathname === s.authorize) return authorize(s, u, req, res)
          if (req.method === 'POST' && u.pathname === s.token) return token(s, body, res)
        }
        json(res, 404, { error: 'not_found' })
      })()
    })
  })

  const pick = (): Server => {
    const a = o.audience
    if (kind === 'entra') return servers[a === 'organizations' ? 1 : 0] as Server
    if (kind === 'okta') return servers[a === 'org' ? 0 : 1] as Server
    return servers[0] as Server
  }
  const chosen = pick()
  const issuer = chosen.base
  return {
    kind,
    issuer,
    clientId,
    provider: {
      kind,
      issuer,
      clientId,
      ...(kind === 'entra' && o.audience !== 'organizations' ? { tenantId: FAKE_TENANT } : {}),
      ...(kind === 'google' ? { hostedDomain: 'example.test' } : {}),
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
    get ids() {
      return state.ids
    },
    set ids(v: Record<string, string>) {
      state.ids = v
    },
    get tokenRequests() {
      return state.tokenRequests
    },
    requests,
    clientSecrets,
    issued,
    close: async () => {
      httpServer.closeAllConnections()
      await new Promise<void>(resolve => httpServer.close(() => resolve()))
    },
  }
}

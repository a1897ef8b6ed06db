// A firebase-admin Credential for a service account that fetches its OAuth token itself:
// the SDK's own credential sends the token request through google-auth-library, which does
// not use the app's httpAgent, so a proxy (or a loopback test) could not carry it. The grant is
// Google's documented JWT bearer flow (developers.google.com/identity/protocols/oauth2/service-account):
// an RS256 assertion {iss: client_email, scope, aud: token_uri, iat, exp ≤ 1 h} posted as
// grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer.
import type { Agent } from 'node:http'
import https from 'node:https'
import type { Credential } from 'firebase-admin/app'
import { importPKCS8, SignJWT } from 'jose'
import { errorMessage } from '../../shared/errors'

export interface ServiceAccount {
  project_id: string
  client_email: string
  private_key: string
  token_uri?: string
}

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging'
const DEFAULT_TOKEN_URI = 'https://oauth2.googleapis.com/token'

export function parseServiceAccount(json: string): ServiceAccount {
  let v: unknown
  try {
    v = JSON.parse(json)
  } catch (e) {
    throw new Error(`The Firebase service account is not JSON: ${errorMessage(e)}`)
  }
  const sa = v as Partial<ServiceAccount>
  const missing = (['project_id', 'client_email', 'private_key'] as const).filter(
    k => typeof sa[k] !== 'string' || sa[k] === '',
  )
  if (missing.length > 0)
    throw new Error(
      `The Firebase service account lacks ${missing.join(', ')}; download it again from the Firebase console`,
    )
  return sa as ServiceAccount
}

function post(url: string, form: URLSearchParams, agent: Agent | undefined): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      res => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => (body += d))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on('error', reject)
    req.end(form.toString())
  })
}

export function serviceAccountCredential(sa: ServiceAccount, agent: Agent | undefined): Credential {
  const tokenUri = sa.token_uri ?? DEFAULT_TOKEN_URI
  return {
    async getAccessToken() {
      const key = await importPKCS8(sa.private_key, 'RS256')
      const assertion = await new SignJWT({ scope: SCOPE })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
        .setIssuer(sa.client_email)
        .setAudience(tokenUri)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(key)
      const res = await post(
        tokenUri,
        new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
        agent,
      )
      if (res.status !== 200)
        throw new Error(`Google refused the service account's token request (${res.status}): ${res.body.slice(0, 300)}`)
      const body = JSON.parse(res.body) as { access_token: string; expires_in: number }
      return { access_token: body.access_token, expires_in: body.expires_in }
    },
  }
}

// OpenID Connect discovery (OpenID Connect Discovery 1.0 §4): the IdP's endpoints from
// <issuer>/.well-known/openid-configuration. The document's issuer must equal the one asked
// for (§4.3), or ID tokens could be accepted from an impostor.
import { AppError } from '../../shared/errors'
import type { IdpHttp } from './http'
import type { OidcProvider } from './signin'

export async function discoverOidc(issuer: string, clientId: string, http: IdpHttp): Promise<OidcProvider> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`
  const res = await http.get(url)
  if (res.status !== 200)
    throw new AppError('BAD_INPUT', `The IdP's discovery document could not be read (${res.status} from ${url}).`, {
      url,
      status: res.status,
    })
  let doc: Record<string, unknown>
  try {
    doc = JSON.parse(res.body) as Record<string, unknown>
  } catch {
    throw new AppError('BAD_INPUT', `The IdP's discovery document at ${url} is not JSON.`, { url })
  }
  if (doc['issuer'] !== issuer)
    throw new AppError('BAD_INPUT', `The discovery document names issuer ${String(doc['issuer'])}, not ${issuer}.`, {
      url,
    })
  const field = (k: string): string => {
    const v = doc[k]
    if (typeof v !== 'string' || !v.startsWith('https://'))
      throw new AppError('BAD_INPUT', `The discovery document at ${url} has no https ${k}.`, { url, field: k })
    return v
  }
  return {
    issuer,
    clientId,
    authorizationEndpoint: field('authorization_endpoint'),
    tokenEndpoint: field('token_endpoint'),
    jwksUri: field('jwks_uri'),
  }
}

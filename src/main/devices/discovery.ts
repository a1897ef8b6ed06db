// OpenID Connect discovery (OpenID Connect Discovery 1.0 §4): the IdP's endpoints from
// <issuer>/.well-known/openid-configuration. The document's issuer must be the one asked for
// (§4.3), or ID tokens could be accepted from an impostor; `sameIssuer` widens that for Entra's
// multi-tenant authorities, whose document names the issuer template
// https://login.microsoftonline.com/{tenantid}/v2.0.
import { AppError } from '../../shared/errors'
import type { IdpHttp } from './http'

export interface OidcEndpoints {
  /** The issuer the document names (a template for Entra's multi-tenant authorities). */
  issuer: string
  authorizationEndpoint: string
  tokenEndpoint: string
  jwksUri: string
  /** The whole document, as read (msal-node takes it as its authority metadata). */
  document: Record<string, unknown>
}

export async function discoverOidc(
  issuer: string,
  http: IdpHttp,
  sameIssuer: (named: unknown) => boolean = named => named === issuer,
): Promise<OidcEndpoints> {
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
  if (typeof doc !== 'object' || doc === null || !sameIssuer(doc['issuer']))
    throw new AppError('BAD_INPUT', `The discovery document names issuer ${String(doc?.['issuer'])}, not ${issuer}.`, {
      url,
    })
  const field = (k: string): string => {
    const v = doc[k]
    if (typeof v !== 'string' || !v.startsWith('https://'))
      throw new AppError('BAD_INPUT', `The discovery document at ${url} has no https ${k}.`, { url, field: k })
    return v
  }
  return {
    issuer: doc['issuer'] as string,
    authorizationEndpoint: field('authorization_endpoint'),
    tokenEndpoint: field('token_endpoint'),
    jwksUri: field('jwks_uri'),
    document: doc,
  }
}

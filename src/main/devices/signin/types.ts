import type { JWTPayload } from 'jose'
import type { Clock } from '../../ports'
import type { IdpHttp } from '../http'
import type { Begun, Returned } from './state'

export type IdpKind = 'entra' | 'okta' | 'google'

/** The IdP people sign in with at enrollment, as the admin configures it. */
export interface SignInProvider {
  kind: IdpKind
  /**
   * Entra: https://login.microsoftonline.com/<tenant id, or organizations>/v2.0; Okta: the org
   * (https://<org>.okta.com) or a custom authorization server (…/oauth2/<id>); Google:
   * https://accounts.google.com. Endpoints come from its discovery document.
   */
  issuer: string
  clientId: string
  /** Confidential clients only; a desktop app is a public client and relies on PKCE. */
  clientSecret?: string
  /** Entra: the tenant (`tid`) people must sign in from; else any tenant the issuer admits. */
  tenantId?: string
  /** Google: the Workspace domain (`hd`) people must sign in from. */
  hostedDomain?: string
}

export interface IdpDeps {
  provider: SignInProvider
  redirectUri: string
  clock: Clock
  http: IdpHttp
}

/** One IdP's half of a sign-in, through its SDK: the authorize URL, and the code redeemed for verified claims. */
export interface IdpFlow {
  authorizeUrl(begun: Begun): string
  redeem(returned: Returned<unknown>): Promise<JWTPayload>
}

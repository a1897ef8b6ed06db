// The enrollment sign-in: OpenID Connect authorization code flow with PKCE (RFC 7636, S256) and
// a nonce, through each IdP's own SDK — msal-node for Entra ID, okta-auth-js for Okta,
// google-auth-library for Google (signin/entra.ts, okta.ts, google.ts; each says what its SDK
// leaves unchecked and checks it). One interface for the enrollment page, the Setup Assistant
// page and the Android sign-in URL alike.
//
// What holds for every IdP (signin/state.ts): a start costs nothing (its verifier, nonce and
// context are sealed into `state`), a callback is good once, its nonce must come back in the ID
// token, and time is the injected clock's.
import type { JWTPayload } from 'jose'
import type { Clock } from '../ports'
import type { IdpHttp } from './http'
import { createEntraFlow } from './signin/entra'
import { createGoogleFlow } from './signin/google'
import { createOktaFlow } from './signin/okta'
import { pendingSignIns } from './signin/state'
import type { IdpFlow, SignInProvider } from './signin/types'

export { claimedIdentity, type ClaimedIdentity } from './signin/claims'
export { openState, sealState } from './signin/state'
export type { IdpKind, SignInProvider } from './signin/types'

export interface SignIn<T> {
  /** Starts a sign-in carrying `context`; returns the IdP authorization URL to send the user to. */
  start(context: T): string
  /** Finishes the sign-in from the IdP's callback; returns the verified claims and the context. */
  complete(query: URLSearchParams): Promise<{ claims: JWTPayload; context: T }>
}

const FLOWS: Record<SignInProvider['kind'], (d: Parameters<typeof createEntraFlow>[0]) => Promise<IdpFlow>> = {
  entra: createEntraFlow,
  okta: createOktaFlow,
  google: createGoogleFlow,
}

/**
 * A sign-in with the configured IdP. Reads its discovery document first, so an unreachable or
 * misconfigured IdP is found when the ingress starts, not at the first person's sign-in.
 */
export async function createSignIn<T>(o: {
  provider: SignInProvider
  redirectUri: string
  clock: Clock
  http: IdpHttp
  /** 32 bytes sealing the state; a fresh random key per launch when absent. */
  stateKey?: Buffer
}): Promise<SignIn<T>> {
  const flow = await FLOWS[o.provider.kind](o)
  const pending = pendingSignIns<T>({ clock: o.clock, key: o.stateKey })
  return {
    start: context => flow.authorizeUrl(pending.begin(context)),
    async complete(query) {
      const returned = pending.finish(query)
      return { claims: await flow.redeem(returned), context: returned.context }
    },
  }
}

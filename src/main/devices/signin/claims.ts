// Who a verified ID token says signed in, and by which claim they may be bound to a directory
// user. Each IdP's immutable id is named by its own claim: Entra's `oid` (the Graph user id;
// Microsoft's ID token reference: key users by `oid`/`tid`, never by names, which change), Okta's
// and Google's `sub` (OpenID Connect Core 1.0 §2: never reassigned; it is Okta's user id and
// Google's account id, which the Directory API calls the user's id). Another IdP's `oid` claim
// would be whatever an admin mapped into it, so only Entra's is read.
import type { JWTPayload } from 'jose'
import { tenantOfIssuer } from './entra'
import type { SignInProvider } from './types'

export interface ClaimedIdentity {
  /** The IdP's immutable id for the person; null when the token has none. */
  subject: string | null
  /** An email the IdP says it verified, in the expected tenant or domain; null when none. */
  email: string | null
  /** Why the email may not identify the user (said when the subject is not in the directory). */
  emailRefusal: string | null
}

/**
 * The identity claims of a verified ID token. A name (`preferred_username`, `upn`) is mutable
 * and unverified, so it never identifies anyone; an email does only when `email_verified` is
 * true and, for Entra, the tenant (`tid`) is the expected one, for Google the Workspace domain
 * (`hd`).
 */
export function claimedIdentity(
  claims: JWTPayload,
  provider: Pick<SignInProvider, 'kind' | 'issuer' | 'tenantId' | 'hostedDomain'>,
): ClaimedIdentity {
  const str = (k: string) =>
    typeof claims[k] === 'string' && (claims[k] as string).length > 0 ? (claims[k] as string) : null
  const subject = provider.kind === 'entra' ? str('oid') : str('sub')
  const email = str('email')
  const tenant = provider.kind === 'entra' ? (provider.tenantId ?? tenantOfIssuer(provider.issuer)) : null
  const refusal = !email
    ? 'The ID token carries no email claim.'
    : claims['email_verified'] !== true && claims['email_verified'] !== 'true'
      ? `The IdP has not verified the email ${email} (email_verified is not true).`
      : !email.includes('@')
        ? `The email claim ${JSON.stringify(email)} is not an address.`
        : provider.kind === 'entra' && !tenant
          ? 'An email identifies a person only within one Entra tenant; set the tenant id of the sign-in.'
          : tenant && str('tid')?.toLowerCase() !== tenant.toLowerCase()
            ? `The ID token is from tenant ${str('tid') ?? '(none)'}, not ${tenant}.`
            : provider.kind === 'google' && !provider.hostedDomain
              ? 'An email identifies a person only within one Workspace domain; set the Google Workspace domain of the sign-in.'
              : provider.hostedDomain && str('hd') !== provider.hostedDomain
                ? `The ID token's Workspace domain (hd) is ${str('hd') ?? 'absent'}, not ${provider.hostedDomain}.`
                : null
  return { subject, email: refusal ? null : email, emailRefusal: refusal }
}

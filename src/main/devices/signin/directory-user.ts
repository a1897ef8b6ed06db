import type { JWTPayload } from 'jose'
import { AppError } from '../../../shared/errors'
import { claimedIdentity } from './claims'
import type { SignInProvider } from './types'

/**
 * The directory user (principal name) a verified ID token names: by the IdP's immutable id
 * matched to a directory user's external id, else by a verified email. Every enrollment path
 * (the enrollment page, Android Enterprise, Setup Assistant) binds people this one way.
 */
export function directoryUserOf(
  users: { principalNamesByExternalId(externalId: string): string[] },
  claims: JWTPayload,
  provider: Pick<SignInProvider, 'kind' | 'issuer' | 'tenantId' | 'hostedDomain'>,
): string {
  const who = claimedIdentity(claims, provider)
  const bySubject = who.subject ? users.principalNamesByExternalId(who.subject) : []
  if (bySubject.length > 1)
    throw new AppError(
      'UNAUTHORIZED',
      `The IdP's id ${who.subject} names ${bySubject.length} directory users; remove the duplicate directory.`,
      { subject: who.subject },
    )
  const upn = bySubject[0] ?? who.email
  if (!upn)
    throw new AppError(
      'UNAUTHORIZED',
      `No directory user has the IdP's id ${who.subject ?? '(none)'}, and the email cannot identify one: ${who.emailRefusal}`,
      { subject: who.subject, reason: 'identity' },
    )
  return upn
}

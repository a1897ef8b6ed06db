// Apple identities: the one-time SCEP challenges that enrollment sign-ins make, and the identity
// certificates the workspace CA issued with them (devices/apple/scep.ts). A device is bound to
// the person its identity certificate was issued for when it first authenticates with it.
import type { Db } from './db'

export interface IssuedIdentity {
  fingerprint: string
  userId: string
  userPrincipalName: string
  serial: string
  issuedAt: string
  notAfter: string
  renewedFrom: string | null
}

interface IdentityRow {
  fingerprint: string
  user_id: string
  user_principal_name: string
  serial: string
  issued_at: string
  not_after: string
  renewed_from: string | null
}

export function appleIdentityQueries(db: Db) {
  const addChallenge = db.prepare(
    'INSERT INTO apple_scep_challenges (challenge_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
  )
  const useChallenge = db.prepare(
    `UPDATE apple_scep_challenges SET used_at = ? WHERE challenge_hash = ? AND used_at IS NULL AND expires_at > ?
     RETURNING user_id`,
  )
  const dropExpired = db.prepare('DELETE FROM apple_scep_challenges WHERE expires_at <= ?')
  const addIdentity =
    db.prepare(`INSERT INTO apple_identities (fingerprint, user_id, serial, issued_at, not_after, renewed_from)
    VALUES (@fingerprint, @userId, @serial, @issuedAt, @notAfter, @renewedFrom)`)
  const identity =
    db.prepare(`SELECT i.*, u.user_principal_name FROM apple_identities i JOIN users u ON u.id = i.user_id
    WHERE i.fingerprint = ?`)
  return {
    /** Records a challenge (its SHA-256) for the user, good once until `expiresAt`. */
    addChallenge(challengeHash: string, userId: string, at: string, expiresAt: string): void {
      dropExpired.run(at)
      addChallenge.run(challengeHash, userId, at, expiresAt)
    },
    /** Uses the challenge up; returns the user it was made for, or null (unknown, used or expired). */
    useChallenge(challengeHash: string, at: string): string | null {
      return (useChallenge.get(at, challengeHash, at) as { user_id: string } | undefined)?.user_id ?? null
    },
    addIdentity(i: Omit<IssuedIdentity, 'userPrincipalName'>): void {
      addIdentity.run(i)
    },
    identity(fingerprint: string): IssuedIdentity | undefined {
      const r = identity.get(fingerprint) as IdentityRow | undefined
      return r
        ? {
            fingerprint: r.fingerprint,
            userId: r.user_id,
            userPrincipalName: r.user_principal_name,
            serial: r.serial,
            issuedAt: r.issued_at,
            notAfter: r.not_after,
            renewedFrom: r.renewed_from,
          }
        : undefined
    },
  }
}

// Payload secrets at rest: a profile's password (Wi-Fi, VPN, mail, a custom profile's secret
// keys) is kept in SQLite sealed with AES-256-GCM under the workspace's data key, which lives
// behind the secrets port (the OS keychain, or secrets.json), never in the database. Only the
// store seals and opens: every room above it sees plain values.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { AppError } from '../../shared/errors'
import { SECRET_SETTING } from '../../shared/policy'

export interface PayloadSealer {
  /** The value with every secret setting sealed (already sealed ones are kept). */
  seal<T>(value: T): T
  /** The value with every sealed setting opened. */
  open<T>(value: T): T
}

/** Setting names that hold secrets: password, passphrase, sharedSecret, PSK, a PKCS #12 identity (its private key), … */
const SECRET_NAME = SECRET_SETTING
const AAD = Buffer.from('jit-mapper/payload-secret/v1')
const PREFIX = 'v1.'

const isSealed = (v: unknown): v is { $sealed: string } =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { $sealed?: unknown }).$sealed === 'string'

/** Stores values as they are (no data key: a secrets port without one). */
export const plainSealer: PayloadSealer = { seal: v => v, open: v => v }

/** Maps every property named like a secret, at any depth (settings nest at most 16 levels). */
function mapSecrets(value: unknown, at: (v: unknown) => unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > 32) return value
  if (Array.isArray(value)) return value.map(v => mapSecrets(v, at, depth + 1))
  if (isSealed(value)) return at(value)
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value))
    out[k] = SECRET_NAME.test(k) && v !== null && v !== undefined ? at(v) : mapSecrets(v, at, depth + 1)
  return out
}

/** A sealer under a 32-byte key, asked for only when a secret is first sealed or opened. */
export function createPayloadSealer(key: () => Buffer): PayloadSealer {
  let cached: Buffer | null = null
  const k = () => {
    cached ??= key()
    return cached
  }
  const sealOne = (v: unknown): unknown => {
    if (isSealed(v)) return v
    const iv = randomBytes(12)
    const c = createCipheriv('aes-256-gcm', k(), iv)
    c.setAAD(AAD)
    const body = Buffer.concat([c.update(JSON.stringify(v), 'utf8'), c.final()])
    return { $sealed: PREFIX + Buffer.concat([iv, c.getAuthTag(), body]).toString('base64') }
  }
  const openOne = (v: unknown): unknown => {
    if (!isSealed(v)) return v
    try {
      const raw = Buffer.from(v.$sealed.slice(PREFIX.length), 'base64')
      const d = createDecipheriv('aes-256-gcm', k(), raw.subarray(0, 12))
      d.setAAD(AAD)
      d.setAuthTag(raw.subarray(12, 28))
      return JSON.parse(Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8'))
    } catch {
      throw new AppError(
        'INTERNAL',
        "A payload secret can't be opened: the workspace's data key in the secrets store is not the one it was sealed with.",
      )
    }
  }
  return {
    seal: value => mapSecrets(value, sealOne) as typeof value,
    open: value => mapSecrets(value, openOne) as typeof value,
  }
}

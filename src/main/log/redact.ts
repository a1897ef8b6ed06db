// What never reaches a log: values under secret-looking keys, and secret-shaped strings
// anywhere (bearer and SSWS credentials, JWTs, PEM private keys), whatever field carries them.

const SECRET_KEY =
  /secret|password|passwd|passphrase|token|authorization|cookie|private_?key|privatekey|assertion|credential|api_?key|verifier|signature|\bkey$/i

const SECRET_TEXT: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, '[redacted private key]'],
  [/\b(Bearer|SSWS|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, '[redacted token]'],
  [/([?&](?:secret|code|token|access_token|id_token|client_secret|code_verifier|state)=)[^&\s#"']+/gi, '$1[redacted]'],
]

export const REDACTED = '[redacted]'

export function redactText(text: string): string {
  let out = text
  for (const [pattern, replacement] of SECRET_TEXT) out = out.replace(pattern, replacement)
  return out
}

/** A copy of `value` safe to log (depth-limited, cycles cut). */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactText(value)
  if (value instanceof Error) return redactText(value.stack ?? value.message)
  if (value === null || typeof value !== 'object') return value
  if (depth > 8 || seen.has(value)) return '[…]'
  seen.add(value)
  if (Array.isArray(value)) return value.map(v => redact(v, depth + 1, seen))
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      SECRET_KEY.test(k) && v !== null && v !== undefined && typeof v !== 'boolean'
        ? REDACTED
        : redact(v, depth + 1, seen)
  }
  return out
}

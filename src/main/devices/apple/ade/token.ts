// The server token of Apple's device assignment service. The admin downloads our public
// certificate, uploads it to the MDM server entry in Apple Business/School Manager, and brings
// back the token file (.p7m) Apple encrypted to it. The file is S/MIME: MIME headers and a
// base64 CMS EnvelopedData; inside, more MIME headers and the JSON between "-----BEGIN
// MESSAGE-----" and "-----END MESSAGE-----" (nanodep tokenpki/parse.go; Apple's
// "Authenticating for Automated Device Enrollment").
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { z } from 'zod'
import { AppError } from '../../../../shared/errors'
import { derOfPem } from '../ca'
import { CmsError, openEnvelope } from '../cms'

/** The token's fields as Apple names them (nanodep client/auth.go OAuth1Tokens). */
export const serverTokenSchema = z.object({
  consumer_key: z.string().min(1),
  consumer_secret: z.string().min(1),
  access_token: z.string().min(1),
  access_secret: z.string().min(1),
  access_token_expiry: z.string().min(1),
})
export type ServerToken = z.output<typeof serverTokenSchema>

const bad = (message: string, details: Record<string, unknown> = {}) =>
  new AppError('BAD_INPUT', message, { field: 'token', ...details })

/** The body after a block of MIME headers (RFC 5322: headers, an empty line, the body). */
function mimeBody(text: string): string {
  const m = /\r?\n\r?\n/.exec(text)
  if (!m || !/^[A-Za-z-]+:/.test(text)) return text
  return text.slice(m.index + m[0].length)
}

/** Decrypts a .p7m server token with the key pair whose certificate the admin uploaded to Apple. */
export function decryptServerToken(file: Buffer | string, keyPair: { keyPem: string; certPem: string }): ServerToken {
  const text = Buffer.isBuffer(file) ? file.toString('latin1') : file
  const base64 = mimeBody(text).replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/]+=*$/.test(base64))
    throw bad(
      'The token file is not an S/MIME message (.p7m): its body is not base64. Download it again from Apple Business Manager.',
    )
  let inner: Buffer
  try {
    inner = openEnvelope(Buffer.from(base64, 'base64'), {
      certDer: derOfPem(keyPair.certPem)[0] as Buffer,
      key: createPrivateKey(keyPair.keyPem),
    })
  } catch (e) {
    if (e instanceof CmsError)
      throw bad(
        `The token could not be decrypted with this workspace's key (${e.message}) — was it downloaded for the public certificate of this workspace? Upload the current certificate to the MDM server in Apple Business Manager and download the token again.`,
      )
    throw e
  }
  const body = mimeBody(inner.toString('utf8'))
  const json = /-----BEGIN MESSAGE-----([\s\S]*?)-----END MESSAGE-----/.exec(body)?.[1] ?? body
  let value: unknown
  try {
    value = JSON.parse(json.trim())
  } catch {
    throw bad('The decrypted token holds no JSON between its BEGIN MESSAGE and END MESSAGE lines.')
  }
  const parsed = serverTokenSchema.safeParse(value)
  if (!parsed.success)
    throw bad(
      `The decrypted token lacks ${parsed.error.issues.map(i => i.path.join('.')).join(', ')}; it is not an Apple server token.`,
    )
  if (Number.isNaN(Date.parse(parsed.data.access_token_expiry)))
    throw bad(`The token's access_token_expiry ${JSON.stringify(parsed.data.access_token_expiry)} is not a date.`)
  return parsed.data
}

/** When the certificate the admin uploads to Apple stops being valid (ISO). */
export const certificateExpiry = (certPem: string): string =>
  new Date(new X509Certificate(certPem).validTo).toISOString()

// The ingress settings as stored in the workspace (workspace_settings 'ingress'), their defaults,
// the checks the contract's schema cannot make, and what in them will stop devices connecting.
import { isIP } from 'node:net'
import { AppError } from '../../shared/errors'
import type { IngressCertificateInfo, IngressSettings, SignInIdp } from '../../shared/ingress'
import type { Store } from '../store'
import { certificateNames } from './certificate'

export const SETTINGS_KEY = 'ingress'

/** 8443: an unprivileged port (opening one below 1024 needs administrator rights on most systems). */
export const DEFAULT_SETTINGS: IngressSettings = {
  address: '0.0.0.0',
  port: 8443,
  publicUrl: null,
  startAtLaunch: false,
  oidc: { provider: 'entra', issuer: '', clientId: '', tenantId: null, hostedDomain: null, caPem: null },
}

/**
 * The IdP an issuer belongs to when the admin did not say: Microsoft's and Google's sign-in hosts
 * are theirs; any other is taken for Okta (an org or a custom domain for it).
 */
export function providerOfIssuer(issuer: string): SignInIdp {
  let host = ''
  try {
    host = new URL(issuer).hostname
  } catch {
    return DEFAULT_SETTINGS.oidc.provider
  }
  if (/^login\.(microsoftonline\.(com|us)|partner\.microsoftonline\.cn|microsoft\.com)$/.test(host)) return 'entra'
  if (host === 'accounts.google.com') return 'google'
  return 'okta'
}

export function readSettings(store: Store): IngressSettings {
  const stored = store.settings.get(SETTINGS_KEY) as Partial<IngressSettings> | null
  return {
    ...DEFAULT_SETTINGS,
    ...stored,
    oidc: {
      ...DEFAULT_SETTINGS.oidc,
      ...stored?.oidc,
      provider: stored?.oidc?.provider ?? providerOfIssuer(stored?.oidc?.issuer ?? ''),
    },
  }
}

const blankToNull = (s: string | null): string | null => (s === null || s.trim() === '' ? null : s.trim())

/** The settings as they will be kept: blanks as null, URLs checked. */
export function normalizeSettings(
  s: Omit<IngressSettings, 'oidc'> & { oidc: Omit<IngressSettings['oidc'], 'provider'> & { provider?: SignInIdp } },
): IngressSettings {
  if (isIP(s.address) === 0 && s.address !== 'localhost')
    throw new AppError(
      'BAD_INPUT',
      `The address must be an IP address of this computer or 0.0.0.0, not ${s.address}.`,
      {
        field: 'address',
      },
    )
  const publicUrl = blankToNull(s.publicUrl)
  if (publicUrl !== null) {
    let url: URL
    try {
      url = new URL(publicUrl)
    } catch {
      throw new AppError('BAD_INPUT', `The public URL ${publicUrl} is not a URL.`, { field: 'publicUrl' })
    }
    // Apple: the MDM payload's ServerURL and CheckInURL must begin with https://.
    if (url.protocol !== 'https:' || url.search || url.hash || url.username)
      throw new AppError(
        'BAD_INPUT',
        `The public URL must be https://host[:port][/path] without a query, not ${publicUrl}.`,
        { field: 'publicUrl' },
      )
  }
  const issuer = s.oidc.issuer.trim().replace(/\/$/, '')
  if (issuer !== '' && !issuer.startsWith('https://'))
    throw new AppError('BAD_INPUT', `The issuer must be an https URL, not ${issuer}.`, { field: 'oidc.issuer' })
  return {
    address: s.address,
    port: s.port,
    publicUrl: publicUrl?.replace(/\/$/, '') ?? null,
    startAtLaunch: s.startAtLaunch,
    oidc: {
      provider: s.oidc.provider ?? providerOfIssuer(issuer),
      issuer,
      clientId: s.oidc.clientId.trim(),
      tenantId: blankToNull(s.oidc.tenantId),
      hostedDomain: blankToNull(s.oidc.hostedDomain),
      caPem: blankToNull(s.oidc.caPem),
    },
  }
}

/** The URL devices use: the public URL, else the address and port (a wildcard address names no host). */
export function deviceUrl(s: IngressSettings, port: number): string | null {
  if (s.publicUrl) return s.publicUrl
  if (s.address === '0.0.0.0' || s.address === '::') return null
  return `https://${isIP(s.address) === 6 ? `[${s.address}]` : s.address}:${port}`
}

/** What will stop devices from connecting, in words the admin can act on. */
export function settingsWarnings(s: IngressSettings, cert: IngressCertificateInfo | null, now: Date): string[] {
  const out: string[] = []
  if (s.oidc.issuer === '' || s.oidc.clientId === '')
    out.push('No sign-in provider: enter the IdP issuer URL and the client id of the app registration.')
  if (cert === null) out.push('No certificate: generate one for the LAN or import your own.')
  const url = deviceUrl(s, s.port)
  if (url === null)
    out.push(
      'Listening on every address (0.0.0.0) without a public URL: enter the URL devices reach this computer at, or listen on one address.',
    )
  if (s.address === '127.0.0.1' || s.address === '::1' || s.address === 'localhost')
    out.push(`Listening on ${s.address}: only this computer can reach it, not devices.`)
  if (cert && url !== null) {
    const host = new URL(url).hostname
    if (!certificateNames(cert.names, host))
      out.push(
        `The certificate is not valid for ${host} (it names ${cert.names.join(', ') || 'nothing'}): devices will refuse the connection.`,
      )
  }
  if (cert && Date.parse(cert.notAfter) < now.getTime()) out.push(`The certificate expired on ${cert.notAfter}.`)
  return out
}

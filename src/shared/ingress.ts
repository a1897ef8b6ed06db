// The device ingress as the admin configures and watches it (Settings page, `jit-mapper serve`):
// where it listens, the certificate devices see, the IdP sign-in it sends people to, and whether
// it is serving. Secrets (the certificate's key, a client secret) never appear here.
import type { ErrorInfo } from './errors'

export interface IngressSettings {
  /** The address to listen on: 0.0.0.0 for every interface, or one of this machine's addresses. */
  address: string
  port: number
  /**
   * The https URL devices and the IdP reach the ingress at, when it differs from
   * https://<address>:<port> (a port forward, a tunnel, a DNS name). Null: that default.
   */
  publicUrl: string | null
  /** Start serving devices when the desktop app opens. */
  startAtLaunch: boolean
  /** The IdP people sign in with at enrollment (OpenID Connect; endpoints by discovery). */
  oidc: {
    /** Which IdP it is: the sign-in goes through that IdP's own SDK. */
    provider: SignInIdp
    issuer: string
    clientId: string
    /** Entra: the tenant an email-identified person must belong to. */
    tenantId: string | null
    /** Google: the Workspace domain an email-identified person must belong to. */
    hostedDomain: string | null
    /** Extra CA certificates (PEM) for reaching an IdP behind a private CA. */
    caPem: string | null
  }
}

/** The IdPs the enrollment sign-in speaks, each through its own SDK (msal-node, okta-auth-js, google-auth-library). */
export type SignInIdp = 'entra' | 'okta' | 'google'

export interface IngressCertificateInfo {
  /** imported: the admin's PEM; generated: made here for the LAN, signed by a root made with it. */
  source: 'imported' | 'generated'
  subject: string
  /** The DNS names and IP addresses it is valid for (its subjectAltName). */
  names: string[]
  notAfter: string
  expiresSoon: boolean
  /** SHA-256 of the server certificate, colon-separated hex, to compare on a device. */
  fingerprint: string
  /** For a generated certificate: the root (PEM) that devices must trust. */
  trustPem: string | null
}

export type IngressState = 'stopped' | 'running' | 'failed'

export interface IngressStatus {
  state: IngressState
  /** The URL devices use (the public URL, else https://address:port) while running. */
  url: string | null
  startedAt: string | null
  /** Why the last start failed (port in use, no certificate, IdP unreachable …). */
  error: ErrorInfo | null
}

export interface IngressInfo {
  settings: IngressSettings
  /** Whether a client secret is stored (it is never shown back). */
  clientSecretSet: boolean
  certificate: IngressCertificateInfo | null
  status: IngressStatus
  /** Names a generated certificate could carry: this machine's name and LAN addresses. */
  suggestedNames: string[]
  /** Things that will stop devices from connecting, found in the settings (a URL the certificate does not name …). */
  warnings: string[]
}

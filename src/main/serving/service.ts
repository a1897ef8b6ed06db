// What the serving room offers the rest of the app (services.serving, the ingress/* channels).
import type { IngressInfo, IngressSettings, SignInIdp } from '../../shared/ingress'

export interface SaveIngressSettings extends Omit<IngressSettings, 'oidc'> {
  /** Without a provider, the issuer's host tells it (settings.ts, providerOfIssuer). */
  oidc: Omit<IngressSettings['oidc'], 'provider'> & { provider?: SignInIdp }
  /** Absent keeps the stored secret; null removes it. */
  clientSecret?: string | null
}

export interface IngressHost {
  info(): Promise<IngressInfo>
  save(settings: SaveIngressSettings): Promise<IngressInfo>
  importCertificate(certificate: string, key: string): Promise<IngressInfo>
  generateCertificate(names: string[]): Promise<IngressInfo>
  /** Starts (or restarts) the ingress; a failure is thrown and kept in the status. */
  start(): Promise<IngressInfo>
  stop(): Promise<IngressInfo>
  /** The desktop app's launch: starts when the settings ask for it; a failure is logged and kept in the status. */
  startAtLaunch(): Promise<void>
  /** Closes a running ingress at once, without waiting or recording it (the app is closing its store). */
  abort(): void
}

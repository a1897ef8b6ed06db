// Which IdP's SDK signs people in when the settings do not say: told by the issuer's host.
import { describe, expect, it } from 'vitest'
import { normalizeSettings, providerOfIssuer, readSettings } from '../../../src/main/serving/settings'
import type { Store } from '../../../src/main/store'

describe('the IdP an issuer belongs to', () => {
  it.each([
    ['https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0', 'entra'],
    ['https://login.microsoftonline.com/organizations/v2.0', 'entra'],
    ['https://login.microsoftonline.us/tenant/v2.0', 'entra'],
    ['https://accounts.google.com', 'google'],
    ['https://example.okta.com/oauth2/default', 'okta'],
    ['https://login.example.com', 'okta'],
    ['https://login.microsoftonline.com.evil.test/t/v2.0', 'okta'],
    ['not a url', 'entra'],
  ] as const)('%s is %s', (issuer, kind) => {
    expect(providerOfIssuer(issuer)).toBe(kind)
  })

  it('keeps the provider the admin chose, and tells it from the issuer when none was', () => {
    const base = {
      address: '127.0.0.1',
      port: 8443,
      publicUrl: null,
      startAtLaunch: false,
      oidc: { issuer: 'https://accounts.google.com', clientId: 'c', tenantId: null, hostedDomain: null, caPem: null },
    }
    expect(normalizeSettings(base).oidc.provider).toBe('google')
    expect(normalizeSettings({ ...base, oidc: { ...base.oidc, provider: 'okta' } }).oidc.provider).toBe('okta')
    const stored = { settings: { get: () => ({ oidc: { issuer: 'https://login.microsoftonline.com/o/v2.0' } }) } }
    expect(readSettings(stored as unknown as Store).oidc.provider).toBe('entra')
  })
})

// The person an IdP signs in is bound to the directory user by the IdP's immutable id — Entra's
// oid, Okta's and Google's sub — matched to the directory's external id, through each IdP's SDK
// end to end (Android enrollment: sign-in URL → IdP → callback → enrolled). An email binds only
// when the IdP verified it and it is in the expected tenant or Workspace domain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { IdpKind } from '../../src/main/devices/signin'
import { openDevicesWorld, type DevicesWorld } from '../helpers/devices-world'

const kinds: [string, IdpKind, 'oid' | 'sub'][] = [
  ['Entra ID (msal-node)', 'entra', 'oid'],
  ['Okta (okta-auth-js)', 'okta', 'sub'],
  ['Google (google-auth-library)', 'google', 'sub'],
]

describe.each(kinds)('binding a %s sign-in to a directory user', (_, kind, idClaim) => {
  let w: DevicesWorld
  beforeAll(async () => {
    w = await openDevicesWorld({ idp: { kind } })
    // google-auth-library also judges lifetimes by the machine's clock: the workspace's starts at it.
    w.ws.clock.advance(Date.now() - w.ws.clock.now().getTime())
  }, 60_000)
  afterAll(() => w.close())
  const reset = () => {
    w.idp.claims = {}
    w.idp.ids = {}
  }
  const ownerOf = (serial: string) =>
    w.ws.app.services.store.devices.list().find(d => d.serial === serial)?.userPrincipalName ?? null
  const enroll = async (serial: string, user: string) => {
    const r = await w.android(`${kind}-${serial}`).enroll(user)
    return {
      status: r.status,
      body: JSON.parse(r.body) as { error?: { message: string } },
      owner: ownerOf(`${kind}-${serial}`),
    }
  }

  it(`binds by ${idClaim} ↔ the directory's external id, whatever the email says`, async () => {
    reset()
    // The person signs in as alex, but the IdP's id for them is Sam's (u2): Sam it is.
    w.idp.ids = { 'alex@example.test': 'u2' }
    w.idp.claims = { email_verified: false }
    const r = await enroll('ID-1', 'alex@example.test')
    expect(r.status).toBe(200)
    expect(r.owner).toBe('sam@example.test')
  })

  it('refuses an email the IdP has not verified when the id is not in the directory', async () => {
    reset()
    w.idp.claims = { email_verified: false }
    const r = await enroll('UNVERIFIED-1', 'alex@example.test')
    expect(r.status).toBe(401)
    expect(r.body.error?.message).toMatch(/has not verified the email alex@example.test/)
    expect(r.owner).toBeNull()
  })

  it('binds by a verified email of the expected tenant or domain when the id is not in the directory', async () => {
    reset()
    const r = await enroll('EMAIL-1', 'kim@example.test')
    expect(r.status).toBe(200)
    expect(r.owner).toBe('kim@example.test')
  })

  if (kind === 'okta')
    it('never reads an oid claim from Okta (an admin may map any profile attribute into it)', async () => {
      reset()
      w.idp.claims = { oid: 'u2', email_verified: false }
      const r = await enroll('OID-1', 'alex@example.test')
      expect(r.status).toBe(401)
      expect(r.owner).toBeNull()
    })

  if (kind === 'entra')
    it('never binds by the pairwise sub, nor by an email from another tenant', async () => {
      reset()
      w.idp.claims = { sub: 'u2', email_verified: false }
      expect((await enroll('SUB-1', 'alex@example.test')).status).toBe(401)
      w.idp.claims = { tid: '00000000-0000-4000-8000-000000000009' }
      const other = await enroll('TENANT-1', 'alex@example.test')
      expect(other.status).toBe(401)
      expect(other.owner).toBeNull()
    })

  if (kind === 'google')
    it('refuses an account of another Workspace domain, even one whose id is in the directory', async () => {
      reset()
      w.idp.ids = { 'alex@example.test': 'u2' }
      w.idp.claims = { hd: 'evil.test' }
      const r = await enroll('HD-1', 'alex@example.test')
      expect(r.status).toBe(401)
      expect(r.body.error?.message).toMatch(/evil.test, not example.test/)
      expect(r.owner).toBeNull()
    })
})

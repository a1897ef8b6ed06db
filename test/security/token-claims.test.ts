// Who an ID token names: the IdP's immutable id, or a verified email — never a mutable,
// unverified claim; and a token issued to another party is refused.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { openDevicesWorld, type DevicesWorld } from '../helpers/devices-world'

let w: DevicesWorld
beforeAll(async () => {
  w = await openDevicesWorld()
}, 60_000)
afterAll(async () => {
  await w.close()
})
afterEach(() => {
  w.idp.claims = {}
})

const ownerOf = (serial: string) =>
  w.ws.app.services.store.devices.list().find(d => d.serial === serial)?.userPrincipalName ?? null

describe('the enrollment sign-in identifies the user', () => {
  it('refuses an email the IdP has not verified, and enrolls nothing', async () => {
    w.idp.claims = { email_verified: false, preferred_username: 'x' }
    const r = await w.android('CLAIM-1').enroll('alex@example.test')
    expect(r.status).toBe(401)
    expect(JSON.parse(r.body).error.message).toMatch(/has not verified the email alex@example.test/)
    expect(ownerOf('CLAIM-1')).toBeNull()
  })

  it('refuses an email with no email_verified claim at all', async () => {
    w.idp.claims = { email_verified: undefined }
    const r = await w.android('CLAIM-2').enroll('alex@example.test')
    expect(r.status).toBe(401)
    expect(ownerOf('CLAIM-2')).toBeNull()
  })

  it('binds by the immutable id (oid ↔ the directory external id), not by the name or email in the token', async () => {
    // The IdP says this is directory user u2 (Sam), whatever the mutable claims say.
    w.idp.claims = { oid: 'u2', email_verified: false }
    const r = await w.android('CLAIM-3').enroll('alex@example.test')
    expect(r.status).toBe(200)
    expect(ownerOf('CLAIM-3')).toBe('sam@example.test')
  })

  it('refuses a token with several audiences and no azp, and one whose azp is another app', async () => {
    w.idp.claims = { aud: [w.idp.clientId, 'another-api'] }
    const noAzp = await w.android('CLAIM-4').enroll('alex@example.test')
    expect(noAzp.status).toBe(401)
    expect(JSON.parse(noAzp.body).error.message).toMatch(/azp/)
    w.idp.claims = { aud: [w.idp.clientId, 'another-api'], azp: 'another-api' }
    expect((await w.android('CLAIM-5').enroll('alex@example.test')).status).toBe(401)
    w.idp.claims = { aud: [w.idp.clientId, 'another-api'], azp: w.idp.clientId }
    expect((await w.android('CLAIM-6').enroll('alex@example.test')).status).toBe(200)
    expect([ownerOf('CLAIM-4'), ownerOf('CLAIM-5'), ownerOf('CLAIM-6')]).toEqual([null, null, 'alex@example.test'])
  })
})

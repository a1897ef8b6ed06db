import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { memorySecrets } from '../../fakes/memory-secrets'
import { createPushService } from '../../../src/main/push/credentials'
import { testPki } from '../../fakes/pki'

const pki = testPki()
const clock = { now: () => new Date() }
const day = 86400_000

describe('push credentials', () => {
  it('keeps the certificate and key in the secrets port and shows only the topic and expiry', async () => {
    const secrets = memorySecrets()
    const creds = createPushService({ secrets, clock })
    expect((await creds.info()).apns).toMatchObject({ configured: false })
    const info = await creds.setApns(pki.push.certPem, pki.push.keyPem)
    expect(info.apns).toMatchObject({ configured: true, topic: pki.push.topic, expiresSoon: false, error: null })
    expect(JSON.stringify(info)).not.toContain('PRIVATE KEY')
    expect(JSON.parse((await secrets.get('push.apns.credentials')) ?? '{}')).toEqual({
      certPem: pki.push.certPem,
      keyPem: pki.push.keyPem,
    })
    expect(await creds.apns()).toEqual({ certPem: pki.push.certPem, keyPem: pki.push.keyPem })
  })

  it('stores the certificate and key in one write, and still reads them as older builds kept them', async () => {
    const secrets = memorySecrets()
    const writes: string[] = []
    const counting = {
      ...secrets,
      set: (k: string, v: string) => {
        writes.push(k)
        return secrets.set(k, v)
      },
    }
    await createPushService({ secrets: counting, clock }).setApns(pki.push.certPem, pki.push.keyPem)
    expect(writes).toEqual(['push.apns.credentials'])
    const old = memorySecrets()
    await old.set('push.apns.certificate', pki.push.certPem)
    await old.set('push.apns.key', pki.push.keyPem)
    expect(await createPushService({ secrets: old, clock }).apns()).toEqual({
      certPem: pki.push.certPem,
      keyPem: pki.push.keyPem,
    })
  })

  it.each([
    [29, true],
    [31, false],
  ])('warns when the push certificate expires within 30 days (%i days left: %s)', async (days, warn) => {
    const cert = pki.pushExpiring(new Date(Date.now() + days * day))
    const info = await createPushService({ secrets: memorySecrets(), clock }).setApns(cert.certPem, cert.keyPem)
    expect(info.apns.expiresSoon).toBe(warn)
    expect(Date.parse(info.apns.notAfter as string)).toBeGreaterThan(Date.now() + (days - 1) * day)
  })

  it('refuses a certificate without an MDM topic, a key that does not match, and keeps the old ones', async () => {
    const secrets = memorySecrets()
    const creds = createPushService({ secrets, clock })
    await creds.setApns(pki.push.certPem, pki.push.keyPem)
    await expect(creds.setApns(pki.device('UDID-x').certPem, pki.device('UDID-x').keyPem)).rejects.toThrow(
      /no MDM topic/,
    )
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string
    await expect(creds.setApns(pki.push.certPem, otherKey)).rejects.toThrow(/does not belong to this push certificate/)
    await expect(creds.setApns('not a cert', pki.push.keyPem)).rejects.toThrow(/not a PEM certificate/)
    expect((await creds.info()).apns.topic).toBe(pki.push.topic)
  })

  it('validates the Firebase service account and shows its project and account', async () => {
    const creds = createPushService({ secrets: memorySecrets(), clock })
    await expect(creds.setServiceAccount('{"project_id":"p"}')).rejects.toThrow(/lacks client_email, private_key/)
    await expect(creds.setServiceAccount('nope')).rejects.toThrow(/not JSON/)
    const info = await creds.setServiceAccount(
      JSON.stringify({ project_id: 'p1', client_email: 'a@p1.iam.gserviceaccount.com', private_key: 'k' }),
    )
    expect(info.fcm).toEqual({
      configured: true,
      projectId: 'p1',
      clientEmail: 'a@p1.iam.gserviceaccount.com',
      error: null,
    })
  })
})

import { describe, expect, it } from 'vitest'
import {
  authorizationHeader,
  hmacSha1Signature,
  parseAuthorizationHeader,
  percentEncode,
  signatureBaseString,
} from '../../../../src/main/devices/apple/ade/oauth1'

// RFC 5849 §1.2: the photos.example.net example and its published signature.
const rfc = {
  consumerKey: 'dpf43f3p2l4k3l03',
  consumerSecret: 'kd94hf93k423kf44',
  token: 'nnch734d00sl2jdk',
  tokenSecret: 'pfkkdhi9sl3r4s00',
}

describe('OAuth 1.0a signing (RFC 5849)', () => {
  it('signs the RFC 5849 example to its published signature', () => {
    const url = new URL('http://photos.example.net/photos?file=vacation.jpg&size=original')
    const oauth = {
      oauth_consumer_key: rfc.consumerKey,
      oauth_token: rfc.token,
      oauth_signature_method: 'HMAC-SHA1',
      oauth_timestamp: '137131202',
      oauth_nonce: 'chapoH',
    }
    const base = signatureBaseString('GET', url, oauth)
    expect(base).toBe(
      'GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3DchapoH%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131202%26oauth_token%3Dnnch734d00sl2jdk%26size%3Doriginal',
    )
    expect(hmacSha1Signature(base, rfc.consumerSecret, rfc.tokenSecret)).toBe('MdpQcU8iPSUjWoN/UDMsK2sui9I=')
  })

  it.each([
    ['abc-._~', 'abc-._~'],
    ['a b', 'a%20b'],
    ["!*'()", '%21%2A%27%28%29'],
    ['ü', '%C3%BC'],
  ])('percent-encodes %j as %j', (raw, encoded) => {
    expect(percentEncode(raw)).toBe(encoded)
  })

  it('leaves the default port out of the base URI and keeps another', () => {
    expect(signatureBaseString('get', new URL('https://Mdmenrollment.apple.com:443/session'), {})).toBe(
      'GET&https%3A%2F%2Fmdmenrollment.apple.com%2Fsession&',
    )
    expect(signatureBaseString('GET', new URL('http://127.0.0.1:8080/session'), {})).toBe(
      'GET&http%3A%2F%2F127.0.0.1%3A8080%2Fsession&',
    )
  })

  it('builds a header whose parameters parse back and carry HMAC-SHA1', () => {
    const url = new URL('https://mdmenrollment.apple.com/session')
    const header = authorizationHeader('GET', url, rfc, { timestamp: 1_700_000_000, nonce: 'n1' })
    const p = parseAuthorizationHeader(header)
    expect(p).toMatchObject({
      oauth_consumer_key: rfc.consumerKey,
      oauth_token: rfc.token,
      oauth_signature_method: 'HMAC-SHA1',
      oauth_timestamp: '1700000000',
      oauth_nonce: 'n1',
      oauth_version: '1.0',
    })
    const { oauth_signature, ...rest } = p as Record<string, string>
    expect(oauth_signature).toBe(
      hmacSha1Signature(signatureBaseString('GET', url, rest), rfc.consumerSecret, rfc.tokenSecret),
    )
  })

  it('refuses headers that are not OAuth or repeat a parameter', () => {
    expect(parseAuthorizationHeader('Bearer x')).toBeNull()
    expect(parseAuthorizationHeader('OAuth a="1", a="2"')).toBeNull()
    expect(parseAuthorizationHeader(undefined)).toBeNull()
  })
})

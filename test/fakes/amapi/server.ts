// A fake of Google's Android Management API (v1 REST, JSON, camelCase, int64 as strings) and the
// OAuth token endpoint its service account uses, on 127.0.0.1. It keeps enterprises, policies,
// enrollment tokens, provisioning infos and devices, answers errors in Google's shape
// ({error:{code,message,status}}), and carries a device simulator: a device "opens" the sign-in
// URL (with a provisioningInfo identifier, as Android Device Policy does), provisions with an
// enrollment token, and reports the policy version it applied — or lags, or fails an app.
// Wire facts: developers.google.com/android/management/reference/rest/v1 and its provision-device guide.
import { createPublicKey, createVerify, randomBytes, type KeyObject } from 'node:crypto'
import { startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from '../http'

export const AMAPI_ORIGIN = 'https://androidmanagement.googleapis.com'
export const GOOGLE_OAUTH_ORIGIN = 'https://oauth2.googleapis.com'
const SCOPE = 'https://www.googleapis.com/auth/androidmanagement'

export interface FakePolicy {
  name: string
  version: string
  body: Record<string, unknown>
}

export interface FakeToken {
  name: string
  value: string
  policyName: string
  additionalData: string
  oneTimeOnly: boolean
  used: boolean
  expirationTimestamp: string
}

export interface SimDevice {
  name: string
  serial: string
  tokenName: string
  tokenData: string
  policyName: string
  state: 'PROVISIONING' | 'ACTIVE' | 'DISABLED'
  appliedPolicyName: string | null
  appliedPolicyVersion: string | null
  policyCompliant: boolean
  nonComplianceDetails: unknown[]
  /** Packages on the device (what the applied policies installed, and what the user kept). */
  installed: Set<string>
  /** Reports stay on the version applied last (the device is offline or slow). */
  lagging: boolean
  /** Packages whose installation fails (APP_NOT_INSTALLED). */
  failing: Set<string>
  lastStatusReportTime: string
  commands: Record<string, unknown>[]
  /** Device.managementMode and Device.ownership as the device reports them. */
  managementMode: 'DEVICE_OWNER' | 'PROFILE_OWNER'
  ownership: 'COMPANY_OWNED' | 'PERSONALLY_OWNED'
  wiped: { flags: string[]; reason: string | null } | null
}

export interface AmapiFake {
  url: string
  server: FakeServer
  enterprises: Map<string, { name: string; enterpriseDisplayName: string | null; signinDetails: unknown[] }>
  policies: Map<string, FakePolicy>
  tokens: Map<string, FakeToken>
  devices: Map<string, SimDevice>
  /** The URL Google would send the admin's browser to after signup, enterpriseToken appended. */
  completeSignup(signupUrl: string): string
  /** Android Device Policy opening the enterprise's sign-in URL during setup: the URL it opens. */
  openSignin(enterprise: string, device: { serial: string; model?: string }): string
  /** The device provisions with this enrollment token value; it applies its policy unless `lag`. */
  provision(
    tokenValue: string,
    device: {
      serial: string
      lag?: boolean
      failing?: string[]
      managementMode?: SimDevice['managementMode']
      ownership?: SimDevice['ownership']
    },
  ): SimDevice
  /** The device checks in: applies its policy's current version (unless lagging) and reports. */
  report(deviceName: string): SimDevice
  close(): Promise<void>
}

const unb64url = (s: string) => Buffer.from(s, 'base64url').toString('utf8')

const googleError = (code: number, message: string, status: string): FakeResponse => ({
  status: code,
  body: { error: { code, message, status } },
})

function verifyAssertion(assertion: string, key: KeyObject): Record<string, unknown> | null {
  const [h, p, sig] = assertion.split('.')
  if (!h || !p || !sig) return null
  const ok = createVerify('RSA-SHA256').update(`${h}.${p}`).verify(key, Buffer.from(sig, 'base64url'))
  return ok ? (JSON.parse(unb64url(p)) as Record<string, unknown>) : null
}

const hex = (n: number) => randomBytes(n).toString('hex')

export async function startAmapiFake(opts: {
  projectId: string
  serviceAccountEmail: string
  publicKey: string
  now: () => Date
  /** devices.list pages hold at most this many (the API may fix the page size, the reference says). */
  pageSize?: number
}): Promise<AmapiFake> {
  const key = createPublicKey(opts.publicKey)
  const accessTokens = new Set<string>()
  const signups = new Map<string, { name: string; callbackUrl: string; enterpriseToken: string | null }>()
  const enterprises: AmapiFake['enterprises'] = new Map()
  const policies = new Map<string, FakePolicy>()
  const tokens = new Map<string, FakeToken>()
  const devices = new Map<string, SimDevice>()
  const provisioning = new Map<string, { name: string; enterprise: string; serialNumber: string; model: string }>()
  const pageSize = opts.pageSize ?? 2
  const iso = () => opts.now().toISOString()

  /** What applying `policy` does to the device's packages (playStoreMode WHITELIST: unlisted apps go). */
  const apply = (d: SimDevice, policy: FakePolicy) => {
    const apps = (policy.body['applications'] ?? []) as { packageName: string; installType: string }[]
    const listed = new Set(apps.map(a => a.packageName))
    for (const pkg of [...d.installed]) if (!listed.has(pkg)) d.installed.delete(pkg)
    const missing: unknown[] = []
    for (const a of apps) {
      if (a.installType !== 'FORCE_INSTALLED') continue
      if (d.failing.has(a.packageName))
        missing.push({
          settingName: 'applications',
          nonComplianceReason: 'APP_NOT_INSTALLED',
          packageName: a.packageName,
        })
      else d.installed.add(a.packageName)
    }
    d.appliedPolicyName = policy.name
    d.appliedPolicyVersion = policy.version
    d.nonComplianceDetails = missing
    d.policyCompliant = missing.length === 0
    d.state = 'ACTIVE'
  }

  const wireDevice = (d: SimDevice) => ({
    name: d.name,
    state: d.state,
    appliedState: d.state,
    policyName: d.policyName,
    ...(d.appliedPolicyName ? { appliedPolicyName: d.appliedPolicyName } : {}),
    ...(d.appliedPolicyVersion ? { appliedPolicyVersion: d.appliedPolicyVersion } : {}),
    policyCompliant: d.policyCompliant,
    nonComplianceDetails: d.nonComplianceDetails,
    hardwareInfo: { serialNumber: d.serial, brand: 'Google', model: 'Pixel 8' },
    enrollmentTokenName: d.tokenName,
    enrollmentTokenData: d.tokenData,
    lastStatusReportTime: d.lastStatusReportTime,
    managementMode: d.managementMode,
    ownership: d.ownership,
  })

  const token = (req: FakeRequest): FakeResponse => {
    const f = new URLSearchParams(req.body)
    if (f.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Invalid grant_type' } }
    const claims = verifyAssertion(f.get('assertion') ?? '', key)
    if (!claims) return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } }
    if (
      claims['iss'] !== opts.serviceAccountEmail ||
      !String(claims['scope'] ?? '')
        .split(' ')
        .includes(SCOPE)
    )
      return { status: 400, body: { error: 'invalid_scope', error_description: 'Invalid issuer or scope.' } }
    const t = `ya29.amapi-${hex(12)}`
    accessTokens.add(t)
    return { status: 200, body: { access_token: t, expires_in: 3599, token_type: 'Bearer' } }
  }

  const handle = (req: FakeRequest): FakeResponse => {
    const path = decodeURIComponent(req.url.pathname)
    const q = req.url.searchParams
    if (req.method === 'POST' && path === '/token') return token(req)
    const auth = req.headers.authorization ?? ''
    if (!auth.startsWith('Bearer ') || !accessTokens.has(auth.slice(7)))
      return googleError(401, 'Request had invalid authentication credentials.', 'UNAUTHENTICATED')
    const body = req.body ? (JSON.parse(req.body) as Record<string, unknown>) : {}

    if (req.method === 'POST' && path === '/v1/signupUrls') {
      if (q.get('projectId') !== opts.projectId)
        return googleError(403, `Permission denied on project ${q.get('projectId')}.`, 'PERMISSION_DENIED')
      const name = `signupUrls/C${hex(8)}`
      signups.set(name, { name, callbackUrl: q.get('callbackUrl') ?? '', enterpriseToken: null })
      return {
        status: 200,
        body: {
          name,
          url: `https://enterprise.google.com/signup/android/email?origin=android&thirdPartyToken=${name.slice(11)}`,
        },
      }
    }
    if (req.method === 'POST' && path === '/v1/enterprises') {
      const signup = signups.get(q.get('signupUrlName') ?? '')
      if (!signup?.enterpriseToken || signup.enterpriseToken !== q.get('enterpriseToken'))
        return googleError(400, 'Invalid enterpriseToken or signupUrlName.', 'INVALID_ARGUMENT')
      const name = `enterprises/LC${hex(5)}`
      const e = { name, enterpriseDisplayName: (body['enterpriseDisplayName'] as string) ?? null, signinDetails: [] }
      enterprises.set(name, e)
      signups.delete(signup.name)
      return { status: 200, body: e }
    }
    let m = /^\/v1\/(enterprises\/[^/]+)$/.exec(path)
    if (m && req.method === 'PATCH') {
      const e = enterprises.get(m[1] as string)
      if (!e) return googleError(404, `Enterprise ${m[1]} not found.`, 'NOT_FOUND')
      if (q.get('updateMask') === 'signinDetails') {
        e.signinDetails = ((body['signinDetails'] ?? []) as Record<string, unknown>[]).map(d => ({
          ...d,
          signinEnrollmentToken: `SIGNIN${hex(6)}`,
          qrCode: JSON.stringify({ 'android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE': {} }),
        }))
      }
      return { status: 200, body: e }
    }
    m = /^\/v1\/(provisioningInfo\/[^/]+)$/.exec(path)
    if (m && req.method === 'GET') {
      const p = provisioning.get(m[1] as string)
      if (!p) return googleError(404, `${m[1]} not found.`, 'NOT_FOUND')
      return {
        status: 200,
        body: { ...p, brand: 'Google', apiLevel: 34, managementMode: 'DEVICE_OWNER', ownership: 'COMPANY_OWNED' },
      }
    }
    m = /^\/v1\/(enterprises\/[^/]+)\/policies\/([^/]+)$/.exec(path)
    if (m && req.method === 'PATCH') {
      if (!enterprises.has(m[1] as string)) return googleError(404, `Enterprise ${m[1]} not found.`, 'NOT_FOUND')
      const name = `${m[1]}/policies/${m[2]}`
      const before = policies.get(name)
      const version = String(Number(before?.version ?? '0') + 1)
      const { name: _n, version: _v, ...rest } = body
      const p = { name, version, body: rest }
      policies.set(name, p)
      return { status: 200, body: { ...rest, name, version } }
    }
    m = /^\/v1\/(enterprises\/[^/]+)\/enrollmentTokens$/.exec(path)
    if (m && req.method === 'POST') {
      const policyName = String(body['policyName'] ?? '')
      if (!policies.has(policyName)) return googleError(400, `Policy ${policyName} not found.`, 'INVALID_ARGUMENT')
      const seconds = Number(String(body['duration'] ?? '3600s').replace(/s$/, ''))
      const value = hex(10).toUpperCase()
      const t: FakeToken = {
        name: `${m[1]}/enrollmentTokens/${hex(8)}`,
        value,
        policyName,
        additionalData: String(body['additionalData'] ?? ''),
        oneTimeOnly: body['oneTimeOnly'] === true,
        used: false,
        expirationTimestamp: new Date(opts.now().getTime() + seconds * 1000).toISOString(),
      }
      tokens.set(value, t)
      // The qrCode is a JSON string (reference, EnrollmentToken.qrCode): the DPC provisioning extras with
      // the token in the admin extras bundle (provision-device guide).
      const qrCode = JSON.stringify({
        'android.app.extra.PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME':
          'com.google.android.apps.work.clouddpc/.receivers.CloudDeviceAdminReceiver',
        'android.app.extra.PROVISIONING_DEVICE_ADMIN_PACKAGE_DOWNLOAD_LOCATION':
          'https://play.google.com/managed/downloadManagingApp?identifier=setup',
        'android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE': {
          'com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN': value,
        },
      })
      return {
        status: 200,
        body: {
          name: t.name,
          value,
          qrCode,
          policyName,
          additionalData: t.additionalData,
          oneTimeOnly: t.oneTimeOnly,
          expirationTimestamp: t.expirationTimestamp,
        },
      }
    }
    m = /^\/v1\/(enterprises\/[^/]+)\/devices$/.exec(path)
    if (m && req.method === 'GET') {
      const all = [...devices.values()].filter(d => d.name.startsWith(`${m?.[1]}/`))
      const from = Number(q.get('pageToken') ?? '0')
      const size = Math.min(Number(q.get('pageSize') ?? '10'), pageSize)
      const page = all.slice(from, from + size)
      const next = from + size < all.length ? String(from + size) : undefined
      return { status: 200, body: { devices: page.map(wireDevice), ...(next ? { nextPageToken: next } : {}) } }
    }
    m = /^\/v1\/(enterprises\/[^/]+\/devices\/[^/:]+):issueCommand$/.exec(path)
    if (m && req.method === 'POST') {
      const d = devices.get(m[1] as string)
      if (!d) return googleError(404, `Device ${m[1]} not found.`, 'NOT_FOUND')
      // StartLostModeParams: at least one of them, the organization name aside (reference).
      const lost = body['startLostModeParams'] as Record<string, unknown> | undefined
      if (
        body['type'] === 'START_LOST_MODE' &&
        !['lostMessage', 'lostPhoneNumber', 'lostEmailAddress', 'lostStreetAddress'].some(k => lost?.[k] !== undefined)
      )
        return googleError(400, 'Lost mode needs a message, phone number, email or street address.', 'INVALID_ARGUMENT')
      d.commands.push(body)
      // The device acknowledges at once here; a relinquished device is then deleted from the server.
      if (body['type'] === 'RELINQUISH_OWNERSHIP') devices.delete(d.name)
      return {
        status: 200,
        body: {
          name: `${d.name}/operations/${Date.now()}${hex(2)}`,
          done: false,
          metadata: { '@type': 'type.googleapis.com/google.android.devicemanagement.v1.Command', ...body },
        },
      }
    }
    m = /^\/v1\/(enterprises\/[^/]+\/devices\/[^/:]+)$/.exec(path)
    if (m && req.method === 'DELETE') {
      const d = devices.get(m[1] as string)
      if (!d) return googleError(404, `Device ${m[1]} not found.`, 'NOT_FOUND')
      d.wiped = { flags: q.getAll('wipeDataFlags'), reason: q.get('wipeReasonMessage') }
      devices.delete(d.name)
      return { status: 200, body: {} }
    }
    return googleError(404, `The fake has no ${req.method} ${path}.`, 'NOT_FOUND')
  }

  const server = await startFakeServer(handle)

  return {
    url: server.url,
    server,
    enterprises,
    policies,
    tokens,
    devices,
    completeSignup(signupUrl) {
      const name = `signupUrls/${new URL(signupUrl).searchParams.get('thirdPartyToken')}`
      const s = signups.get(name)
      if (!s) throw new Error(`fake: no signup ${name}`)
      s.enterpriseToken = `EToken${hex(8)}`
      const back = new URL(s.callbackUrl)
      back.searchParams.set('enterpriseToken', s.enterpriseToken)
      return back.toString()
    },
    openSignin(enterprise, device) {
      const e = enterprises.get(enterprise)
      const url = (e?.signinDetails[0] as { signinUrl?: string } | undefined)?.signinUrl
      if (!url) throw new Error(`fake: ${enterprise} has no sign-in URL`)
      const name = `provisioningInfo/${hex(8)}`
      provisioning.set(name, { name, enterprise, serialNumber: device.serial, model: device.model ?? 'Pixel 8' })
      const open = new URL(url)
      open.searchParams.set('provisioningInfo', name)
      return open.toString()
    },
    provision(value, device) {
      const t = tokens.get(value)
      if (!t) throw new Error(`fake: no enrollment token ${value}`)
      if (t.used && t.oneTimeOnly) throw new Error('fake: the one-time token was used already')
      if (t.expirationTimestamp < iso()) throw new Error('fake: the enrollment token expired')
      t.used = true
      const d: SimDevice = {
        name: `${t.name.split('/enrollmentTokens/')[0]}/devices/${hex(8)}`,
        serial: device.serial,
        tokenName: t.name,
        tokenData: t.additionalData,
        policyName: t.policyName,
        state: 'PROVISIONING',
        appliedPolicyName: null,
        appliedPolicyVersion: null,
        policyCompliant: false,
        nonComplianceDetails: [],
        installed: new Set(),
        lagging: device.lag === true,
        failing: new Set(device.failing ?? []),
        lastStatusReportTime: iso(),
        commands: [],
        managementMode: device.managementMode ?? 'DEVICE_OWNER',
        ownership: device.ownership ?? 'COMPANY_OWNED',
        wiped: null,
      }
      devices.set(d.name, d)
      const policy = policies.get(d.policyName)
      if (policy && !d.lagging) apply(d, policy)
      return d
    },
    report(deviceName) {
      const d = devices.get(deviceName)
      if (!d) throw new Error(`fake: no device ${deviceName}`)
      const policy = policies.get(d.policyName)
      if (policy && !d.lagging) apply(d, policy)
      d.lastStatusReportTime = iso()
      return d
    },
    close: () => server.close(),
  }
}

// The Setup Assistant page: the ingress routes behind the profile's configuration_web_url.
// Setup Assistant opens GET /ade/enroll with the signed x-apple-aspen-deviceinfo header (only on
// this first load, Apple's "Authenticating through web views"); we verify it, match its serial
// to a device Apple lists for this MDM server, and send the person to the IdP. On the IdP's
// callback the JIT path runs before anything is answered: the person's attributes are read from
// the IdP, their groups evaluated, the device bound to them and its policies queued
// (devices.enroll); then the answer is the enrollment profile as application/x-apple-aspen-config,
// which closes the web view. So the device's first check-in finds its commands waiting.
// Refusals are 4xx with a message, never 401 (the ingress's rule for Apple routes).
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { JWTPayload } from 'jose'
import { AppError } from '../../../../shared/errors'
import type { Clock, Log } from '../../../ports'
import type { Store } from '../../../store'
import { HttpError } from '../../http-error'
import { REBIND_HELD } from '../../rebind'
import type { DeviceService } from '../../service'
import type { SignIn } from '../../signin'
import { MachineInfoError, verifyMachineInfo } from './machine-info'
import { ADE_ENROLL_PATH, ADE_MACHINE_INFO_PATH } from './service'

export const ADE_CALLBACK_PATH = '/ade/callback'

/** What the sign-in carries from the device information to the callback (sealed in `state`). */
export interface AdeSignInContext {
  serial: string
  udid: string
  platform: 'ios' | 'macos'
  product: string
}

type Route = (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams) => Promise<void>

export interface AdeRouteDeps {
  store: Store
  devices: DeviceService
  clock: Clock
  log: Log
  /** The IdP sign-in whose callback is ADE_CALLBACK_PATH. */
  signIn: SignIn<AdeSignInContext>
  /** PEM trust anchors for the device information (the Apple Root CA; a test chain in tests). */
  anchors: readonly string[]
  /** The directory user a verified ID token names (the ingress's rule), or an HttpError. */
  directoryUserOf(claims: JWTPayload): string
  /** Answers with the enrollment profile for the person who signed in (a fresh SCEP challenge). */
  sendProfile(res: ServerResponse, claims: JWTPayload): Promise<void>
}

/** macOS for a Mac's product name (Mac14,2, MacBookPro18,3, iMac21,1, VirtualMac2,1), else iOS. */
export const platformOfProduct = (product: string): 'ios' | 'macos' =>
  /^(i?Mac|VirtualMac)/i.test(product) ? 'macos' : 'ios'

/** Never a 401 on an Apple route: a directory or IdP refusal becomes 403. */
const noUnauthorized = (e: unknown): unknown =>
  e instanceof HttpError && e.status === 401 ? new HttpError(403, e.code, e.message, e.details) : e

export function adeRoutes(d: AdeRouteDeps): Record<string, Route> {
  const enroll: Route = async (req, res) => {
    const header = req.headers['x-apple-aspen-deviceinfo']
    if (typeof header !== 'string' || !header)
      throw new HttpError(
        400,
        'BAD_INPUT',
        'This page is opened by Setup Assistant on a device enrolled through Apple Business Manager: the x-apple-aspen-deviceinfo header is missing.',
      )
    let info: ReturnType<typeof verifyMachineInfo>
    try {
      info = verifyMachineInfo(header, d.anchors)
    } catch (e) {
      if (e instanceof MachineInfoError) throw new HttpError(400, 'UNAUTHORIZED', e.message)
      throw e
    }
    const ade = d.store.ade.device(info.SERIAL)
    if (!ade)
      throw new HttpError(
        403,
        'NOT_FOUND',
        `Serial ${info.SERIAL} is not assigned to this MDM server in Apple Business Manager. Assign it there, then run an ADE sync.`,
        { serial: info.SERIAL },
      )
    d.log.info('Setup Assistant opened the ADE sign-in', { serial: info.SERIAL, product: info.PRODUCT })
    const location = d.signIn.start({
      serial: info.SERIAL,
      udid: info.UDID,
      platform: platformOfProduct(info.PRODUCT),
      product: info.PRODUCT,
    })
    res.writeHead(302, { location, 'cache-control': 'no-store' })
    res.end()
  }

  const callback: Route = async (_req, res, _p, query) => {
    let signed: Awaited<ReturnType<SignIn<AdeSignInContext>['complete']>>
    try {
      signed = await d.signIn.complete(query)
    } catch (e) {
      if (e instanceof AppError) throw new HttpError(e.code === 'BAD_INPUT' ? 400 : 403, e.code, e.message, e.details)
      throw e
    }
    const { claims, context } = signed
    let upn: string
    try {
      upn = d.directoryUserOf(claims)
    } catch (e) {
      throw noUnauthorized(e)
    }
    // A serial bound to another person is left to Authenticate, which holds the move for an
    // admin with the identity the device then proves (approving binds that identity).
    const current = d.store.devices.enrollmentOf(context.serial)
    const userId = d.store.users.idByPrincipalName(upn)
    if (current?.userId && userId && current.userId !== userId) {
      d.log.warn('ADE device of another person: the move waits for an admin after Authenticate', {
        serial: context.serial,
      })
      return sendProfileSafely(res, claims)
    }
    try {
      const result = await d.devices.enroll({
        serial: context.serial,
        platform: context.platform,
        userPrincipalName: upn,
        rebind: 'hold',
      })
      d.log.info('ADE device bound before its profile', {
        deviceId: result.device.id,
        serial: context.serial,
        policies: result.policies.length,
      })
    } catch (e) {
      // Bound to another person in between: Authenticate holds it, as above.
      if (e instanceof AppError && e.details?.['reason'] === REBIND_HELD)
        d.log.warn('ADE re-enrollment held for an admin', { serial: context.serial })
      else if (e instanceof AppError)
        throw new HttpError(e.code === 'CONFLICT' ? 409 : 403, e.code, e.message, e.details)
      else throw e
    }
    return sendProfileSafely(res, claims)
  }

  const sendProfileSafely = async (res: ServerResponse, claims: JWTPayload) => {
    try {
      await d.sendProfile(res, claims)
    } catch (e) {
      throw noUnauthorized(e)
    }
  }

  return {
    [`GET ${ADE_ENROLL_PATH}`]: enroll,
    [`GET ${ADE_CALLBACK_PATH}`]: callback,
    // The profile's `url`: devices that cannot show configuration_web_url POST their MachineInfo
    // here for a profile without a sign-in; this server binds every device to a person first.
    [`POST ${ADE_MACHINE_INFO_PATH}`]: async () => {
      throw new HttpError(
        403,
        'UNAUTHORIZED',
        'This server enrolls Automated Device Enrollment devices only after a sign-in (configuration_web_url); this OS version does not support it.',
      )
    },
  }
}

/**
 * At Authenticate: an ADE device bound to its person at the Setup Assistant callback, with no
 * identity yet, takes the identity issued for that same person — no second JIT read or
 * re-enrollment. Null when this is not that case (the ingress's usual path decides).
 */
export function adoptAdeIdentity(
  store: Store,
  m: { udid: string; serial: string; fingerprint: string; userId: string },
  at: Date,
): string | null {
  if (!store.ade.device(m.serial)) return null
  const enrolled = store.devices.enrollmentOf(m.serial)
  if (!enrolled || enrolled.userId !== m.userId || enrolled.identityFingerprint || store.outbox.appleByUdid(m.udid))
    return null
  store.transaction(() => {
    store.outbox.bindAppleIdentity(enrolled.deviceId, m.udid, m.fingerprint)
    store.devices.markSeen(enrolled.deviceId, at.toISOString())
  })
  return enrolled.deviceId
}

// The ingress's Android Enterprise routes (spread into the ingress's route table):
// - GET /android/enterprise/signin: the enterprise's sign-in URL (signinDetails[].signinUrl).
//   Android Device Policy opens it during setup with a `provisioningInfo` query parameter naming
//   provisioningInfo/{id}, which provisioningInfo.get turns into the device's serial, model and
//   enterprise (reference: provisioningInfo.get; the parameter's name as baytonorg/flash_mdm reads
//   it). The user is sent to the IdP.
// - GET /android/enterprise/callback: the IdP's answer. The person is identified as on /enroll (the
//   IdP's immutable id, else a verified email), bound to a new device now (JIT: attributes fetched,
//   groups evaluated, policy written), and sent to https://enterprise.google.com/android/enroll?et=
//   <token> with a one-time enrollment token for that device's policy — or to
//   https://enterprise.google.com/android/enroll/invalid when the sign-in failed (SigninDetail.signinUrl).
// - GET /android/enterprise/bound: Google's return from the enterprise signup, enterpriseToken appended.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { JWTPayload } from 'jose'
import { AppError, errorMessage } from '../../../shared/errors'
import type { Clock, Log } from '../../ports'
import type { Store } from '../../store'
import type { IdpHttp } from '../http'
import { createRateLimiter } from '../rate-limit'
import { createSignIn, type SignInProvider } from '../signin'
import { directoryUserOf } from '../signin/directory-user'
import { SIGNIN_PATH, SIGNUP_CALLBACK_PATH, type AndroidEnterprise } from './service'

export const ENROLL_SUCCESS = 'https://enterprise.google.com/android/enroll'
export const ENROLL_INVALID = 'https://enterprise.google.com/android/enroll/invalid'
const CALLBACK_PATH = '/android/enterprise/callback'

type Route = (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams) => Promise<void>

interface SigninContext {
  provisioningInfo: string
  serial?: string
  model?: string
}

const redirect = (res: ServerResponse, location: string) => {
  res.writeHead(302, { location, 'cache-control': 'no-store' })
  res.end()
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string)

/** The redirect URI to register with the IdP for Android sign-ins, besides /enroll/callback. */
export const androidRedirectUri = (ingressUrl: string): string => `${ingressUrl.replace(/\/$/, '')}${CALLBACK_PATH}`

export async function androidIngressRoutes(o: {
  android?: AndroidEnterprise
  store: Store
  clock: Clock
  log: Log
  oidc: SignInProvider
  http: IdpHttp
  url: string
  enrollStartsPerMinute?: number
}): Promise<Record<string, Route>> {
  const android = o.android
  if (!android) return {}
  const signIn = await createSignIn<SigninContext>({
    provider: o.oidc,
    redirectUri: androidRedirectUri(o.url),
    clock: o.clock,
    http: o.http,
  })
  const limiter = createRateLimiter({ perMinute: o.enrollStartsPerMinute ?? 30, now: () => o.clock.now().getTime() })

  const directoryUser = (claims: JWTPayload): string => directoryUserOf(o.store.users, claims, o.oidc)

  /** A failed device sign-in ends where Android Device Policy expects it; the reason goes to the log. */
  const fail = (res: ServerResponse, step: string, e: unknown) => {
    o.log.warn('android sign-in enrollment refused', {
      step,
      code: e instanceof AppError ? e.code : 'INTERNAL',
      error: errorMessage(e),
    })
    redirect(res, ENROLL_INVALID)
  }

  return {
    [`GET ${SIGNIN_PATH}`]: async (req, res, _p, query) => {
      const wait = limiter.take(req.socket.remoteAddress ?? '')
      if (wait > 0) {
        res.writeHead(429, { 'retry-after': String(wait), 'content-type': 'text/plain' })
        return void res.end(`Too many enrollments from this address; try again in ${wait} s.`)
      }
      const name = query.get('provisioningInfo') ?? ''
      try {
        if (!/^(provisioningInfo\/)?[A-Za-z0-9_-]{1,200}$/.test(name))
          throw new AppError('BAD_INPUT', 'The sign-in URL was opened without a provisioningInfo identifier.')
        const info = await android.provisioningInfo(name)
        const enterprise = o.store.android.enterprise()?.name
        if (info.enterprise && info.enterprise !== enterprise)
          throw new AppError('UNAUTHORIZED', `The device is provisioning into ${info.enterprise}, not ${enterprise}.`)
        redirect(
          res,
          signIn.start({
            provisioningInfo: info.name ?? name,
            ...(info.serialNumber ? { serial: info.serialNumber } : {}),
            ...(info.model ? { model: [info.brand, info.model].filter(Boolean).join(' ') } : {}),
          }),
        )
      } catch (e) {
        fail(res, 'start', e)
      }
    },
    [`GET ${CALLBACK_PATH}`]: async (_req, res, _p, query) => {
      try {
        const { claims, context } = await signIn.complete(query)
        const upn = directoryUser(claims)
        const token = await android.enrollUser({
          userPrincipalName: upn,
          ...(context.serial ? { serial: context.serial } : {}),
          ...(context.model ? { name: context.model } : {}),
          via: 'signin',
        })
        o.log.info('android device enrolled by sign-in', { deviceId: token.deviceId, userPrincipalName: upn })
        redirect(res, `${ENROLL_SUCCESS}?et=${encodeURIComponent(token.value)}`)
      } catch (e) {
        fail(res, 'callback', e)
      }
    },
    [`GET ${SIGNUP_CALLBACK_PATH}`]: async (_req, res, _p, query) => {
      const status = await android.completeSignup(query.get('state') ?? '', query.get('enterpriseToken') ?? '')
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      res.end(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Android Enterprise bound</title></head><body><h1>Android Enterprise bound</h1><p>JIT Mapper now manages Android devices in ${escapeHtml(status.enterprise?.displayName ?? status.enterprise?.name ?? '')}. You can close this page.</p></body></html>`,
      )
    },
  }
}

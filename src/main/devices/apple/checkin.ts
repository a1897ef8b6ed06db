// Apple MDM check-in messages (PUT to the CheckInURL) and command results (PUT to the ServerURL),
// given the parsed property list and a way to authenticate the device it names. The HTTP side
// (TLS, reading the body, proving the identity certificate) stays in the ingress; this module
// decides what each message does and what the device is answered. Answers are values: a plist
// (or an empty 200), or a refusal with the status Apple prescribes.
//
// Message keys: Apple's device-management schema, mdm/checkin/*.yaml. Behaviour where Apple leaves
// a choice follows micromdm/nanomdm (service/nanomdm/service.go, ua.go; mdm/type.go):
// - Channels. A message with UserID (Shared iPad: UserShortName) is from a user channel; each
//   channel has its own push identity and its own command queue. The device channel's commands
//   never reach a user channel, nor the other way round.
// - UserAuthenticate is answered 410 Gone: "don't manage this user" for that login session
//   (nanomdm's default). We do not run the digest challenge; local users on a Mac reach the user
//   channel without it (UserAuthenticate is for network and mobile accounts).
// - DeclarativeManagement: we never send the DeclarativeManagement command that enables it on a
//   device, so a DDM check-in is refused with 404 (Apple prescribes 404 for a declaration the
//   server does not hold; nanomdm without a DDM handler fails with 500, which we avoid).
// - GetToken: no token service (com.apple.maid, watch pairing) is offered; 400, as Apple
//   prescribes for a TokenServiceType the server does not know (and the enrollment profile does
//   not advertise com.apple.mdm.token).
// - Account-driven User Enrollment (EnrollmentID, no UDID) is refused with 400 and a message that
//   says so: a device here is bound by its UDID and the identity issued at enrollment.
// - An unknown MessageType is 400, as in nanomdm. No refusal here is 401: a device removes its
//   MDM profile on 401 (Apple, "Terminating a management relationship").
import { HttpError } from '../http-error'
import { z } from 'zod'
import type { CommandType } from '../../../shared/domain'
import type { Clock, Log } from '../../ports'
import type { Store } from '../../store'
import { mdmCommand } from '../mdm-commands'
import type { PlistValue } from '../plist'
import type { DeviceService } from '../service'
import { factsFromAuthenticate, factsFromResult, profilesOf } from './reports'
import { actionResult, forgetWhatWasSent } from '../actions/results'

export type AppleAnswer =
  | { ok: true; body: PlistValue | null }
  | { ok: false; status: number; code: string; message: string; details?: Record<string, unknown> }

/**
 * Proves the request comes from the device with this UDID; returns its device id or throws. With
 * an Authenticate message it binds the device first (the enrollment): null then means the binding
 * waits for an admin, and the message is answered without being recorded.
 */
export type Authenticate = (
  udid: string,
  authenticate?: Record<string, PlistValue>,
) => string | null | Promise<string | null>

export interface AppleMdmDeps {
  store: Store
  devices: DeviceService
  clock: Clock
  log: Log
  /** DER of the ingress TLS certificate: the FileVault recovery key is escrowed to it (FDERecoveryKeyEscrow). */
  escrowCertificate?: Uint8Array
}

export interface AppleMdm {
  /** A check-in message (Authenticate, TokenUpdate, CheckOut, …). */
  checkIn(message: Record<string, PlistValue>, authenticate: Authenticate): Promise<AppleAnswer>
  /** A command result or Idle on the command connection; answered with the next command of that channel. */
  report(message: Record<string, PlistValue>, authenticate: (udid: string) => string): Promise<AppleAnswer>
}

/** Shared iPad users all send this UserID; their channel is named by UserShortName (Apple, tokenupdate.yaml). */
export const SHARED_IPAD_USER_ID = 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF'

/** Which enrollment and channel a message comes from (after nanomdm's mdm/type.go Resolved). */
export type Channel =
  | { kind: 'device'; udid: string }
  | { kind: 'user'; udid: string; channel: string; shortName: string | null; longName: string | null }
  | { kind: 'user-enrollment'; enrollmentId: string; enrollmentUserId: string | null }

const str = (m: Record<string, PlistValue>, k: string): string | null => {
  const v = m[k]
  return typeof v === 'string' && v.length > 0 ? v : null
}

/** The channel a message names, or null when it names none (no UDID, no EnrollmentID). */
export function channelOf(m: Record<string, PlistValue>): Channel | null {
  const udid = str(m, 'UDID')
  if (udid) {
    const userId = str(m, 'UserID')
    if (!userId) return { kind: 'device', udid }
    const shortName = str(m, 'UserShortName')
    const longName = str(m, 'UserLongName')
    const channel = userId === SHARED_IPAD_USER_ID ? shortName : userId
    return channel ? { kind: 'user', udid, channel, shortName, longName } : null
  }
  const enrollmentId = str(m, 'EnrollmentID')
  return enrollmentId ? { kind: 'user-enrollment', enrollmentId, enrollmentUserId: str(m, 'EnrollmentUserID') } : null
}

const id = z.string().min(1).max(200)
const name = z.string().max(500).optional()
/** The keys every message's channel is read from, checked before anything else. */
const channelKeys = z
  .object({ UDID: id.optional(), EnrollmentID: id.optional(), UserID: id.optional(), UserShortName: name })
  .loose()
const token = z.instanceof(Uint8Array).refine(b => b.length > 0 && b.length <= 256, 'must be 1 to 256 bytes')
const secret = z.instanceof(Uint8Array).refine(b => b.length <= 64 * 1024, 'must be at most 64 KiB')
const messages = {
  Authenticate: z.object({ Topic: z.string().max(300).optional() }).loose(),
  TokenUpdate: z
    .object({
      Topic: z.string().min(1).max(300),
      Token: token,
      PushMagic: z.string().min(1).max(300),
      UnlockToken: secret.optional(),
      UserLongName: name,
    })
    .loose(),
  CheckOut: z.object({}).loose(),
  UserAuthenticate: z.object({ DigestResponse: z.string().max(4096).optional() }).loose(),
  SetBootstrapToken: z.object({ BootstrapToken: secret.optional() }).loose(),
  GetBootstrapToken: z.object({}).loose(),
  DeclarativeManagement: z.object({ Endpoint: z.string().min(1).max(1000) }).loose(),
  GetToken: z.object({ TokenServiceType: z.string().min(1).max(200) }).loose(),
} as const
type MessageType = keyof typeof messages
const messageType = z.enum(Object.keys(messages) as [MessageType, ...MessageType[]])
/** Messages Apple sends only on the device channel (mdm/checkin/*.yaml: userchannel false). */
const DEVICE_CHANNEL_ONLY: ReadonlySet<MessageType> = new Set([
  'Authenticate',
  'CheckOut',
  'SetBootstrapToken',
  'GetBootstrapToken',
])

/** Commands whose effect the device's app and profile lists show (verified after each batch). */
const DELIVERIES: ReadonlySet<CommandType> = new Set([
  'install_app',
  'remove_app',
  'install_profile',
  'remove_profile',
  'apply_restrictions',
])

const QUERIES: ReadonlySet<CommandType> = new Set([
  'device_information',
  'security_info',
  'installed_application_list',
  'profile_list',
])

const commandReport = z
  .object({
    Status: z.enum(['Idle', 'Acknowledged', 'Error', 'CommandFormatError', 'NotNow']),
    CommandUUID: z.string().min(1).max(200).optional(),
    ErrorChain: z.array(z.object({ LocalizedDescription: z.string().optional() }).loose()).optional(),
  })
  .loose()

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value)
  if (!r.success) {
    const fields = r.error.issues.map(i => ({ path: i.path.join('.') || '(body)', message: i.message }))
    throw new HttpError(400, 'BAD_INPUT', `Invalid ${what}: ${fields.map(f => `${f.path}: ${f.message}`).join('; ')}`, {
      fields,
    })
  }
  return r.data
}

const USER_ENROLLMENT_REFUSED =
  'Account-driven User Enrollment (a device that sends EnrollmentID and no UDID) is not supported: JIT Mapper binds each device by its UDID and the identity issued at enrollment. Enroll the device with the profile from the sign-in page instead.'

/** The channel of a message that must name one: a device or user channel of a device enrollment. */
function deviceEnrollmentChannel(message: Record<string, PlistValue>): Exclude<Channel, { kind: 'user-enrollment' }> {
  parse(channelKeys, message, 'message')
  const ch = channelOf(message)
  if (!ch)
    throw new HttpError(400, 'BAD_INPUT', 'The message names no device: it needs UDID (or EnrollmentID).', {
      fields: [{ path: 'UDID', message: 'required' }],
    })
  if (ch.kind === 'user-enrollment')
    throw new HttpError(400, 'USER_ENROLLMENT_UNSUPPORTED', USER_ENROLLMENT_REFUSED, { enrollmentId: ch.enrollmentId })
  return ch
}

const answered = async (work: () => Promise<PlistValue | null>): Promise<AppleAnswer> => {
  try {
    return { ok: true, body: await work() }
  } catch (e) {
    if (e instanceof HttpError)
      return { ok: false, status: e.status, code: e.code, message: e.message, details: e.details }
    throw e
  }
}

export function createAppleMdm(deps: AppleMdmDeps): AppleMdm {
  const { store, devices, clock, log } = deps

  const wakeSafely = () =>
    devices.pump().catch((e: unknown) => log.error('push after check-in failed', { error: String(e) }))

  const channelName = (ch: Channel) => (ch.kind === 'user' ? `user channel ${ch.channel}` : 'device channel')

  const handlers: {
    [T in MessageType]: (
      deviceId: string,
      ch: Exclude<Channel, { kind: 'user-enrollment' }>,
      msg: z.output<(typeof messages)[T]>,
      at: string,
    ) => Promise<PlistValue | null>
  } = {
    // The MDM profile is being installed (or renewed): the device is enrolled again, and asked
    // once what it is; the queries wait until its TokenUpdate lets us push.
    Authenticate: async (deviceId, _ch, msg, at) => {
      const wasCheckedOut = store.apple.checkedOutAt(deviceId) !== null
      store.transaction(() => {
        store.devices.markSeen(deviceId, at)
        store.apple.setCheckedOut(deviceId, null)
        // A loose parse keeps every key of the property list as it was read.
        store.apple.putFacts(deviceId, factsFromAuthenticate(msg as Record<string, PlistValue>))
      })
      if (wasCheckedOut) log.info('device enrolled again after checking out', { deviceId })
      await devices.queryAfterEnrollment(deviceId)
      return null
    },
    TokenUpdate: async (deviceId, ch, msg, at) => {
      // The URL path of an APNs request uses the hex of the token bytes (POST /3/device/<hex>,
      // Apple, "Sending notification requests to APNs").
      const tokenHex = Buffer.from(msg.Token).toString('hex')
      store.transaction(() => {
        if (ch.kind === 'user') {
          store.apple.putUserChannel(
            deviceId,
            {
              channel: ch.channel,
              shortName: ch.shortName,
              longName: ch.longName,
              pushToken: tokenHex,
              pushTopic: msg.Topic,
              pushMagic: msg.PushMagic,
            },
            at,
          )
          store.devices.markSeen(deviceId, at)
          return
        }
        store.outbox.setApplePush(deviceId, tokenHex, msg.Topic, msg.PushMagic, at)
        // Kept for ClearPasscode (tokenupdate.yaml: "the server should remember this data").
        if (msg.UnlockToken) store.apple.setUnlockToken(deviceId, msg.UnlockToken)
        store.outbox.rearm(deviceId, at)
      })
      // Either channel's queue may have commands that waited for this token.
      await wakeSafely()
      return null
    },
    // Sent (best effort) when the MDM profile is removed: nothing can reach the device any more.
    // Its commands are held, not dropped, and its record and history stay.
    CheckOut: async (deviceId, _ch, _msg, at) => {
      store.transaction(() => {
        store.outbox.markTokenStale(
          deviceId,
          store.outbox.pushTarget(deviceId)?.pushToken ?? '',
          'The device checked out (its MDM profile was removed)',
          at,
          at,
        )
        store.outbox.hold(deviceId)
        store.apple.setCheckedOut(deviceId, at)
        store.audit.append({ at, actor: 'device', action: 'devices/checkOut', subject: deviceId, details: {} })
      })
      log.info('device checked out', { deviceId })
      return null
    },
    UserAuthenticate: async (deviceId, ch) => {
      log.info('declined to manage a network or mobile user', { deviceId, channel: channelName(ch) })
      throw new HttpError(
        410,
        'USER_NOT_MANAGED',
        'JIT Mapper does not manage network or mobile accounts on this Mac (UserAuthenticate is declined for this login session).',
      )
    },
    // A missing or empty token removes the stored one (setbootstraptoken.yaml).
    SetBootstrapToken: async (deviceId, _ch, msg, at) => {
      store.transaction(() => {
        store.apple.setBootstrapToken(deviceId, msg.BootstrapToken ?? null)
        store.devices.markSeen(deviceId, at)
      })
      return null
    },
    // Without a stored token the answer is empty, as in nanomdm (the key is optional).
    GetBootstrapToken: async deviceId => {
      const stored = store.apple.bootstrapToken(deviceId)
      return stored ? { BootstrapToken: stored } : null
    },
    DeclarativeManagement: async (_deviceId, _ch, msg) => {
      throw new HttpError(
        404,
        'DECLARATIVE_MANAGEMENT_UNSUPPORTED',
        `Declarative Management is not offered by this server; it has nothing at ${msg.Endpoint.slice(0, 200)}.`,
        { endpoint: msg.Endpoint.slice(0, 200) },
      )
    },
    GetToken: async (_deviceId, _ch, msg) => {
      throw new HttpError(
        400,
        'BAD_INPUT',
        `This server offers no token service; ${msg.TokenServiceType.slice(0, 200)} is not one it knows.`,
        { tokenServiceType: msg.TokenServiceType.slice(0, 200) },
      )
    },
  }

  /** Runs a type's handler on a message parsed by that type's schema. */
  const handle = (
    type: MessageType,
    deviceId: string,
    ch: Exclude<Channel, { kind: 'user-enrollment' }>,
    msg: unknown,
    at: string,
  ) => {
    const handler = handlers[type] as (
      deviceId: string,
      ch: Exclude<Channel, { kind: 'user-enrollment' }>,
      msg: unknown,
      at: string,
    ) => Promise<PlistValue | null>
    return handler(deviceId, ch, msg, at)
  }

  return {
    checkIn: (message, authenticate) =>
      answered(async () => {
        const kind = message['MessageType']
        const type = messageType.safeParse(kind)
        if (!type.success)
          throw new HttpError(
            400,
            'BAD_INPUT',
            `Unknown check-in MessageType ${JSON.stringify(typeof kind === 'string' ? kind.slice(0, 100) : (kind ?? null))}.`,
            { fields: [{ path: 'MessageType', message: 'unknown' }] },
          )
        const ch = deviceEnrollmentChannel(message)
        if (ch.kind === 'user' && DEVICE_CHANNEL_ONLY.has(type.data))
          throw new HttpError(
            400,
            'BAD_INPUT',
            `${type.data} is a device-channel message; it came on ${channelName(ch)}.`,
          )
        // Everything is checked before the device is authenticated or anything is stored.
        const msg = parse(messages[type.data], message, `${type.data} message`)
        const deviceId = await authenticate(ch.udid, type.data === 'Authenticate' ? message : undefined)
        if (deviceId === null) return null
        return handle(type.data, deviceId, ch, msg, clock.now().toISOString())
      }),

    report: (message, authenticate) =>
      answered(async () => {
        const r = parse(commandReport, message, 'command report')
        const ch = deviceEnrollmentChannel(message)
        const deviceId = authenticate(ch.udid)
        const channel = ch.kind === 'user' ? ch.channel : null
        const at = clock.now().toISOString()
        let deliveredNow = false
        if (r.Status !== 'Idle') {
          if (!r.CommandUUID)
            throw new HttpError(400, 'BAD_INPUT', `A ${r.Status} report needs CommandUUID.`, {
              fields: [{ path: 'CommandUUID', message: 'required' }],
            })
          const command = store.devices.command(deviceId, r.CommandUUID)
          // A result on one channel never closes a command of another channel's queue.
          if (!command || command.channel !== channel)
            throw new HttpError(
              404,
              'NOT_FOUND',
              `The ${channelName(ch)} of ${ch.udid} has no command ${r.CommandUUID}.`,
            )
          if (r.Status === 'NotNow') {
            // The device will poll again when it can; keep the order by sending nothing else now.
            store.devices.markSeen(deviceId, at)
            return null
          }
          const error =
            r.Status === 'Acknowledged'
              ? null
              : r.ErrorChain?.map(e => e.LocalizedDescription)
                  .filter(Boolean)
                  .join('; ') || r.Status
          const { changed } = devices.outbox.answer(
            deviceId,
            r.CommandUUID,
            r.Status === 'Acknowledged' ? 'acknowledged' : 'error',
            error,
          )
          if (changed && r.Status === 'Acknowledged') {
            recordAnswer(deviceId, channel, command.type, message, at)
            const kept = actionResult(command.type, message)
            if (kept)
              store.commandResults.put({ commandId: command.id, deviceId, type: command.type, result: kept, at })
            forgetWhatWasSent(store, deviceId, command.type)
          }
          deliveredNow = changed && r.Status === 'Acknowledged' && channel === null && DELIVERIES.has(command.type)
        } else {
          store.devices.markSeen(deviceId, at)
        }
        let next = devices.outbox.next(deviceId, channel)
        // The batch is done: the device's own lists confirm it, asked in this same session.
        if (!next && deliveredNow && devices.queueVerification(deviceId)) next = devices.outbox.next(deviceId, channel)
        if (!next) return null
        // The UnlockToken stays sealed in the store until the one command that carries it is handed out.
        const unlockToken = next.type === 'clear_passcode' ? store.apple.unlockToken(deviceId) : null
        return mdmCommand(next, { escrowCertificate: deps.escrowCertificate, unlockToken })
      }),
  }

  /** Stores what an acknowledged query says: the device's facts, or a user channel's profiles. */
  function recordAnswer(
    deviceId: string,
    channel: string | null,
    type: CommandType,
    result: Record<string, PlistValue>,
    at: string,
  ): void {
    if (channel !== null) {
      const profiles = type === 'profile_list' ? profilesOf(result) : null
      if (profiles) store.apple.putUserChannelProfiles(deviceId, channel, profiles, at)
      return
    }
    const facts = factsFromResult(type, result, at)
    if (facts) store.apple.putFacts(deviceId, facts)
    else if (QUERIES.has(type)) log.warn('a query was acknowledged without its answer', { deviceId, type })
  }
}

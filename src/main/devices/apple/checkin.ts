// Apple MDM check-in messages (PUT to the CheckInURL) and command results (PUT to the ServerURL),
// given the parsed property list and a way to authenticate the device it names. The HTTP side
// (TLS, reading the body, proving the identity certificate) stays in the ingress; this module
// decides what each message does and what the device is answered. Answers are values: a plist
// (or an empty 200), or a refusal with the status Apple prescribes.
import { z } from 'zod'
import type { Clock, Log } from '../../ports'
import type { Store } from '../../store'
import { mdmCommand } from '../mdm-commands'
import type { PlistValue } from '../plist'
import type { DeviceService } from '../service'

export type AppleAnswer =
  | { ok: true; body: PlistValue | null }
  | { ok: false; status: number; code: string; message: string; details?: Record<string, unknown> }

/** Proves the request comes from the enrolled device with this UDID; returns its device id or throws. */
export type Authenticate = (udid: string) => string

export interface AppleMdmDeps {
  store: Store
  devices: DeviceService
  clock: Clock
  log: Log
}

export interface AppleMdm {
  /** A check-in message (Authenticate, TokenUpdate, CheckOut, …). */
  checkIn(message: Record<string, PlistValue>, authenticate: Authenticate): Promise<AppleAnswer>
  /** A command result or Idle on the command connection; answered with the next command. */
  report(message: Record<string, PlistValue>, authenticate: Authenticate): Promise<AppleAnswer>
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
  }
}

const udid = z.string().min(1).max(200)
const checkInMessage = z.discriminatedUnion('MessageType', [
  z.object({ MessageType: z.literal('Authenticate'), UDID: udid, Topic: z.string().max(300).optional() }),
  z.object({
    MessageType: z.literal('TokenUpdate'),
    UDID: udid,
    Topic: z.string().min(1).max(300),
    Token: z.instanceof(Uint8Array).refine(b => b.length > 0 && b.length <= 256, 'must be 1 to 256 bytes'),
    PushMagic: z.string().min(1).max(300),
  }),
  z.object({ MessageType: z.literal('CheckOut'), UDID: udid }),
])
const commandReport = z.object({
  UDID: udid,
  Status: z.enum(['Idle', 'Acknowledged', 'Error', 'CommandFormatError', 'NotNow']),
  CommandUUID: z.string().min(1).max(200).optional(),
  ErrorChain: z.array(z.object({ LocalizedDescription: z.string().optional() }).loose()).optional(),
})

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value)
  if (!r.success) {
    const fields = r.error.issues.map(i => ({ path: i.path.join('.') || '(body)', message: i.message }))
    throw new Refusal(400, 'BAD_INPUT', `Invalid ${what}: ${fields.map(f => `${f.path}: ${f.message}`).join('; ')}`, {
      fields,
    })
  }
  return r.data
}

const answered = async (work: () => Promise<PlistValue | null>): Promise<AppleAnswer> => {
  try {
    return { ok: true, body: await work() }
  } catch (e) {
    if (e instanceof Refusal)
      return { ok: false, status: e.status, code: e.code, message: e.message, details: e.details }
    throw e
  }
}

export function createAppleMdm(deps: AppleMdmDeps): AppleMdm {
  const { store, devices, clock, log } = deps

  const wakeSafely = () =>
    devices.pump().catch((e: unknown) => log.error('push after check-in failed', { error: String(e) }))

  return {
    checkIn: (message, authenticate) =>
      answered(async () => {
        const msg = parse(checkInMessage, message, 'check-in')
        const deviceId = authenticate(msg.UDID)
        const at = clock.now().toISOString()
        if (msg.MessageType === 'Authenticate') {
          store.devices.markSeen(deviceId, at)
        } else if (msg.MessageType === 'TokenUpdate') {
          // The URL path of an APNs request uses the hex of the token bytes (POST /3/device/<hex>,
          // Apple, "Sending notification requests to APNs").
          store.transaction(() => {
            store.outbox.setApplePush(deviceId, Buffer.from(msg.Token).toString('hex'), msg.Topic, msg.PushMagic, at)
            store.outbox.rearm(deviceId, at)
          })
          await wakeSafely()
        } else {
          store.transaction(() => {
            store.outbox.markTokenStale(
              deviceId,
              store.outbox.pushTarget(deviceId)?.pushToken ?? '',
              'The device checked out (its MDM profile was removed)',
              at,
              at,
            )
            store.outbox.hold(deviceId)
          })
        }
        return null
      }),

    report: (message, authenticate) =>
      answered(async () => {
        const r = parse(commandReport, message, 'command report')
        const deviceId = authenticate(r.UDID)
        if (r.Status !== 'Idle') {
          if (!r.CommandUUID)
            throw new Refusal(400, 'BAD_INPUT', `A ${r.Status} report needs CommandUUID.`, {
              fields: [{ path: 'CommandUUID', message: 'required' }],
            })
          if (!store.devices.command(deviceId, r.CommandUUID))
            throw new Refusal(404, 'NOT_FOUND', `Device ${r.UDID} has no command ${r.CommandUUID}.`)
          if (r.Status === 'NotNow') {
            // The device will poll again when it can; keep the order by sending nothing else now.
            store.devices.markSeen(deviceId, clock.now().toISOString())
            return null
          }
          const error =
            r.Status === 'Acknowledged'
              ? null
              : r.ErrorChain?.map(e => e.LocalizedDescription)
                  .filter(Boolean)
                  .join('; ') || r.Status
          devices.outbox.answer(deviceId, r.CommandUUID, r.Status === 'Acknowledged' ? 'acknowledged' : 'error', error)
        }
        const next = devices.outbox.next(deviceId)
        return next ? mdmCommand(next) : null
      }),
  }
}

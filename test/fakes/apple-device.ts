// A simulated Apple MDM device: it starts enrollment with its identity certificate, signs its
// user in at the IdP, checks in (Authenticate, TokenUpdate), waits for its APNs push, then
// polls the server URL (Idle → command → Acknowledged → next …) as Apple's MDM protocol says.
import https from 'node:https'
import { randomBytes } from 'node:crypto'
import { buildPlist, parsePlist, type PlistValue } from '../../src/main/devices/plist'
import type { FakeApns } from './apns'
import { request, type Reply } from './https-client'
import type { Identity } from './pki'

export interface ExecutedCommand {
  uuid: string
  requestType: string
  command: Record<string, PlistValue>
}

export class AppleDevice {
  readonly token = randomBytes(32)
  readonly pushMagic = `magic-${randomBytes(8).toString('hex')}`
  readonly executed: ExecutedCommand[] = []
  private readonly agent: https.Agent
  /** Answers this device gives instead of Acknowledged, by RequestType. */
  readonly refuse = new Map<string, 'Error' | 'NotNow'>()

  constructor(
    readonly o: {
      serverUrl: string
      ca: string
      identity: Identity
      udid: string
      serial: string
      topic: string
      platform?: 'ios' | 'macos'
    },
  ) {
    this.agent = new https.Agent({ keepAlive: true, ca: o.ca, cert: o.identity.certPem, key: o.identity.keyPem })
  }

  get tokenHex(): string {
    return this.token.toString('hex')
  }

  private send(path: string, method: string, body?: string): Promise<Reply> {
    return request(`${this.o.serverUrl}${path}`, {
      method,
      body,
      ca: this.o.ca,
      agent: this.agent,
      headers: body ? { 'content-type': 'application/x-apple-aspen-mdm-checkin' } : {},
    })
  }

  /** Enrollment with sign-in; returns the server's answer to the IdP callback. */
  async enroll(user: string): Promise<Reply> {
    const q = new URLSearchParams({ platform: this.o.platform ?? 'ios', serial: this.o.serial, udid: this.o.udid })
    const start = await this.send(`/enroll/start?${q}`, 'GET')
    if (start.status !== 302) return start
    const authorize = await request(String(start.headers.location), { ca: this.o.ca, headers: { 'x-test-user': user } })
    if (authorize.status !== 302) return authorize
    const callback = new URL(String(authorize.headers.location))
    return this.send(`${callback.pathname}${callback.search}`, 'GET')
  }

  checkIn(message: Record<string, PlistValue>): Promise<Reply> {
    return this.send('/mdm/checkin', 'PUT', buildPlist({ UDID: this.o.udid, ...message }))
  }

  async authenticateAndRegister(): Promise<void> {
    const a = await this.checkIn({ MessageType: 'Authenticate', Topic: this.o.topic })
    if (a.status !== 200) throw new Error(`Authenticate refused: ${a.status} ${a.body}`)
    const t = await this.checkIn({
      MessageType: 'TokenUpdate',
      Topic: this.o.topic,
      Token: new Uint8Array(this.token),
      PushMagic: this.pushMagic,
    })
    if (t.status !== 200) throw new Error(`TokenUpdate refused: ${t.status} ${t.body}`)
  }

  waitForPush(apns: FakeApns) {
    return apns.nextPush(this.tokenHex)
  }

  report(message: Record<string, PlistValue>): Promise<Reply> {
    return this.send('/mdm/server', 'PUT', buildPlist({ UDID: this.o.udid, ...message }))
  }

  /** Polls until the server has nothing more (or the device said NotNow); returns what it ran. */
  async poll(): Promise<ExecutedCommand[]> {
    const ran: ExecutedCommand[] = []
    let reply = await this.report({ Status: 'Idle' })
    for (;;) {
      if (reply.status !== 200) throw new Error(`command connection refused: ${reply.status} ${reply.body}`)
      if (reply.body === '') return ran
      const msg = parsePlist(reply.body) as {
        CommandUUID: string
        Command: Record<string, PlistValue> & { RequestType: string }
      }
      const refusal = this.refuse.get(msg.Command.RequestType)
      if (refusal === 'NotNow') {
        await this.report({ Status: 'NotNow', CommandUUID: msg.CommandUUID })
        return ran
      }
      const done = { uuid: msg.CommandUUID, requestType: msg.Command.RequestType, command: msg.Command }
      if (!refusal) {
        this.executed.push(done)
        ran.push(done)
      }
      reply = await this.report(
        refusal === 'Error'
          ? {
              Status: 'Error',
              CommandUUID: msg.CommandUUID,
              ErrorChain: [
                {
                  ErrorCode: 12,
                  ErrorDomain: 'MCInstallationErrorDomain',
                  LocalizedDescription: 'The profile could not be installed.',
                },
              ],
            }
          : { Status: 'Acknowledged', CommandUUID: msg.CommandUUID },
      )
    }
  }

  close(): void {
    this.agent.destroy()
  }
}

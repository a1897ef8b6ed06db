// A simulated Apple MDM device: it starts enrollment with its identity certificate, signs its
// user in at the IdP, checks in (Authenticate, TokenUpdate), waits for its APNs push, then
// polls the server URL (Idle → command → Acknowledged → next …) as Apple's MDM protocol says.
// It answers the queries (DeviceInformation, SecurityInfo, InstalledApplicationList, ProfileList)
// with the keys of Apple's schema, from what it is and what the server installed on it. A Mac
// also has user channels: each logged-in user checks in with UserID and its own push token, and
// polls its own queue.
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
  /** Managed apps installed by InstallApplication (bundle id → name), as InstalledApplicationList reports them. */
  readonly apps = new Map<string, string>()
  /** Managed profiles installed by InstallProfile (identifier → profile), as ProfileList reports them. */
  readonly profiles = new Map<string, { PayloadIdentifier: string; PayloadDisplayName: string; PayloadUUID: string }>()
  /** What DeviceInformation and SecurityInfo report. */
  readonly about = {
    DeviceName: 'Alex’s iPhone',
    OSVersion: '18.1',
    BuildVersion: '22B83',
    ProductName: 'iPhone16,1',
    Model: 'MTLT3',
    ModelName: 'iPhone',
    DeviceCapacity: 128,
    AvailableDeviceCapacity: 91.25,
    IsSupervised: false,
    encrypted: true,
  }

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

  /** Sends a property list exactly as given (a replayed capture), without adding the UDID. */
  sendRaw(path: '/mdm/checkin' | '/mdm/server', plist: string): Promise<Reply> {
    return this.send(path, 'PUT', plist)
  }

  /** A macOS user channel: the keys a logged-in user's messages carry (tokenupdate.yaml). */
  user(userId: string, shortName: string, longName: string): AppleUserChannel {
    return new AppleUserChannel(this, { UserID: userId, UserShortName: shortName, UserLongName: longName })
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

  /** Polls the device channel until the server has nothing more (or NotNow); returns what it ran. */
  poll(): Promise<ExecutedCommand[]> {
    return this.pollChannel({})
  }

  /** The answer keys of a command this device carried out (Apple's response keys per RequestType). */
  private carryOut(command: Record<string, PlistValue> & { RequestType: string }): Record<string, PlistValue> {
    switch (command.RequestType) {
      case 'InstallApplication':
        this.apps.set(String(command['Identifier']), String(command['Identifier']).split('.').at(-1) ?? '')
        return {}
      case 'RemoveApplication':
        this.apps.delete(String(command['Identifier']))
        return {}
      case 'InstallProfile': {
        const profile = parsePlist(Buffer.from(command['Payload'] as Uint8Array).toString('utf8')) as Record<
          string,
          string
        >
        this.profiles.set(profile['PayloadIdentifier'] as string, {
          PayloadIdentifier: profile['PayloadIdentifier'] as string,
          PayloadDisplayName: profile['PayloadDisplayName'] ?? '',
          PayloadUUID: profile['PayloadUUID'] as string,
        })
        return {}
      }
      case 'RemoveProfile':
        this.profiles.delete(String(command['Identifier']))
        return {}
      case 'DeviceInformation': {
        const asked = (command['Queries'] as string[] | undefined) ?? []
        const known: Record<string, PlistValue> = { ...this.about, UDID: this.o.udid, SerialNumber: this.o.serial }
        return {
          QueryResponses: Object.fromEntries(asked.filter(k => k in known).map(k => [k, known[k] as PlistValue])),
        }
      }
      case 'SecurityInfo':
        return {
          SecurityInfo:
            this.o.platform === 'macos'
              ? { FDE_Enabled: this.about.encrypted, SystemIntegrityProtectionEnabled: true }
              : { HardwareEncryptionCaps: 3, PasscodePresent: this.about.encrypted, PasscodeCompliant: true },
        }
      case 'InstalledApplicationList':
        return {
          InstalledApplicationList: [...this.apps].map(([Identifier, Name]) => ({
            Identifier,
            Name,
            ShortVersion: '1.0',
            Version: '100',
            Installing: false,
          })),
        }
      case 'ProfileList':
        return { ProfileList: [...this.profiles.values()].map(p => ({ ...p, PayloadVersion: 1, IsManaged: true })) }
      default:
        return {}
    }
  }

  /** Polls one channel (keys = the user channel's, or none for the device channel). */
  async pollChannel(keys: Record<string, PlistValue>, profiles?: Map<string, unknown>): Promise<ExecutedCommand[]> {
    const ran: ExecutedCommand[] = []
    const report = (m: Record<string, PlistValue>) => this.report({ ...keys, ...m })
    let reply = await report({ Status: 'Idle' })
    for (;;) {
      if (reply.status !== 200) throw new Error(`command connection refused: ${reply.status} ${reply.body}`)
      if (reply.body === '') return ran
      const msg = parsePlist(reply.body) as {
        CommandUUID: string
        Command: Record<string, PlistValue> & { RequestType: string }
      }
      const refusal = this.refuse.get(msg.Command.RequestType)
      if (refusal === 'NotNow') {
        await report({ Status: 'NotNow', CommandUUID: msg.CommandUUID })
        return ran
      }
      const done = { uuid: msg.CommandUUID, requestType: msg.Command.RequestType, command: msg.Command }
      let answer: Record<string, PlistValue> = {}
      if (!refusal) {
        this.executed.push(done)
        ran.push(done)
        answer =
          profiles && msg.Command.RequestType === 'ProfileList'
            ? { ProfileList: [...profiles.values()] as PlistValue[] }
            : this.carryOut(msg.Command)
      }
      reply = await report(
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
          : { Status: 'Acknowledged', CommandUUID: msg.CommandUUID, RequestType: msg.Command.RequestType, ...answer },
      )
    }
  }

  close(): void {
    this.agent.destroy()
  }
}

/** One user's channel on a simulated Mac: its own push token and PushMagic, its own queue. */
export class AppleUserChannel {
  readonly token = randomBytes(32)
  readonly pushMagic = `magic-${randomBytes(8).toString('hex')}`
  /** The user's own profiles, as a user-channel ProfileList reports them. */
  readonly profiles = new Map<string, { PayloadIdentifier: string; PayloadDisplayName: string; PayloadUUID: string }>()

  constructor(
    readonly device: AppleDevice,
    readonly keys: { UserID: string; UserShortName: string; UserLongName: string },
  ) {}

  get tokenHex(): string {
    return this.token.toString('hex')
  }

  /** The user channel's TokenUpdate (macOS: UserID, UserShortName, UserLongName; NotOnConsole). */
  tokenUpdate(): Promise<Reply> {
    return this.device.checkIn({
      MessageType: 'TokenUpdate',
      Topic: this.device.o.topic,
      Token: new Uint8Array(this.token),
      PushMagic: this.pushMagic,
      NotOnConsole: false,
      ...this.keys,
    })
  }

  checkIn(message: Record<string, PlistValue>): Promise<Reply> {
    return this.device.checkIn({ ...this.keys, ...message })
  }

  poll(): Promise<ExecutedCommand[]> {
    return this.device.pollChannel(this.keys, this.profiles)
  }
}

// Setup Assistant on an erased device enrolled through Apple Business Manager, as Apple's
// "Authenticating through web views" describes it: the device learns from Apple which profile
// it is assigned (here, the DEP fake's record for its serial), opens the profile's
// configuration_web_url with x-apple-aspen-deviceinfo (its MachineInfo, signed by its identity
// from a test Apple chain), lets the person sign in at the IdP (following redirects like the
// web view does), and installs the enrollment profile that ends the flow; then the device does
// what any enrolled device does (SCEP, Authenticate, TokenUpdate, polling), with AppleDevice.
import type { AppleDevice } from '../apple-device'
import { type Reply, request } from '../https-client'
import { deviceInfoHeader, type MachineInfoFields, testAppleChain } from './device-info'
import type { FakeDep } from './server'

export interface SetupAssistantOptions {
  device: AppleDevice
  dep: FakeDep
  /** Trusts the ingress's and the IdP's certificates (the test CA). */
  ca: string
  /** Who types their password at the IdP. */
  user: string
  /** Overrides the device information (a wrong serial, a forged signer …). */
  header?: string
  info?: Partial<MachineInfoFields>
}

/** The steps, kept apart so a test or the bench can time or break each one. */
export class SetupAssistant {
  constructor(readonly o: SetupAssistantOptions) {}

  /** The header this device sends: its MachineInfo signed by its test-Apple identity. */
  header(): string {
    if (this.o.header) return this.o.header
    const { device } = this.o
    const chain = testAppleChain()
    const macos = device.o.platform === 'macos'
    const info: MachineInfoFields = {
      UDID: device.o.udid,
      SERIAL: device.o.serial,
      PRODUCT: device.about.ProductName,
      VERSION: device.about.BuildVersion,
      OS_VERSION: device.about.OSVersion,
      LANGUAGE: 'en',
      ...(macos ? {} : { IMEI: '35 209900 176148 1' }),
      ...this.o.info,
    }
    return deviceInfoHeader(info, chain.device(info.UDID), [chain.deviceCaPem])
  }

  /** The configuration_web_url Apple gives this serial. */
  webUrl(): string {
    const profile = this.o.dep.profileFor(this.o.device.o.serial)
    if (!profile) throw new Error(`Apple has no profile assigned to ${this.o.device.o.serial}`)
    const url = profile['configuration_web_url']
    if (typeof url !== 'string') throw new Error('the assigned profile has no configuration_web_url')
    return url
  }

  /** Opens the page: the ingress's answer (a 302 to the IdP, or a refusal). */
  open(header = this.header()): Promise<Reply> {
    return request(this.webUrl(), { ca: this.o.ca, headers: { 'x-apple-aspen-deviceinfo': header } })
  }

  /** Sign-in at the IdP and back: the callback's answer (the enrollment profile, or a refusal). */
  async signIn(opened: Reply): Promise<Reply> {
    if (opened.status !== 302) return opened
    const authorize = await request(String(opened.headers.location), {
      ca: this.o.ca,
      headers: { 'x-test-user': this.o.user },
    })
    if (authorize.status !== 302) return authorize
    return request(String(authorize.headers.location), { ca: this.o.ca })
  }

  /** The whole web view: open → sign in → the profile installed (throws on a refusal). */
  async run(): Promise<Reply> {
    const answer = await this.signIn(await this.open())
    if (answer.status === 200) this.o.device.install(answer)
    return answer
  }
}

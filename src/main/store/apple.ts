// What Apple's check-in protocol keeps per device: user channels (each with its own push
// identity), the secrets a device hands over (UnlockToken, bootstrap token; sealed), check-out,
// and the facts the device reports (DeviceInformation, SecurityInfo, installed apps, profiles).
import type { AppleUserChannel, DeviceFacts, InstalledApp, InstalledProfile } from '../../shared/domain'
import type { Db } from './db'
import { plainSealer, type PayloadSealer } from './sealed'

export interface UserChannelUpdate {
  channel: string
  shortName: string | null
  longName: string | null
  pushToken: string
  pushTopic: string
  pushMagic: string
}

export interface UserChannelTarget {
  deviceId: string
  channel: string
  pushToken: string
  pushTopic: string
  pushMagic: string
}

/** A part of DeviceFacts one report carries; fields it does not carry are left as they are. */
export type FactsPatch = Partial<DeviceFacts>

interface FactsRow {
  device_name: string | null
  os_version: string | null
  build_version: string | null
  model: string | null
  model_name: string | null
  product_name: string | null
  capacity_gb: number | null
  available_gb: number | null
  supervised: number | null
  information_at: string | null
  encrypted: number | null
  passcode_present: number | null
  security_at: string | null
  apps: string | null
  apps_at: string | null
  profiles: string | null
  profiles_at: string | null
}

const bool = (v: number | null): boolean | null => (v === null ? null : v === 1)
const bit = (v: boolean | null | undefined): number | null => (v === null || v === undefined ? null : v ? 1 : 0)

const toFacts = (r: FactsRow): DeviceFacts => ({
  deviceName: r.device_name,
  osVersion: r.os_version,
  buildVersion: r.build_version,
  model: r.model,
  modelName: r.model_name,
  productName: r.product_name,
  capacityGb: r.capacity_gb,
  availableGb: r.available_gb,
  supervised: bool(r.supervised),
  informationAt: r.information_at,
  encrypted: bool(r.encrypted),
  passcodePresent: bool(r.passcode_present),
  securityAt: r.security_at,
  apps: r.apps === null ? null : (JSON.parse(r.apps) as InstalledApp[]),
  appsAt: r.apps_at,
  profiles: r.profiles === null ? null : (JSON.parse(r.profiles) as InstalledProfile[]),
  profilesAt: r.profiles_at,
})

/** A device that has reported nothing yet. */
export const EMPTY_FACTS: DeviceFacts = {
  deviceName: null,
  osVersion: null,
  buildVersion: null,
  model: null,
  modelName: null,
  productName: null,
  capacityGb: null,
  availableGb: null,
  supervised: null,
  informationAt: null,
  encrypted: null,
  passcodePresent: null,
  securityAt: null,
  apps: null,
  appsAt: null,
  profiles: null,
  profilesAt: null,
}

export function appleQueries(db: Db, sealer: PayloadSealer = plainSealer) {
  const putChannel =
    db.prepare(`INSERT INTO apple_user_channels (device_id, channel, user_short_name, user_long_name, push_token,
    push_topic, push_magic, token_updated_at) VALUES (@deviceId, @channel, @shortName, @longName, @pushToken, @pushTopic,
    @pushMagic, @at)
    ON CONFLICT (device_id, channel) DO UPDATE SET user_short_name = excluded.user_short_name,
      user_long_name = excluded.user_long_name, push_token = excluded.push_token, push_topic = excluded.push_topic,
      push_magic = excluded.push_magic, token_updated_at = excluded.token_updated_at`)
  const channelsOf =
    db.prepare(`SELECT channel, user_short_name, user_long_name, token_updated_at, profiles, profiles_at
    FROM apple_user_channels WHERE device_id = ? ORDER BY channel`)
  const channelProfiles = db.prepare(
    'UPDATE apple_user_channels SET profiles = ?, profiles_at = ? WHERE device_id = ? AND channel = ?',
  )
  const channelTarget = db.prepare(`SELECT device_id, channel, push_token, push_topic, push_magic
    FROM apple_user_channels WHERE device_id = ? AND channel = ?`)
  const setUnlock = db.prepare('UPDATE devices SET unlock_token = ? WHERE id = ?')
  const getUnlock = db.prepare('SELECT unlock_token FROM devices WHERE id = ?').pluck()
  const setBootstrap = db.prepare('UPDATE devices SET bootstrap_token = ? WHERE id = ?')
  const getBootstrap = db.prepare('SELECT bootstrap_token FROM devices WHERE id = ?').pluck()
  const checkOut = db.prepare('UPDATE devices SET checked_out_at = ? WHERE id = ?')
  const checkedOut = db.prepare('SELECT checked_out_at FROM devices WHERE id = ?').pluck()
  const factsOf = db.prepare('SELECT * FROM device_facts WHERE device_id = ?')
  const listed = db
    .prepare(
      'SELECT device_id FROM device_facts WHERE apps_at IS NOT NULL OR profiles_at IS NOT NULL ORDER BY device_id',
    )
    .pluck()
  const putFacts = db.prepare(`INSERT OR REPLACE INTO device_facts (device_id, device_name, os_version, build_version,
    model, model_name, product_name, capacity_gb, available_gb, supervised, information_at, encrypted, passcode_present,
    security_at, apps, apps_at, profiles, profiles_at) VALUES (@deviceId, @deviceName, @osVersion, @buildVersion,
    @model, @modelName, @productName, @capacityGb, @availableGb, @supervised, @informationAt, @encrypted,
    @passcodePresent, @securityAt, @apps, @appsAt, @profiles, @profilesAt)`)

  // A device secret is stored as the sealer's JSON of { secret: base64 }: "secret" is a name the
  // sealer seals, so it never sits in SQLite in plain text when the workspace has a data key.
  const sealSecret = (bytes: Uint8Array | null): string | null =>
    bytes === null || bytes.length === 0
      ? null
      : JSON.stringify(sealer.seal({ secret: Buffer.from(bytes).toString('base64') }))
  const openSecret = (stored: unknown): Uint8Array | null => {
    if (typeof stored !== 'string') return null
    const { secret } = sealer.open(JSON.parse(stored) as { secret: string })
    return new Uint8Array(Buffer.from(secret, 'base64'))
  }

  const facts = (deviceId: string): DeviceFacts | null => {
    const r = factsOf.get(deviceId) as FactsRow | undefined
    return r ? toFacts(r) : null
  }

  return {
    /** Records a user channel's TokenUpdate: its own push token, topic and PushMagic. */
    putUserChannel(deviceId: string, u: UserChannelUpdate, at: string): void {
      putChannel.run({ deviceId, ...u, at })
    },
    userChannels(deviceId: string): AppleUserChannel[] {
      return (
        channelsOf.all(deviceId) as {
          channel: string
          user_short_name: string | null
          user_long_name: string | null
          token_updated_at: string
          profiles: string | null
          profiles_at: string | null
        }[]
      ).map(r => ({
        channel: r.channel,
        shortName: r.user_short_name,
        longName: r.user_long_name,
        tokenUpdatedAt: r.token_updated_at,
        profiles: r.profiles === null ? null : (JSON.parse(r.profiles) as InstalledProfile[]),
        profilesAt: r.profiles_at,
      }))
    },
    /** A user channel's ProfileList answer: that user's profiles, kept apart from the device's. */
    putUserChannelProfiles(deviceId: string, channel: string, profiles: InstalledProfile[], at: string): void {
      channelProfiles.run(JSON.stringify(profiles), at, deviceId, channel)
    },
    /** Where to push to wake one user channel, or undefined before its first TokenUpdate. */
    userChannelTarget(deviceId: string, channel: string): UserChannelTarget | undefined {
      const r = channelTarget.get(deviceId, channel) as
        | { device_id: string; channel: string; push_token: string; push_topic: string; push_magic: string }
        | undefined
      return r
        ? {
            deviceId: r.device_id,
            channel: r.channel,
            pushToken: r.push_token,
            pushTopic: r.push_topic,
            pushMagic: r.push_magic,
          }
        : undefined
    },
    /** The UnlockToken from the device's TokenUpdate (ClearPasscode sends it back); null clears it. */
    setUnlockToken(deviceId: string, token: Uint8Array | null): void {
      setUnlock.run(sealSecret(token), deviceId)
    },
    unlockToken(deviceId: string): Uint8Array | null {
      return openSecret(getUnlock.get(deviceId))
    },
    /** SetBootstrapToken: a missing or empty token removes it (Apple, setbootstraptoken.yaml). */
    setBootstrapToken(deviceId: string, token: Uint8Array | null): void {
      setBootstrap.run(sealSecret(token), deviceId)
    },
    bootstrapToken(deviceId: string): Uint8Array | null {
      return openSecret(getBootstrap.get(deviceId))
    },
    /** Marks the device checked out (at) or enrolled again (null). */
    setCheckedOut(deviceId: string, at: string | null): void {
      checkOut.run(at, deviceId)
    },
    checkedOutAt(deviceId: string): string | null {
      return (checkedOut.get(deviceId) as string | null | undefined) ?? null
    },
    facts,
    /** Devices that reported their managed apps or profiles at least once. */
    listedDeviceIds(): string[] {
      return listed.all() as string[]
    },
    /** Merges one report into the device's facts: fields the report does not carry keep their value. */
    putFacts(deviceId: string, patch: FactsPatch): void {
      const merged = { ...(facts(deviceId) ?? EMPTY_FACTS) }
      for (const [k, v] of Object.entries(patch)) if (v !== undefined) (merged as Record<string, unknown>)[k] = v
      putFacts.run({
        deviceId,
        ...merged,
        supervised: bit(merged.supervised),
        encrypted: bit(merged.encrypted),
        passcodePresent: bit(merged.passcodePresent),
        apps: merged.apps === null ? null : JSON.stringify(merged.apps),
        profiles: merged.profiles === null ? null : JSON.stringify(merged.profiles),
      })
    },
  }
}

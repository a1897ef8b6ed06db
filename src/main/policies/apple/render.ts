// Our profile settings (one shape for every platform, as admins write them) as Apple payloads:
// which payload types and keys each becomes on iOS and macOS. Key names and allowed values are
// Apple's (apple/device-management mdm/profiles/*.yaml, checked by schema.ts); every Apple key
// remembers the setting it came from, so a schema problem is reported on the admin's field.
import { MACOS_APPS } from '../../../shared/policy'
import type { PlistValue } from '../../plist'
import type { ApplePlatform } from './schema'

export interface RenderedPayload {
  /** Apple's schema file name (= the payload type, except com.apple.MCX(FileVault2)). */
  schema: string
  payloadType: string
  /** Unique within the profile; becomes `<profile identifier>.<suffix>`. */
  suffix: string
  displayName: string
  content: Record<string, PlistValue>
  /** Apple key path → our setting name, for messages on the admin's field. */
  source: Record<string, string>
}

export interface RenderProblem {
  /** Our setting name (e.g. `vpnType`), or '' for the item as a whole. */
  field: string
  message: string
}

export interface RenderContext {
  platform: ApplePlatform
  /** The UUID of a payload of this profile, by its suffix (stable, so payloads can refer to each other). */
  uuid(suffix: string): string
  /** DER of the certificate that encrypts the FileVault recovery key for escrow (the ingress certificate). */
  escrowCertificate?: Uint8Array
  /** Where the user is told the recovery key is kept (FDERecoveryKeyEscrow Location). */
  organisation: string
}

export interface Rendered {
  payloads: RenderedPayload[]
  problems: RenderProblem[]
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined)
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [])

/** Certificates are pasted as PEM or base64 DER; Apple wants the DER bytes (pkcs1/root PayloadContent is data). */
export function certificateBytes(text: string): Uint8Array | null {
  const body = text.replace(/-----(BEGIN|END)[^-]+-----/g, '').replace(/\s+/g, '')
  if (body === '' || !/^[A-Za-z0-9+/]+=*$/.test(body)) return null
  return new Uint8Array(Buffer.from(body, 'base64'))
}

/** Drops undefined entries so optional settings leave no key behind. */
const dict = (entries: Record<string, PlistValue | undefined>): Record<string, PlistValue> =>
  Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined)) as Record<string, PlistValue>

interface Certs {
  payloads: RenderedPayload[]
  problems: RenderProblem[]
  anchor?: string
  identity?: string
}

/** The trust anchor (com.apple.security.root) and client identity (com.apple.security.pkcs12) a setting names. */
function certificates(s: Record<string, unknown>, ctx: RenderContext, name: string): Certs {
  const out: Certs = { payloads: [], problems: [] }
  const ca = str(s['caCertificate'])
  if (ca !== undefined) {
    const der = certificateBytes(ca)
    if (der === null) out.problems.push({ field: 'caCertificate', message: 'is not a PEM or base64 certificate' })
    else {
      out.anchor = ctx.uuid('root')
      out.payloads.push({
        schema: 'com.apple.security.root',
        payloadType: 'com.apple.security.root',
        suffix: 'root',
        displayName: `${name} server root`,
        content: { PayloadContent: der },
        source: { PayloadContent: 'caCertificate' },
      })
    }
  }
  const p12 = str(s['identityPkcs12'])
  if (p12 !== undefined) {
    const der = certificateBytes(p12)
    if (der === null) out.problems.push({ field: 'identityPkcs12', message: 'is not a base64 PKCS #12 file' })
    else {
      out.identity = ctx.uuid('identity')
      out.payloads.push({
        schema: 'com.apple.security.pkcs12',
        payloadType: 'com.apple.security.pkcs12',
        suffix: 'identity',
        displayName: `${name} identity`,
        content: dict({ PayloadContent: der, Password: str(s['identityPassword']) }),
        source: { PayloadContent: 'identityPkcs12', Password: 'identityPassword' },
      })
    }
  }
  return out
}

// --- Wi-Fi (com.apple.wifi.managed) ----------------------------------------------------------------

/** Apple's EAP type numbers (EAPClientConfiguration.AcceptEAPTypes): 13 TLS, 21 TTLS, 25 PEAP. */
const EAP_TYPES: Record<string, number> = { TLS: 13, TTLS: 21, PEAP: 25 }
export const WIFI_EAP_TYPES = Object.keys(EAP_TYPES)

function wifi(s: Record<string, unknown>, name: string, ctx: RenderContext): Rendered {
  const security = str(s['security']) ?? 'WPA2'
  const enterprise = security.endsWith('-Enterprise')
  const certs = certificates(s, ctx, name)
  // EncryptionType takes WEP, WPA, WPA2, WPA3, Any or None; enterprise is WPA2/WPA3 plus an EAP configuration.
  const encryption = security === 'none' ? 'None' : security.replace('-Enterprise', '')
  const eap = str(s['eapType']) ?? 'PEAP'
  const content = dict({
    SSID_STR: str(s['ssid']),
    HIDDEN_NETWORK: bool(s['hidden']),
    AutoJoin: bool(s['autoJoin']),
    EncryptionType: encryption,
    Password: enterprise ? undefined : str(s['password']),
    PayloadCertificateUUID: enterprise && eap === 'TLS' ? certs.identity : undefined,
    EAPClientConfiguration: enterprise
      ? dict({
          AcceptEAPTypes: [EAP_TYPES[eap] ?? 25],
          UserName: str(s['username']),
          UserPassword: eap === 'TLS' ? undefined : str(s['password']),
          TTLSInnerAuthentication: eap === 'TTLS' ? 'MSCHAPv2' : undefined,
          PayloadCertificateAnchorUUID: certs.anchor ? [certs.anchor] : undefined,
        })
      : undefined,
  })
  const problems = [...certs.problems]
  if (enterprise && eap === 'TLS' && certs.identity === undefined)
    problems.push({ field: 'identityPkcs12', message: 'EAP-TLS needs a client identity (PKCS #12)' })
  return {
    payloads: [
      ...certs.payloads,
      {
        schema: 'com.apple.wifi.managed',
        payloadType: 'com.apple.wifi.managed',
        suffix: 'wifi',
        displayName: name,
        content,
        source: {
          SSID_STR: 'ssid',
          HIDDEN_NETWORK: 'hidden',
          AutoJoin: 'autoJoin',
          EncryptionType: 'security',
          Password: 'password',
          PayloadCertificateUUID: 'identityPkcs12',
          'EAPClientConfiguration.AcceptEAPTypes': 'eapType',
          'EAPClientConfiguration.UserName': 'username',
          'EAPClientConfiguration.UserPassword': 'password',
        },
      },
    ],
    problems,
  }
}

// --- VPN (com.apple.vpn.managed, per-app: com.apple.vpn.managed.applayer) ---------------------------

/** The VPN types we render for Apple: the built-in IKEv2 and Cisco IPSec clients. */
export const APPLE_VPN_TYPES = ['IKEv2', 'IPSec']

/** The VPNUUID of a per-app VPN profile: apps are mapped to it (InstallApplication Attributes.VPNUUID). */
export const PER_APP_VPN_SUFFIX = 'vpn'

function vpn(s: Record<string, unknown>, name: string, ctx: RenderContext): Rendered {
  const type = str(s['vpnType']) ?? ''
  if (!APPLE_VPN_TYPES.includes(type))
    return {
      payloads: [],
      problems: [
        {
          field: 'vpnType',
          message: `${type} is not a VPN type Apple devices have built in (${APPLE_VPN_TYPES.join(', ')}); WireGuard and SSL VPNs need their vendor's app as a VPN provider`,
        },
      ],
    }
  const perApp = s['perApp'] === true
  const problems: RenderProblem[] = []
  const certs = certificates(s, ctx, name)
  problems.push(...certs.problems)
  const server = str(s['server'])
  const auth = str(s['authentication']) ?? (certs.identity ? 'certificate' : 'sharedSecret')
  const onDemand = s['onDemand'] === true ? 1 : undefined
  const source: Record<string, string> = { UserDefinedName: 'name', VPNType: 'vpnType' }
  let body: Record<string, PlistValue>
  if (type === 'IKEv2') {
    const pre = 'IKEv2'
    Object.assign(source, {
      [`${pre}.RemoteAddress`]: 'server',
      [`${pre}.RemoteIdentifier`]: 'remoteIdentifier',
      [`${pre}.LocalIdentifier`]: 'localIdentifier',
      [`${pre}.AuthenticationMethod`]: 'authentication',
      [`${pre}.SharedSecret`]: 'sharedSecret',
      [`${pre}.PayloadCertificateUUID`]: 'identityPkcs12',
      [`${pre}.AuthName`]: 'account',
      [`${pre}.AuthPassword`]: 'password',
    })
    body = {
      IKEv2: dict({
        RemoteAddress: server,
        RemoteIdentifier: str(s['remoteIdentifier']) ?? server,
        LocalIdentifier: str(s['localIdentifier']) ?? str(s['account']) ?? server,
        // 'password' = EAP with a user name and password (ExtendedAuthEnabled), no machine credential.
        AuthenticationMethod: auth === 'certificate' ? 'Certificate' : auth === 'password' ? 'None' : 'SharedSecret',
        ExtendedAuthEnabled: auth === 'password' ? 1 : undefined,
        AuthName: auth === 'password' ? str(s['account']) : undefined,
        AuthPassword: auth === 'password' ? str(s['password']) : undefined,
        SharedSecret: auth === 'sharedSecret' ? str(s['sharedSecret']) : undefined,
        PayloadCertificateUUID: auth === 'certificate' ? certs.identity : undefined,
        OnDemandEnabled: onDemand,
        OnDemandRules: onDemand ? [{ Action: 'Connect' }] : undefined,
      }),
    }
  } else {
    Object.assign(source, {
      'IPSec.RemoteAddress': 'server',
      'IPSec.AuthenticationMethod': 'authentication',
      'IPSec.SharedSecret': 'sharedSecret',
      'IPSec.LocalIdentifier': 'localIdentifier',
      'IPSec.XAuthName': 'account',
      'IPSec.XAuthPassword': 'password',
      'IPSec.PayloadCertificateUUID': 'identityPkcs12',
    })
    const secret = str(s['sharedSecret'])
    body = {
      IPSec: dict({
        RemoteAddress: server,
        AuthenticationMethod: auth === 'certificate' ? 'Certificate' : 'SharedSecret',
        // Cisco IPSec: the group name is the LocalIdentifier of type KeyID; the shared secret is data.
        LocalIdentifier: str(s['localIdentifier']),
        LocalIdentifierType: str(s['localIdentifier']) ? 'KeyID' : undefined,
        SharedSecret: auth !== 'certificate' && secret ? new Uint8Array(Buffer.from(secret, 'utf8')) : undefined,
        PayloadCertificateUUID: auth === 'certificate' ? certs.identity : undefined,
        XAuthEnabled: str(s['account']) ? 1 : undefined,
        XAuthName: str(s['account']),
        XAuthPassword: str(s['password']),
        OnDemandEnabled: onDemand,
        OnDemandRules: onDemand ? [{ Action: 'Connect' }] : undefined,
      }),
    }
  }
  if (auth === 'certificate' && certs.identity === undefined)
    problems.push({ field: 'identityPkcs12', message: 'certificate authentication needs a client identity (PKCS #12)' })
  const content: Record<string, PlistValue> = { UserDefinedName: name, VPNType: type, ...body }
  if (perApp) {
    content['VPNUUID'] = ctx.uuid(PER_APP_VPN_SUFFIX)
    content['OnDemandMatchAppEnabled'] = true
  }
  const mapping = perApp && ctx.platform === 'macos' ? macAppMapping(s, name, content['VPNUUID'] as string) : []
  return {
    payloads: [
      ...certs.payloads,
      {
        schema: perApp ? 'com.apple.vpn.managed.applayer' : 'com.apple.vpn.managed',
        payloadType: perApp ? 'com.apple.vpn.managed.applayer' : 'com.apple.vpn.managed',
        suffix: PER_APP_VPN_SUFFIX,
        displayName: name,
        content,
        source,
      },
      ...mapping,
    ],
    problems,
  }
}

/**
 * macOS ties apps to a per-app VPN with the App-to-App-Layer VPN Mapping payload
 * (com.apple.vpn.managed.appmapping, macOS only; apple/device-management b6202ca): one
 * AppLayerVPNMapping entry per app with its bundle Identifier, the VPNUUID of the applayer payload,
 * and the app's code-signing DesignatedRequirement and SigningIdentifier (both required since
 * macOS 10.10). iOS needs none of this: there the app's InstallApplication carries the VPNUUID.
 * The admin gives each app's signature in `macosApps` ([{identifier, designatedRequirement,
 * signingIdentifier}]); a missing one leaves its key out, which Apple's schema reports on that field.
 */
function macAppMapping(s: Record<string, unknown>, name: string, vpnUuid: string): RenderedPayload[] {
  const given = Array.isArray(s[MACOS_APPS]) ? (s[MACOS_APPS] as unknown[]) : []
  const source: Record<string, string> = { AppLayerVPNMapping: 'apps' }
  const entries = list(s['apps']).map((app, i) => {
    const j = given.findIndex(
      e => e !== null && typeof e === 'object' && (e as Record<string, unknown>)['identifier'] === app,
    )
    const own = j < 0 ? {} : (given[j] as Record<string, unknown>)
    source[`AppLayerVPNMapping.${i}.Identifier`] = `apps.${i}`
    source[`AppLayerVPNMapping.${i}.DesignatedRequirement`] =
      j < 0 ? `apps.${i}` : `${MACOS_APPS}.${j}.designatedRequirement`
    source[`AppLayerVPNMapping.${i}.SigningIdentifier`] = j < 0 ? `apps.${i}` : `${MACOS_APPS}.${j}.signingIdentifier`
    return dict({
      Identifier: app,
      VPNUUID: vpnUuid,
      DesignatedRequirement: str(own['designatedRequirement']),
      SigningIdentifier: str(own['signingIdentifier']),
    })
  })
  return [
    {
      schema: 'com.apple.vpn.managed.appmapping',
      payloadType: 'com.apple.vpn.managed.appmapping',
      suffix: 'appmapping',
      displayName: `${name} apps`,
      content: { AppLayerVPNMapping: entries },
      source,
    },
  ]
}

// --- Mail: Exchange (com.apple.eas.account on iOS, com.apple.ews.account on macOS) and IMAP ------------

function email(s: Record<string, unknown>, name: string, ctx: RenderContext): Rendered {
  const ssl = bool(s['useSSL']) ?? true
  if (s['accountType'] === 'exchange') {
    // Exchange ActiveSync is iOS's Exchange account; macOS takes Exchange Web Services (schema: eas n/a on macOS).
    const schema = ctx.platform === 'ios' ? 'com.apple.eas.account' : 'com.apple.ews.account'
    return {
      payloads: [
        {
          schema,
          payloadType: schema,
          suffix: 'mail',
          displayName: name,
          content: dict({
            EmailAddress: str(s['emailAddress']),
            Host: str(s['host']),
            SSL: ssl,
            UserName: str(s['username']),
            Password: str(s['password']),
          }),
          source: {
            EmailAddress: 'emailAddress',
            Host: 'host',
            SSL: 'useSSL',
            UserName: 'username',
            Password: 'password',
          },
        },
      ],
      problems: [],
    }
  }
  const user = str(s['username']) ?? str(s['emailAddress'])
  return {
    payloads: [
      {
        schema: 'com.apple.mail.managed',
        payloadType: 'com.apple.mail.managed',
        suffix: 'mail',
        displayName: name,
        content: dict({
          EmailAccountDescription: name,
          EmailAccountType: 'EmailTypeIMAP',
          EmailAddress: str(s['emailAddress']),
          IncomingMailServerHostName: str(s['host']),
          IncomingMailServerUseSSL: ssl,
          IncomingMailServerUsername: user,
          IncomingMailServerAuthentication: 'EmailAuthPassword',
          IncomingPassword: str(s['password']),
          OutgoingMailServerHostName: str(s['outgoingHost']),
          OutgoingMailServerUseSSL: ssl,
          OutgoingMailServerUsername: user,
          OutgoingMailServerAuthentication: 'EmailAuthPassword',
          OutgoingPasswordSameAsIncomingPassword: str(s['password']) ? true : undefined,
        }),
        source: {
          EmailAddress: 'emailAddress',
          IncomingMailServerHostName: 'host',
          IncomingMailServerUseSSL: 'useSSL',
          IncomingMailServerUsername: 'username',
          IncomingPassword: 'password',
          OutgoingMailServerHostName: 'outgoingHost',
          OutgoingMailServerUsername: 'username',
        },
      },
    ],
    problems: [],
  }
}

// --- Cellular data rules (com.apple.networkusagerules, iOS) ----------------------------------------------

function cellular(s: Record<string, unknown>, name: string): Rendered {
  const apps = list(s['apps'])
  return {
    payloads: [
      {
        schema: 'com.apple.networkusagerules',
        payloadType: 'com.apple.networkusagerules',
        suffix: 'cellular',
        displayName: name,
        content: {
          ApplicationRules: [
            dict({
              // No AppIdentifierMatches: the rule covers every managed app (Apple's schema).
              AppIdentifierMatches: apps.length > 0 ? apps : undefined,
              AllowCellularData: bool(s['allowCellularData']),
              AllowRoamingCellularData: bool(s['allowRoamingCellularData']),
            }),
          ],
        },
        source: {
          ApplicationRules: 'apps',
          'ApplicationRules.0.AppIdentifierMatches': 'apps',
          'ApplicationRules.0.AllowCellularData': 'allowCellularData',
          'ApplicationRules.0.AllowRoamingCellularData': 'allowRoamingCellularData',
        },
      },
    ],
    problems: [],
  }
}

// --- Custom: one Apple payload written with Apple's own keys ------------------------------------------------

function custom(s: Record<string, unknown>, name: string): Rendered {
  const payloadType = str(s['payloadType'])
  const { type: _type, payloadType: _p, supervised: _s, ...keys } = s
  if (payloadType === undefined)
    return {
      payloads: [],
      problems: [
        { field: 'payloadType', message: 'is required: the Apple payload type, e.g. com.apple.applicationaccess' },
      ],
    }
  return {
    payloads: [
      {
        schema: payloadType,
        payloadType,
        suffix: 'custom',
        displayName: name,
        content: keys as Record<string, PlistValue>,
        source: Object.fromEntries(Object.keys(keys).map(k => [k, k])),
      },
    ],
    problems: [],
  }
}

/** The Apple payloads of one profile item on one platform. `settings.type` picks the kind. */
export function renderProfileSettings(settings: Record<string, unknown>, name: string, ctx: RenderContext): Rendered {
  switch (settings['type']) {
    case 'wifi':
      return wifi(settings, name, ctx)
    case 'vpn':
      return vpn(settings, name, ctx)
    case 'email':
      return email(settings, name, ctx)
    case 'cellular':
      return cellular(settings, name)
    case 'custom':
      return custom(settings, name)
    default:
      return {
        payloads: [],
        problems: [{ field: 'type', message: `${String(settings['type'])} is not a profile type` }],
      }
  }
}

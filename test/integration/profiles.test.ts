// The seed's acceptance matrix on the demo organisation: what each row's devices are sent is Apple
// payloads that pass Apple's schema, and `jit-mapper profiles export` writes the same.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../../src/main/app'
import { loadDemo } from '../../src/main/demo'
import { mdmCommand } from '../../src/main/devices/mdm-commands'
import type { CliIo } from '../../src/main/headless/cli-io'
import { runCli } from '../../src/main/headless/commands'
import { type PlistValue, parsePlist } from '../../src/main/plist'
import { checkProfile } from '../../src/main/policies/apple/schema'
import type { Command, Platform } from '../../src/shared/domain'
import { testPki } from '../fakes/pki'
import { openWorkspace, tempDir, type TestWorkspace } from '../helpers/workspace'

let ws: TestWorkspace | undefined
const dirs: { remove(): void }[] = []
afterEach(() => {
  ws?.close()
  ws = undefined
  dirs.splice(0).forEach(d => d.remove())
})

type Dict = Record<string, PlistValue>
/** Apple's schema file of a payload type (com.apple.MCX: the FileVault options file). */
const schemaOf = (type: string): string => (type === 'com.apple.MCX' ? 'com.apple.MCX(FileVault2)' : type)
const profileOf = (request: Dict): Dict =>
  parsePlist(Buffer.from(request['Payload'] as Uint8Array).toString('utf8')) as Dict
const contentOf = (profile: Dict): Dict[] => profile['PayloadContent'] as Dict[]

/** Schema problems of a profile a device gets, on its platform; supervision was confirmed at authoring. */
function problemsOf(profile: Dict, platform: Platform) {
  if (platform === 'android') throw new Error('no Apple profile for Android')
  return checkProfile(
    profile,
    contentOf(profile).map(p => schemaOf(String(p['PayloadType']))),
    { platform, supervised: true },
  )
}

async function memberOf(group: string): Promise<string> {
  const w = ws as TestWorkspace
  const found = (await w.call('groups/list', {})).find(g => g.name === group)
  if (!found) throw new Error(`no group ${group}`)
  const detail = await w.call('groups/get', { groupId: found.id })
  const member = detail.members.find(m => m.state === 'in')
  if (!member) throw new Error(`nobody in ${group}`)
  return member.userPrincipalName
}

async function enroll(upn: string, platform: Platform, serial: string): Promise<Command[]> {
  const r = await (ws as TestWorkspace).call('devices/enroll', { serial, platform, userPrincipalName: upn })
  return r.commands
}

/** Every command as the device receives it, each InstallProfile checked against Apple's schema. */
function delivered(commands: Command[], platform: Platform): Dict[] {
  return commands.map(c => {
    const request = mdmCommand(c)['Command'] as Dict
    if (request['RequestType'] === 'InstallProfile') expect(problemsOf(profileOf(request), platform)).toEqual([])
    return request
  })
}
const payloadTypes = (requests: Dict[]): string[] =>
  requests
    .filter(r => r['RequestType'] === 'InstallProfile')
    .flatMap(r => contentOf(profileOf(r)).map(p => String(p['PayloadType'])))

describe('the acceptance matrix on the demo organisation', () => {
  it('Sales (Entra department) gets Salesforce, cellular data limits and its per-app VPN on iPhone', async () => {
    ws = openWorkspace()
    loadDemo(ws.app)
    const requests = delivered(await enroll(await memberOf('Sales'), 'ios', 'SALES-1'), 'ios')
    const install = requests.find(r => r['RequestType'] === 'InstallApplication')
    expect(install).toMatchObject({ Identifier: 'com.salesforce.chatter', ChangeManagementState: 'Managed' })
    const types = payloadTypes(requests)
    expect(types).toEqual(
      expect.arrayContaining([
        'com.apple.networkusagerules',
        'com.apple.vpn.managed.applayer',
        'com.apple.eas.account',
      ]),
    )
    const rules = requests.filter(r => r['RequestType'] === 'InstallProfile').flatMap(r => contentOf(profileOf(r)))
    expect(rules.find(p => p['PayloadType'] === 'com.apple.networkusagerules')?.['ApplicationRules']).toEqual([
      { AllowRoamingCellularData: false },
    ])
    // Salesforce is bound to the per-app VPN the same policy installs.
    const vpn = rules.find(p => p['PayloadType'] === 'com.apple.vpn.managed.applayer')
    expect((install?.['Attributes'] as Dict | undefined)?.['VPNUUID']).toBe(vpn?.['VPNUUID'])
  })

  it('Developers (job title) get FileVault on their Mac, and Terminal is left enabled', async () => {
    ws = openWorkspace()
    loadDemo(ws.app)
    const requests = delivered(await enroll(await memberOf('Developers'), 'macos', 'DEV-1'), 'macos')
    const types = payloadTypes(requests)
    expect(types).toEqual(expect.arrayContaining(['com.apple.MCX.FileVault2', 'com.apple.MCX']))
    // Terminal runs unless blocked: "enabled" sends no deny list.
    expect(types).not.toContain('com.apple.applicationaccess.new')
    // Exchange on macOS is an EWS account (com.apple.eas.account is iOS only).
    expect(types).toContain('com.apple.ews.account')
  })

  it('EU Staff get the strict data-residency restrictions', async () => {
    ws = openWorkspace()
    loadDemo(ws.app)
    const requests = delivered(await enroll(await memberOf('EU Staff'), 'ios', 'EU-1'), 'ios')
    const access = requests
      .filter(r => r['RequestType'] === 'InstallProfile')
      .flatMap(r => contentOf(profileOf(r)))
      .find(p => p['PayloadType'] === 'com.apple.applicationaccess')
    expect(access).toMatchObject({
      allowCloudBackup: false,
      allowCloudKeychainSync: false,
      allowManagedAppsCloudSync: false,
      allowDiagnosticSubmission: false,
    })
  })

  it('Marketing gets WPA3 Wi-Fi and executives an IMAP account, as Apple payloads', async () => {
    ws = openWorkspace()
    loadDemo(ws.app)
    const marketing = payloadTypes(delivered(await enroll(await memberOf('Marketing'), 'ios', 'MKT-1'), 'ios'))
    expect(marketing).toContain('com.apple.wifi.managed')
    const exec = payloadTypes(delivered(await enroll(await memberOf('Executives'), 'macos', 'EXEC-1'), 'macos'))
    expect(exec).toContain('com.apple.mail.managed')
  })

  it('never shows a stored secret back, and keeps it when the marker comes back', async () => {
    ws = openWorkspace()
    loadDemo(ws.app)
    const policies = await ws.call('policies/list', {})
    const marketing = policies.find(p => p.name === 'Marketing Suite')
    const wifi = marketing?.items.find(i => i.identifier === 'com.northwind.wifi.marketing')
    expect(wifi?.settings['password']).toEqual({ $secret: 'kept' })
    expect(JSON.stringify(policies)).not.toContain('northwind-demo-wifi')
    const [preview] = await ws.call('policies/preview', {
      draft: { ...(marketing as NonNullable<typeof marketing>), targets: [] },
    })
    expect(preview?.xml).toMatch(/<key>Password<\/key>\s*<string>••••••••<\/string>/)
    // Saved back with the marker (and a new SSID), the stored password stays.
    const draft = {
      ...(marketing as NonNullable<typeof marketing>),
      items: (marketing?.items ?? []).map(i =>
        i === wifi ? { ...i, settings: { ...i.settings, ssid: 'NW-Mkt-2' } } : i,
      ),
      targets: (marketing?.targets ?? []).map(t => ({ groupId: t.groupId, mode: t.mode })),
    }
    expect(await ws.call('policies/apply', { change: { kind: 'policy', draft } })).toMatchObject({ status: 'applied' })
    const requests = delivered(await enroll(await memberOf('Marketing'), 'ios', 'MKT-2'), 'ios')
    const content = requests.filter(r => r['RequestType'] === 'InstallProfile').flatMap(r => contentOf(profileOf(r)))
    expect(content.find(p => p['PayloadType'] === 'com.apple.wifi.managed')).toMatchObject({
      SSID_STR: 'NW-Mkt-2',
      Password: 'northwind-demo-wifi',
    })
  })
})

function io() {
  const out: string[] = []
  const err: string[] = []
  const value: CliIo = { out: l => out.push(l), err: l => err.push(l), env: {}, untilStopped: () => Promise.resolve() }
  return { io: value, out, err }
}

function demoWorkspace(): string {
  const d = tempDir()
  dirs.push(d)
  const app = createApp({ dataDir: d.path })
  loadDemo(app)
  app.close()
  return d.path
}

describe('jit-mapper profiles export', () => {
  it('writes one schema-valid .mobileconfig per policy and platform, variables left as placeholders', async () => {
    const dataDir = demoWorkspace()
    const out = tempDir()
    dirs.push(out)
    const t = io()
    expect(await runCli(['profiles', 'export', '--data-dir', dataDir, '--out', out.path], t.io)).toBe(0)
    const files = readdirSync(out.path).sort()
    expect(files).toEqual(
      expect.arrayContaining([
        'baseline-security.ios.mobileconfig',
        'baseline-security.macos.mobileconfig',
        'developer-tools.macos.mobileconfig',
        'gdpr-data-residency.ios.mobileconfig',
        'gdpr-data-residency.macos.mobileconfig',
        'sales-crm-deployment.ios.mobileconfig',
        'marketing-suite.ios.mobileconfig',
        'executive-mail-archive.ios.mobileconfig',
      ]),
    )
    for (const f of files) {
      const profile = parsePlist(readFileSync(join(out.path, f), 'utf8')) as Dict
      expect(problemsOf(profile, f.includes('.ios.') ? 'ios' : 'macos'), f).toEqual([])
    }
    expect(readFileSync(join(out.path, 'baseline-security.ios.mobileconfig'), 'utf8')).toContain('{{user.mail}}')
    expect(t.out.join('\n')).toMatch(/placeholders: \{\{user\.mail\}\}/)
  })

  it("writes a user's profiles as their device gets them, signed with the ingress certificate", async () => {
    const dataDir = demoWorkspace()
    const out = tempDir()
    dirs.push(out)
    const pki = testPki()
    writeFileSync(join(out.path, 'cert.pem'), pki.server.certPem)
    writeFileSync(join(out.path, 'key.pem'), pki.server.keyPem)
    writeFileSync(join(out.path, 'ca.pem'), pki.caPem)
    const profilesDir = join(out.path, 'profiles')
    const t = io()
    const args = ['profiles', 'export', '--data-dir', dataDir, '--out', profilesDir, '--platform', 'ios']
    const user = ['--user', 'alex.morgan@northwind.example', '--signed']
    const tls = ['--tls-cert', join(out.path, 'cert.pem'), '--tls-key', join(out.path, 'key.pem')]
    expect(await runCli([...args, ...user, ...tls], t.io)).toBe(0)
    const files = readdirSync(profilesDir).sort()
    expect(files).toContain('sales-crm-deployment.ios.mobileconfig')
    expect(files).not.toContain('marketing-suite.ios.mobileconfig')
    expect(files.every(f => f.endsWith('.ios.mobileconfig'))).toBe(true)
    const xml = execFileSync('openssl', [
      'smime',
      '-verify',
      '-inform',
      'DER',
      '-in',
      join(profilesDir, 'baseline-security.ios.mobileconfig'),
      '-CAfile',
      join(out.path, 'ca.pem'),
      '-purpose',
      'any',
    ]).toString('utf8')
    expect(xml).toContain('<string>alex.morgan@northwind.example</string>')
    expect(xml).not.toContain('{{user.')
  })

  it('writes a per-app VPN for macOS with its app mapping, once each app has its code signature', async () => {
    const d = tempDir()
    dirs.push(d)
    const app = createApp({ dataDir: d.path })
    loadDemo(app)
    await app.call('apps/save', { platform: 'macos', identifier: 'com.salesforce.chatter', name: 'Salesforce' })
    const vpn = {
      type: 'vpn',
      vpnType: 'IKEv2',
      server: 'vpn.northwind.example',
      sharedSecret: 's',
      perApp: true,
      apps: ['com.salesforce.chatter'],
    }
    const draft = (settings: Record<string, unknown>) => ({
      name: 'Mac CRM VPN',
      description: '',
      priority: 5,
      platforms: ['macos' as const],
      items: [
        {
          kind: 'profile' as const,
          identifier: 'com.northwind.vpn.mac',
          name: 'CRM VPN',
          platform: null,
          settings,
          removeOnUnassign: false,
        },
      ],
      targets: [],
    })
    const refused = await app.invoke('policies/apply', { change: { kind: 'policy', draft: draft(vpn) } })
    expect(refused.ok).toBe(false)
    expect(JSON.stringify(refused)).toContain('items.0.settings.apps.0')
    const signature = {
      designatedRequirement: 'identifier "com.salesforce.chatter"',
      signingIdentifier: 'com.salesforce.chatter',
    }
    const macosApps = [{ identifier: 'com.salesforce.chatter', ...signature }]
    expect(
      await app.call('policies/apply', { change: { kind: 'policy', draft: draft({ ...vpn, macosApps }) } }),
    ).toMatchObject({
      status: 'applied',
    })
    app.close()
    const out = tempDir()
    dirs.push(out)
    const args = ['profiles', 'export', '--data-dir', d.path, '--out', out.path, '--platform', 'macos']
    expect(await runCli(args, io().io)).toBe(0)
    const profile = parsePlist(readFileSync(join(out.path, 'mac-crm-vpn.macos.mobileconfig'), 'utf8')) as Dict
    expect(problemsOf(profile, 'macos')).toEqual([])
    const [layer, mapping] = contentOf(profile)
    expect([layer?.['PayloadType'], mapping?.['PayloadType']]).toEqual([
      'com.apple.vpn.managed.applayer',
      'com.apple.vpn.managed.appmapping',
    ])
    expect(mapping?.['AppLayerVPNMapping']).toEqual([
      {
        Identifier: 'com.salesforce.chatter',
        VPNUUID: layer?.['VPNUUID'],
        DesignatedRequirement: signature.designatedRequirement,
        SigningIdentifier: signature.signingIdentifier,
      },
    ])
  })

  it.each([
    [['profiles', 'export'], /needs --out DIR/],
    [['profiles', 'export', '--out', 'x', '--platform', 'android'], /--platform must be ios or macos/],
    [['profiles', 'export', '--out', 'x', '--signed'], /--signed needs --tls-cert and --tls-key/],
    [['profiles', 'list'], /unknown sub-command "list"/],
  ])('refuses %j with its usage', async (argv, message) => {
    const t = io()
    expect(await runCli(argv, t.io)).toBe(2)
    expect(t.err.join('\n')).toMatch(message)
    expect(t.err.join('\n')).toContain('profiles export')
  })

  it('says what it takes with --help', async () => {
    const t = io()
    expect(await runCli(['profiles', '--help'], t.io)).toBe(0)
    expect(t.out.join('\n')).toMatch(/--user UPN[\s\S]*--signed/)
  })

  it('exits 1 for a user the workspace does not have', async () => {
    const dataDir = demoWorkspace()
    const out = tempDir()
    dirs.push(out)
    const t = io()
    const argv = ['profiles', 'export', '--data-dir', dataDir, '--out', out.path, '--user', 'nobody@example.com']
    expect(await runCli(argv, t.io)).toBe(1)
    expect(t.err.join('\n')).toMatch(/No user with principal name nobody@example\.com/)
  })
})

// `jit-mapper profiles export`: writes every configuration profile the workspace's policies deliver,
// one .mobileconfig per policy and Apple platform, as a device of the user would get it — to look
// at, or to install by hand with Apple Configurator. Optionally signed with the ingress certificate.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { errorMessage } from '../../shared/errors'
import { createApp } from '../app'
import { profileProblems, profileXml, signProfile, type ApplePlatform } from '../policies'
import { type CliIo, existingWorkspace, UsageError } from './cli-io'

export const PROFILES_USAGE = `  profiles export  Write each policy's configuration profile, one .mobileconfig per policy and platform
               --out DIR         the folder to write to (created if missing; required)
               --platform P      ios or macos (default: both)
               --user UPN        as that user's device gets them: only their policies, {{user.x}} filled
                                 (default: every policy, variables left as {{user.x}} placeholders)
               --signed          sign each profile (CMS) with the ingress certificate; needs --tls-cert and --tls-key
               --tls-cert FILE   the ingress certificate (PEM); also the FileVault recovery-key escrow certificate
               --tls-key FILE    its private key (PEM)
               --json            print what was written as JSON`

const PLATFORMS: readonly ApplePlatform[] = ['ios', 'macos']

/** A file name from a policy name: letters, digits and dashes. */
const slug = (name: string): string =>
  name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase() || 'policy'

const derOf = (pem: string): Uint8Array => {
  const body = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem)?.[1]
  if (!body) throw new UsageError('--tls-cert holds no PEM certificate')
  return new Uint8Array(Buffer.from(body.replace(/\s+/g, ''), 'base64'))
}

/** Exit status 2: a usage error; 1: no workspace, no such user, or a profile Apple's schema refuses. */
export async function profilesCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv
  if (sub !== 'export') throw new UsageError(sub ? `unknown sub-command "${sub}"` : 'which sub-command? export')
  let v: {
    out?: string
    platform?: string
    user?: string
    signed?: boolean
    'tls-cert'?: string
    'tls-key'?: string
    json?: boolean
    'data-dir'?: string
  }
  try {
    v = parseArgs({
      args: rest,
      options: {
        out: { type: 'string' },
        platform: { type: 'string' },
        user: { type: 'string' },
        signed: { type: 'boolean' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        json: { type: 'boolean' },
        'data-dir': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values
  } catch (e) {
    throw new UsageError(errorMessage(e))
  }
  if (!v.out) throw new UsageError('profiles export needs --out DIR')
  const platform = v.platform
  if (platform !== undefined && !PLATFORMS.includes(platform as ApplePlatform))
    throw new UsageError(
      `--platform must be ios or macos (Android devices take no configuration profiles), not ${platform}`,
    )
  if (v.signed && (!v['tls-cert'] || !v['tls-key'])) throw new UsageError('--signed needs --tls-cert and --tls-key')
  const read = (flag: string, file: string): string => {
    try {
      return readFileSync(file, 'utf8')
    } catch (e) {
      throw new UsageError(`${flag} ${file}: ${errorMessage(e)}`)
    }
  }
  const certPem = v['tls-cert'] ? read('--tls-cert', v['tls-cert']) : null
  const keyPem = v['tls-key'] ? read('--tls-key', v['tls-key']) : null
  const dataDir = existingWorkspace(v['data-dir'], io)
  if (!dataDir) return 1
  const app = createApp({ dataDir })
  try {
    const profiles = app.services.policies.profiles({
      platform: platform as ApplePlatform | undefined,
      userPrincipalName: v.user,
      escrowCertificate: certPem ? derOf(certPem) : undefined,
    })
    mkdirSync(v.out, { recursive: true })
    const written: { policy: string; platform: ApplePlatform; file: string; signed: boolean; unfilled: string[] }[] = []
    let refused = 0
    for (const p of profiles) {
      for (const problem of p.problems) io.err(`${p.policyName} (${p.platform}): ${problem}`)
      if (!p.profile) continue
      // Supervision was confirmed at authoring for every supervised-only key a policy holds.
      const problems = profileProblems(p.profile, true)
      for (const s of problems) io.err(`${p.policyName} (${p.platform}): ${s.path}: ${s.message}`)
      if (problems.length > 0) {
        refused++
        continue
      }
      const xml = profileXml(p.profile)
      const file = join(v.out, `${slug(p.policyName)}.${p.platform}.mobileconfig`)
      writeFileSync(file, v.signed && certPem && keyPem ? signProfile(xml, certPem, keyPem) : xml, { mode: 0o600 })
      written.push({
        policy: p.policyName,
        platform: p.platform,
        file,
        signed: v.signed === true,
        unfilled: p.unfilled,
      })
    }
    if (v.json) io.out(JSON.stringify(written, null, 2))
    else {
      for (const w of written)
        io.out(
          `${w.file}  ${w.policy} (${w.platform})${w.signed ? ', signed' : ''}${w.unfilled.length > 0 ? `; placeholders: ${w.unfilled.map(u => `{{user.${u}}}`).join(', ')}` : ''}`,
        )
      io.out(`${written.length} profile${written.length === 1 ? '' : 's'} written to ${v.out}.`)
      if (!certPem && profiles.some(p => p.profile?.schemas.includes('com.apple.MCX.FileVault2')))
        io.out('FileVault: no --tls-cert, so the recovery key is shown to the user instead of escrowed.')
    }
    return refused > 0 || profiles.some(p => p.problems.length > 0) ? 1 : 0
  } catch (e) {
    if (e instanceof UsageError) throw e
    io.err(errorMessage(e))
    return 1
  } finally {
    app.close()
  }
}

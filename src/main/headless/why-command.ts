// `jit-mapper why`: why a device has (or lacks) its policies, and its assignment history, from
// the local workspace with no network — for a field tech at the device.
import { parseArgs } from 'node:util'
import type { AssignmentEvent, PolicyWhy, WhyStep } from '../../shared/policy'
import { createApp } from '../app'
import { type CliIo, existingWorkspace } from './cli-io'
import { errorMessage } from '../../shared/errors'

export const WHY_USAGE = `  why        Explain a device's policies from the local workspace (works offline)
               --serial S        the device's serial number (required)
               --policy NAME     one policy, assigned or not (default: every policy on the device)
               --all             every policy, applied or not, each with its why
               --history         also print the device's assignment history
               --json            print JSON instead of text`

const step = (s: WhyStep): string =>
  `    ${s.outcome === 'pass' ? '✓' : s.outcome === 'fail' ? '✗' : '·'} ${s.step}: ${s.text}`
const event = (e: AssignmentEvent): string => `  ${e.at}  ${e.action} ${e.policyName}  ${e.summary}`

/** Exit status 2: a usage error; 1: no such workspace, device or policy. */
export async function whyCommand(argv: string[], io: CliIo): Promise<number> {
  let v: { serial?: string; policy?: string; all?: boolean; history?: boolean; json?: boolean; 'data-dir'?: string }
  try {
    v = parseArgs({
      args: argv,
      options: {
        serial: { type: 'string' },
        policy: { type: 'string' },
        all: { type: 'boolean' },
        history: { type: 'boolean' },
        json: { type: 'boolean' },
        'data-dir': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values
  } catch (e) {
    io.err(`${errorMessage(e)}\n\n${WHY_USAGE}`)
    return 2
  }
  if (!v.serial) {
    io.err(`why needs --serial.\n\n${WHY_USAGE}`)
    return 2
  }
  const dataDir = existingWorkspace(v['data-dir'], io)
  if (!dataDir) return 1
  const app = createApp({ dataDir })
  try {
    const { policies, devices } = app.services
    const device = devices.list().find(d => d.serial === v.serial)
    if (!device) {
      io.err(`No device with serial ${v.serial} in this workspace.`)
      return 1
    }
    let explained: PolicyWhy[]
    if (v.policy !== undefined) {
      const name = v.policy.toLowerCase()
      const policy = policies.list().find(p => p.name.toLowerCase() === name)
      if (!policy) {
        io.err(
          `No policy named ${v.policy}; policies: ${policies
            .list()
            .map(p => p.name)
            .join(', ')}.`,
        )
        return 1
      }
      explained = [policies.why(device.id, policy.id)]
    } else explained = policies.effective(device.id, { all: v.all })
    const history = v.history ? policies.history(device.id) : []
    if (v.json) {
      io.out(JSON.stringify(v.history ? { policies: explained, history } : { policies: explained }, null, 2))
      return 0
    }
    io.out(`${device.name} (${device.platform}, serial ${device.serial}) of ${device.userPrincipalName ?? 'no user'}:`)
    if (explained.length === 0) io.out('  No policy applies to this device.')
    for (const p of explained) {
      io.out(`  ${p.policyName}: ${p.status}. ${p.summary}`)
      p.steps.forEach(s => io.out(step(s)))
    }
    if (v.history) {
      io.out('History (newest first):')
      if (history.length === 0) io.out('  No assignment changes recorded.')
      history.forEach(e => io.out(event(e)))
    }
    return 0
  } finally {
    app.close()
  }
}

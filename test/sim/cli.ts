// `npm run simulate -- [--seed S | --seeds 1,2,3] [--steps N] [--mix JSON] [--ignore kind,kind]
//  [--ops JSON] [--no-shrink] [--strict]`: runs the simulation for longer than CI does, or replays a printed
// sequence (--ops, with the seed it was found with). Prints each failure shrunk, and exits 1 if
// any seed failed. Loaded through Vite's module runner by run-cli.mjs (no TypeScript runner is
// installed).
import { disabled, INVARIANTS } from './check'
import { CI_SEEDS, KNOWN_DEFECTS } from './config'
import { runOps } from './driver'
import { DEFAULT_MIX, describeOp, type Op, type OpMix } from './ops'
import { report, shrink, simulate } from './shrink'

interface CliArgs {
  seeds: number[]
  steps: number
  mix: OpMix
  ignore: string[]
  ops: Op[] | null
  shrink: boolean
}

const USAGE = `usage: npm run simulate -- [--seed S | --seeds 1,2,3] [--steps N] [--mix JSON] [--ignore kind,...] [--ops JSON] [--no-shrink] [--strict]
  --strict  check the known defects of config.ts too (and run every op kind)
  --mix     op weights merged over the default, e.g. '{"crash":0,"import":6}'; kinds: ${Object.keys(DEFAULT_MIX).join(', ')}
  --ignore  invariants to set aside (known defects): ${Object.keys(INVARIANTS).join(', ')}
  --ops     replay a printed sequence (with the --seed it was found with)`

/** From the command line there is time to shrink a long sequence well (CI stops sooner). */
const LONG_SHRINK = { budgetMs: 10 * 60_000, maxReplays: 2000 }

/** Asked for help: print the usage and succeed. */
export class Usage extends Error {}

export function parseCli(argv: readonly string[]): CliArgs {
  const a: CliArgs = { seeds: CI_SEEDS, steps: 1000, mix: {}, ignore: [], ops: null, shrink: true }
  let strict = false
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = () => {
      const v = argv[++i]
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`)
      return v
    }
    if (flag === '--help' || flag === '-h') throw new Usage(USAGE)
    if (flag === '--seed') a.seeds = [Number(value())]
    else if (flag === '--seeds') a.seeds = value().split(',').map(Number)
    else if (flag === '--steps') a.steps = Number(value())
    else if (flag === '--mix') a.mix = JSON.parse(value()) as OpMix
    else if (flag === '--ignore') a.ignore = value().split(',').filter(Boolean)
    else if (flag === '--ops') a.ops = JSON.parse(value()) as Op[]
    else if (flag === '--no-shrink') a.shrink = false
    else if (flag === '--strict') strict = true
    else throw new Error(`unknown option ${flag}\n${USAGE}`)
  }
  // Like CI: the known defects (config.ts) are set aside unless --strict.
  if (!strict) {
    a.mix = { ...KNOWN_DEFECTS.mix, ...a.mix }
    a.ignore = [...KNOWN_DEFECTS.ignore, ...a.ignore]
  }
  if (a.seeds.some(s => !Number.isInteger(s)) || !Number.isInteger(a.steps) || a.steps < 0)
    throw new Error(`seeds and steps are whole numbers\n${USAGE}`)
  return a
}

export async function main(argv: readonly string[]): Promise<number> {
  let args: CliArgs
  try {
    args = parseCli(argv)
  } catch (e) {
    if (!(e instanceof Usage)) throw e
    console.log(e.message)
    return 0
  }
  for (const k of args.ignore) disabled.add(k)
  let failed = 0
  if (args.ops) {
    const seed = args.seeds[0] ?? 1
    const r = await runOps(seed, args.ops)
    if (!r.violation) {
      console.log(`seed ${seed}: the ${args.ops.length} ops pass every invariant`)
      return 0
    }
    const result = args.shrink
      ? await shrink(seed, args.ops, r.violation, LONG_SHRINK)
      : { ops: args.ops.slice(0, r.violation.step + 1), violation: r.violation, replays: 0 }
    console.log(report(seed, result))
    return 1
  }
  for (const seed of args.seeds) {
    const started = Date.now()
    const r = await simulate({ seed, steps: args.steps, mix: args.mix, shrink: args.shrink ? LONG_SHRINK : false })
    const took = ((Date.now() - started) / 1000).toFixed(1)
    if (r.failure) {
      failed++
      console.log(report(seed, r.failure))
      console.log(`(seed ${seed} failed after ${r.steps} steps; ${took} s with shrinking)\n`)
    } else
      console.log(
        `seed ${seed}: ${r.steps} steps (${r.skipped} not applicable), every invariant held (${took} s); ${JSON.stringify(r.stats)}`,
      )
  }
  console.log(failed === 0 ? 'all seeds passed' : `${failed} of ${args.seeds.length} seeds failed`)
  return failed === 0 ? 0 : 1
}

export { describeOp }

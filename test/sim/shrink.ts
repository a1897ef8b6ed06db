// Shrinking a failing sequence to a short one that fails the same way (delta debugging: drop
// chunks, halving the chunk size down to single ops, then simplify crash wrappers), replaying
// each candidate from a fresh world. "The same way" is the same invariant kind, so the shrink
// does not wander off to another defect.
import { initialGenState, initialWorld, runOps, type SimStats } from './driver'
import { describeOp, generateSequence, type Op, type OpMix } from './ops'
import type { SimViolation } from './check'

export interface ShrinkResult {
  ops: Op[]
  violation: SimViolation
  replays: number
}

export interface ShrinkOptions {
  /** Stop after this many replays (each replays from a fresh world). */
  maxReplays?: number
  /** Stop after this many milliseconds. */
  budgetMs?: number
}

/** Replays a candidate sequence from a fresh world; the violation it ends in, or null. */
export type Replay = (ops: Op[]) => Promise<SimViolation | null>

export async function shrink(
  seed: number,
  ops: readonly Op[],
  first: SimViolation,
  o: ShrinkOptions = {},
): Promise<ShrinkResult> {
  return shrinkWith(ops, first, async candidate => (await runOps(seed, candidate)).violation, o)
}

/** The shrinking itself, over any replay (unit tests pass a plain predicate). */
export async function shrinkWith(
  ops: readonly Op[],
  first: SimViolation,
  replay: Replay,
  o: ShrinkOptions = {},
): Promise<ShrinkResult> {
  const maxReplays = o.maxReplays ?? 400
  const deadline = Date.now() + (o.budgetMs ?? 120_000)
  let replays = 0
  // Only the ops up to the failing one matter (the drain runs after the last op).
  let best: Op[] = ops.slice(0, first.step >= 0 ? Math.min(first.step + 1, ops.length) : ops.length)
  let violation = first
  const tryOps = async (candidate: Op[]): Promise<boolean> => {
    if (replays >= maxReplays || Date.now() > deadline) return false
    replays++
    const v = await replay(candidate)
    if (!v || v.kind !== first.kind) return false
    best = v.step >= 0 ? candidate.slice(0, v.step + 1) : candidate
    violation = v
    return true
  }

  let chunk = Math.max(1, Math.floor(best.length / 2))
  while (chunk >= 1 && replays < maxReplays && Date.now() <= deadline) {
    let removed = false
    for (let i = 0; i < best.length; ) {
      const candidate = [...best.slice(0, i), ...best.slice(i + chunk)]
      if (candidate.length < best.length && (await tryOps(candidate))) removed = true
      else i += chunk
    }
    if (!removed) chunk = Math.floor(chunk / 2)
  }
  // A crash wrapper that is not needed: replace it by the op it wrapped.
  for (let i = 0; i < best.length; i++) {
    const op = best[i] as Op
    if (op.k !== 'crash') continue
    await tryOps([...best.slice(0, i), op.inner, ...best.slice(i + 1)])
  }
  return { ops: best, violation, replays }
}

/** The users a seed starts with (the ops only say what changes). */
export function describeWorld(seed: number): string[] {
  const w = initialWorld(seed)
  return [...w.entra, ...w.file].map(
    u =>
      `  ${u.key}: department ${u.attributes.department ?? '(none)'}, jobTitle ${u.attributes.jobTitle}, groups [${[...u.groups].join(', ')}]`,
  )
}

export function report(seed: number, r: ShrinkResult): string {
  const users = new Set(
    JSON.stringify(r.ops)
      .match(/"user":"[ef]\d+"/g)
      ?.map(m => m.slice(8, -1)),
  )
  return [
    `seed ${seed}: ${r.violation.kind} — ${r.violation.detail}`,
    'starting world (users the sequence names):',
    ...describeWorld(seed).filter(l => users.has(l.trim().split(':')[0] as string)),
    `shortest sequence found (${r.ops.length} ops, ${r.replays} replays):`,
    ...r.ops.map((op, i) => `  ${i + 1}. ${describeOp(op)}`),
    r.violation.step >= r.ops.length ? '  (then every device checks in until nothing is left)' : '',
    `replay: npm run simulate -- --seed ${seed} --ops '${JSON.stringify(r.ops)}'`,
  ]
    .filter(Boolean)
    .join('\n')
}

export interface SimulateOptions {
  seed: number
  steps: number
  mix?: OpMix
  shrink?: ShrinkOptions | false
}

export interface SimulateResult {
  stats: SimStats
  seed: number
  steps: number
  skipped: number
  failure: ShrinkResult | null
}

/** Generates a seed's sequence, runs it, and shrinks it when an invariant breaks. */
export async function simulate(o: SimulateOptions): Promise<SimulateResult> {
  const ops = generateSequence(o.seed, o.steps, o.mix, initialGenState())
  const r = await runOps(o.seed, ops)
  if (!r.violation) return { seed: o.seed, steps: r.applied, skipped: r.skipped, stats: r.stats, failure: null }
  const failure =
    o.shrink === false
      ? { ops: ops.slice(0, r.violation.step + 1), violation: r.violation, replays: 0 }
      : await shrink(o.seed, ops, r.violation, o.shrink)
  return { seed: o.seed, steps: r.applied, skipped: r.skipped, stats: r.stats, failure }
}

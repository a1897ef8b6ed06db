// What a simulation run covers, configurable without editing code, so the CI seed set and the
// operation mix can change once defects are fixed:
// - SIM_SEEDS: comma-separated seeds (default: the CI set below)
// - SIM_STEPS: steps per seed (default: CI_STEPS)
// - SIM_MIX: op weights as JSON, e.g. '{"crash":0,"import":5}' (merged over the default mix)
// - SIM_IGNORE: comma-separated invariant kinds to set aside (known defects being fixed)
// The CLI takes the same as flags (--seed, --steps, --mix, --ignore).
import type { OpMix } from './ops'

export const CI_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
export const CI_STEPS = 200

export interface SimConfig {
  seeds: number[]
  steps: number
  mix: OpMix
  ignore: string[]
}

export function configFrom(env: Record<string, string | undefined>): SimConfig {
  const list = (s: string | undefined) =>
    (s ?? '')
      .split(',')
      .map(x => x.trim())
      .filter(Boolean)
  const seeds = list(env['SIM_SEEDS']).map(Number)
  return {
    seeds: seeds.length > 0 ? seeds : CI_SEEDS,
    steps: env['SIM_STEPS'] ? Number(env['SIM_STEPS']) : CI_STEPS,
    mix: env['SIM_MIX'] ? (JSON.parse(env['SIM_MIX']) as OpMix) : {},
    ignore: list(env['SIM_IGNORE']),
  }
}

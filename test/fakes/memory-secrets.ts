import { randomBytes } from 'node:crypto'
import type { Secrets } from '../../src/main/ports'

/** A secrets store that lives only as long as the test. */
export function memorySecrets(): Secrets {
  const values = new Map<string, string>()
  const key = randomBytes(32)
  return {
    dataKey: () => key,
    get: async name => values.get(name) ?? null,
    set: async (name, value) => void values.set(name, value),
    delete: async name => void values.delete(name),
  }
}

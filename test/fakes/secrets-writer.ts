// A second process writing the workspace's secrets file, as a cron'd CLI would while the app
// runs: sets JIT_KEYS keys named <JIT_PREFIX>-<n>, one write each, then prints DONE.
import { createFileSecretStore } from '../../src/main/secrets'

async function main(): Promise<void> {
  const store = createFileSecretStore(process.env['JIT_DIR'] as string)
  const n = Number(process.env['JIT_KEYS'])
  for (let i = 0; i < n; i++) await store.set(`${process.env['JIT_PREFIX']}-${i}`, `value-${i}`)
  process.stdout.write('DONE\n')
}

void main()

// Runs test/sim/cli.ts under Vite's module runner (the TypeScript and import resolution the tests
// get from vitest), since no TypeScript runner is installed: `npm run simulate -- --help`.
import { fileURLToPath } from 'node:url'
import { runnerImport } from 'vite'

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url))
const { module } = await runnerImport(cli, { configFile: false, logLevel: 'error' })
try {
  process.exitCode = await module.main(process.argv.slice(2))
} catch (e) {
  console.error(e instanceof Error ? e.message : e)
  process.exitCode = 2
}

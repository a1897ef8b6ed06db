// Entry point of the jit-mapper command (bundled to out/cli/index.cjs).
import { runCli } from './commands'
import { errorStack } from '../../shared/errors'

// `jit-mapper diagnose | head` closes the pipe early; that is the reader's choice, not a failure.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0)
  throw e
})

runCli(process.argv.slice(2), {
  out: line => process.stdout.write(`${line}\n`),
  err: line => process.stderr.write(`${line}\n`),
  env: process.env,
  untilStopped: () =>
    new Promise(resolve => {
      process.once('SIGINT', () => resolve())
      process.once('SIGTERM', () => resolve())
    }),
}).then(
  code => {
    process.exitCode = code
  },
  (e: unknown) => {
    process.stderr.write(`${errorStack(e)}\n`)
    process.exitCode = 1
  },
)

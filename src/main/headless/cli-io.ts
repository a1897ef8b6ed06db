// What every command of the command line is given and may throw: its terminal and environment,
// and the usage error that exits with status 2 and the command's --help text. Apart from
// commands.ts so its sub-commands can use them without importing the command table.
import { existsSync } from 'node:fs'
import { resolveDataDir } from '../workspace'

export interface CliIo {
  out(line: string): void
  err(line: string): void
  env: NodeJS.ProcessEnv
  /** Resolves when the user asks a long-running command (demo) to stop. */
  untilStopped(): Promise<void>
}

/** A bad flag or a missing option: exit status 2 with the command's usage. */
export class UsageError extends Error {}

/**
 * The workspace folder a command works on (--data-dir, else JIT_MAPPER_DATA, else the default),
 * or null after saying on stderr that there is none: the command then exits with status 1.
 */
export function existingWorkspace(flag: string | undefined, io: CliIo): string | null {
  const dataDir = resolveDataDir(flag, io.env)
  if (existsSync(dataDir)) return dataDir
  io.err(`No workspace at ${dataDir}. Pass --data-dir or set JIT_MAPPER_DATA.`)
  return null
}

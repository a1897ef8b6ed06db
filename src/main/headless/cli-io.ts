// What every command of the command line is given and may throw: its terminal and environment,
// and the usage error that exits with status 2 and the command's --help text. Apart from
// commands.ts so its sub-commands can use them without importing the command table.

export interface CliIo {
  out(line: string): void
  err(line: string): void
  env: NodeJS.ProcessEnv
  /** Resolves when the user asks a long-running command (demo) to stop. */
  untilStopped(): Promise<void>
}

/** A bad flag or a missing option: exit status 2 with the command's usage. */
export class UsageError extends Error {}

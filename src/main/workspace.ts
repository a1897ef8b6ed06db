import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * Where the workspace lives when neither --data-dir nor JIT_MAPPER_DATA says: the same folder
 * Electron uses as userData for "JIT Mapper", so the desktop app and a cron'd CLI share it.
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (platform === 'win32') return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), 'JIT Mapper')
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'JIT Mapper')
  return join(env['XDG_CONFIG_HOME'] || join(home, '.config'), 'JIT Mapper')
}

export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag || env['JIT_MAPPER_DATA'] || defaultDataDir(env)
}

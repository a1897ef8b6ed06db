import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

/**
 * The project's resources/ folder, found by walking up from this module: the same code runs
 * from src/ under the tests, from out/cli under the CLI and from out/main under Electron.
 */
export function resourcesDir(start: string = __dirname): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json')
    if (
      existsSync(pkg) &&
      existsSync(join(dir, 'resources')) &&
      (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'jit-mapper'
    ) {
      return join(dir, 'resources')
    }
    if (dirname(dir) === dir) throw new Error(`resources/ not found above ${start}`)
  }
}

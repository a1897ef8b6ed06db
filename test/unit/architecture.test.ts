import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = join(__dirname, '..', '..')

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap(name => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sources(path)
    return /\.(ts|tsx|mts|cts)$/.test(name) ? [path] : []
  })
}

const importsOf = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]([^'"]+)['"]/g)].map(
    m => m[1] as string,
  )

const files = sources(join(ROOT, 'src')).map(f => ({
  path: relative(ROOT, f).split('\\').join('/'),
  imports: importsOf(f),
}))

describe('architecture', () => {
  it('finds the sources it checks', () => {
    expect(files.some(f => f.path === 'src/main/electron/main.ts')).toBe(true)
    expect(files.find(f => f.path === 'src/main/electron/main.ts')?.imports).toContain('electron')
  })

  it('keeps electron inside src/main/electron and the preload', () => {
    const offenders = files
      .filter(f => !f.path.startsWith('src/main/electron/') && !f.path.startsWith('src/preload/'))
      .filter(f => f.imports.some(i => i === 'electron' || i.startsWith('electron/') || i === 'electron-store'))
      .map(f => f.path)
    expect(offenders).toEqual([])
  })

  it('keeps main and renderer apart: both depend only on src/shared', () => {
    const crossing = files
      .filter(f => f.path.startsWith('src/main/') || f.path.startsWith('src/preload/'))
      .filter(f => f.imports.some(i => i.includes('/renderer/')))
      .concat(
        files.filter(
          f =>
            f.path.startsWith('src/renderer/') && f.imports.some(i => i.includes('/main/') || i.includes('/preload/')),
        ),
      )
      .map(f => f.path)
    expect(crossing).toEqual([])
  })

  it('lets other rooms use the store only through its front door', () => {
    const behind = files
      .filter(f => f.path.startsWith('src/main/') && !f.path.startsWith('src/main/store/'))
      .filter(f => f.imports.some(i => /\/store\/(?!index)/.test(i)))
      .map(f => f.path)
    expect(behind).toEqual([])
  })

  it('keeps SQL inside src/main/store', () => {
    const sql =
      /\b(SELECT\s+[\w*"(].*\bFROM\b|INSERT\s+(OR\s+\w+\s+)?INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b|CREATE\s+(TABLE|INDEX|TRIGGER)\b|PRAGMA\s+\w+)/
    const outside = sources(join(ROOT, 'src'))
      .filter(f => !relative(ROOT, f).split('\\').join('/').startsWith('src/main/store/'))
      .filter(f => sql.test(readFileSync(f, 'utf8')))
      .map(f => relative(ROOT, f))
    expect(outside).toEqual([])
  })

  it('lets code outside a domain room reach it only through its front door', () => {
    const rooms = ['directory', 'rules', 'groups', 'policies', 'devices', 'push', 'diagnostics', 'store']
    const behind = sources(join(ROOT, 'src', 'main')).flatMap(f => {
      const from = relative(join(ROOT, 'src', 'main'), f)
        .split('\\')
        .join('/')
      return importsOf(f)
        .filter(i => i.startsWith('.'))
        .map(i =>
          relative(join(ROOT, 'src', 'main'), resolve(dirname(f), i))
            .split('\\')
            .join('/'),
        )
        .filter(target => {
          const [room, file] = target.split('/')
          return (
            room !== undefined &&
            rooms.includes(room) &&
            !from.startsWith(`${room}/`) &&
            file !== undefined &&
            file !== 'index'
          )
        })
        .map(target => `${from} -> ${target}`)
    })
    expect(behind).toEqual([])
  })
})

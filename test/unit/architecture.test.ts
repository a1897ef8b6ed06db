import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
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

/** The file a relative import names (TypeScript's resolution: the path, .ts/.tsx, or its index). */
function resolveImport(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec)
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate
  }
  return null
}

/**
 * The import cycles of a graph: its strongly connected components of more than one file (or a
 * file importing itself), each sorted, by Tarjan's algorithm.
 */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const cycles: string[][] = []
  const visit = (v: string): void => {
    index.set(v, index.size)
    low.set(v, index.get(v) as number)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number))
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number))
      }
    }
    if (low.get(v) !== index.get(v)) return
    const component: string[] = []
    let w: string | undefined
    do {
      w = stack.pop() as string
      onStack.delete(w)
      component.push(w)
    } while (w !== v)
    if (component.length > 1 || graph.get(v)?.includes(v)) cycles.push(component.sort())
  }
  for (const v of graph.keys()) if (!index.has(v)) visit(v)
  return cycles
}

describe('finding import cycles', () => {
  it.each([
    { name: 'a chain has none', edges: { a: ['b'], b: ['c'], c: [] }, cycles: [] },
    { name: 'two files importing each other', edges: { a: ['b'], b: ['a'] }, cycles: [['a', 'b']] },
    { name: 'a file importing itself', edges: { a: ['a'] }, cycles: [['a']] },
    {
      name: 'a longer loop beside a chain',
      edges: { a: ['b'], b: ['c'], c: ['a'], d: ['a'] },
      cycles: [['a', 'b', 'c']],
    },
    {
      name: 'two separate loops',
      edges: { a: ['b'], b: ['a'], c: ['d'], d: ['c'] },
      cycles: [
        ['a', 'b'],
        ['c', 'd'],
      ],
    },
  ])('$name', ({ edges, cycles }) => {
    const found = importCycles(new Map(Object.entries(edges)))
    expect(found.sort((x, y) => (x[0] as string).localeCompare(y[0] as string))).toEqual(cycles)
  })
})

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
    const rooms = [
      'directories',
      'rules',
      'groups',
      'policies',
      'devices',
      'push',
      'diagnostics',
      'store',
      'secrets',
      'serving',
    ]
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

  it('keeps the shells (electron, headless) on top: no other code imports them, nor they each other', () => {
    const shells = ['electron', 'headless']
    const upward = sources(join(ROOT, 'src', 'main')).flatMap(f => {
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
          const shell = target.split('/')[0] as string
          return shells.includes(shell) && !from.startsWith(`${shell}/`)
        })
        .map(target => `${from} -> ${target}`)
    })
    expect(upward).toEqual([])
  })

  it('keeps facts in comments, not pointers to notes outside the repository', () => {
    const outside = /research\/|DESIGN\.md|\b[\w-]+\.md §/
    const pointing = ['src', 'test', 'bench']
      .flatMap(dir => sources(join(ROOT, dir)))
      .filter(f => outside.test(readFileSync(f, 'utf8')))
      .map(f => relative(ROOT, f))
    expect(pointing).toEqual([])
  })

  it('has no import cycles in src (type-only imports count too)', () => {
    const graph = new Map(
      sources(join(ROOT, 'src')).map(f => [
        relative(ROOT, f).split('\\').join('/'),
        importsOf(f)
          .filter(i => i.startsWith('.'))
          .flatMap(i => {
            const target = resolveImport(f, i)
            return target ? [relative(ROOT, target).split('\\').join('/')] : []
          }),
      ]),
    )
    expect(graph.get('src/main/app.ts')).toContain('src/main/store/index.ts')
    expect(importCycles(graph)).toEqual([])
  })
})

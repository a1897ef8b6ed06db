// Builds src/main/policies/apple/schema.json from the snapshot of Apple's device-management schema
// in test/fixtures/apple-schema (see the README there for the source repository and commit).
// It keeps facts only — key names, types, presence, allowed values, per-OS availability and
// supervision — for iOS and macOS, and none of Apple's descriptions.
//   node scripts/apple-schema.mjs            writes the table
//   node scripts/apple-schema.mjs --check    exits 1 when the table is not what the snapshot gives
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'

const ROOT = join(import.meta.dirname, '..')
const FIXTURES = join(ROOT, 'test', 'fixtures', 'apple-schema')
const OUT = join(ROOT, 'src', 'main', 'policies', 'apple', 'schema.json')
const OS = { iOS: 'ios', macOS: 'macos' }

/** One OS's availability as the schema states it ('n/a' = not available there). */
function os(supported) {
  const out = {}
  for (const [apple, ours] of Object.entries(OS)) {
    const s = supported?.[apple]
    if (!s) continue
    const entry = { introduced: String(s.introduced ?? '') }
    if (s.deprecated !== undefined) entry.deprecated = String(s.deprecated)
    if (s.removed !== undefined) entry.removed = String(s.removed)
    if (s.supervised !== undefined) entry.supervised = s.supervised === true
    if (s.multiple !== undefined) entry.multiple = s.multiple === true
    out[ours] = entry
  }
  return Object.keys(out).length > 0 ? out : undefined
}

const TYPE = /^<(\w+)>$/

/** A key and its subkeys; `seen` stops the schema's self-referencing anchors (subApps). */
function key(k, seen) {
  const type = TYPE.exec(String(k.type))?.[1] ?? 'any'
  const out = { key: String(k.key), type }
  if (k.presence === 'required') out.required = true
  if (Array.isArray(k.rangelist)) out.values = k.rangelist
  const support = os(k.supportedOS)
  if (support) out.os = support
  if (Array.isArray(k.subkeys) && (type === 'dictionary' || type === 'array')) {
    if (seen.has(k.subkeys)) out.recursive = true
    else {
      const next = new Set(seen).add(k.subkeys)
      out.sub = k.subkeys.map(s => key(s, next))
    }
  }
  return out
}

export function build() {
  const payloads = {}
  const commands = {}
  for (const file of readdirSync(FIXTURES).sort()) {
    if (!file.endsWith('.yaml')) continue
    const doc = parse(readFileSync(join(FIXTURES, file), 'utf8'), { maxAliasCount: -1 })
    const keys = (doc.payloadkeys ?? []).map(k => key(k, new Set()))
    const support = os(doc.payload?.supportedOS) ?? {}
    if (doc.payload?.payloadtype) {
      // Two files describe com.apple.MCX (FileVault options among them): keyed by file, typed by payloadtype.
      const name = file.replace(/\.yaml$/, '')
      payloads[name] = { payloadType: doc.payload.payloadtype, title: doc.title, os: support, keys }
    } else if (doc.payload?.requesttype) {
      commands[doc.payload.requesttype] = { os: support, keys }
    }
  }
  return { source: readFileSync(join(FIXTURES, 'SOURCE'), 'utf8').trim(), payloads, commands }
}

const text = `${JSON.stringify(build(), null, 2)}\n`
if (process.argv.includes('--check')) {
  if (readFileSync(OUT, 'utf8') !== text) {
    console.error(`${OUT} is out of date: run node scripts/apple-schema.mjs`)
    process.exit(1)
  }
} else writeFileSync(OUT, text)

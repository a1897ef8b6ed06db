// XML property lists, the body format of Apple MDM check-ins, commands and configuration profiles. Covers the types
// of Apple's DTD (http://www.apple.com/DTDs/PropertyList-1.0.dtd): dict, array, string, data,
// date, integer, real, true, false. A malformed document fails with the offset where it broke.
export type PlistValue = string | number | boolean | Date | Uint8Array | PlistValue[] | { [key: string]: PlistValue }

export class PlistError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`)
    this.name = 'PlistError'
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

/** Nesting deeper than this is refused: MDM messages nest a few levels; recursion has a stack. */
export const MAX_PLIST_DEPTH = 64

/** XML 1.0 §2.2 Char: what a character reference may name (no NUL, no lone surrogate). */
const isXmlChar = (c: number): boolean =>
  c === 0x9 ||
  c === 0xa ||
  c === 0xd ||
  (c >= 0x20 && c <= 0xd7ff) ||
  (c >= 0xe000 && c <= 0xfffd) ||
  (c >= 0x10000 && c <= 0x10ffff)

const unescapeXml = (s: string, at: number): string =>
  s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (_, e: string) => {
    if (e.startsWith('#')) {
      const code = e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)
      if (!isXmlChar(code)) throw new PlistError(`The character reference &${e}; names no XML character`, at)
      return String.fromCodePoint(code)
    }
    const v = ENTITIES[e]
    if (v === undefined) throw new PlistError(`Unknown entity &${e};`, at)
    return v
  })

/**
 * Escapes text for XML. Characters XML 1.0 can't carry at all (NUL and the other C0 controls
 * but tab and line breaks, lone surrogates, U+FFFE/U+FFFF) become U+FFFD: a profile filled from
 * a directory value must stay a document the device can parse.
 */
const escapeXml = (s: string): string =>
  s
    .replace(
      // biome-ignore lint/suspicious/noControlCharactersInRegex: characters XML cannot carry are replaced
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
      '\ufffd',
    )
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')

export function parsePlist(xml: string): PlistValue {
  let i = 0
  const skipSpace = () => {
    while (i < xml.length) {
      if (/\s/.test(xml[i] as string)) i++
      else if (xml.startsWith('<!--', i)) {
        const end = xml.indexOf('-->', i)
        if (end < 0) throw new PlistError('Unterminated comment', i)
        i = end + 3
      } else break
    }
  }
  // A tag: returns its name, whether it closes (</x>) and whether it is empty (<x/>).
  const tag = (): { name: string; closing: boolean; empty: boolean; at: number } => {
    skipSpace()
    const at = i
    if (xml[i] !== '<') throw new PlistError(`Expected a tag, found ${JSON.stringify(xml.slice(i, i + 10))}`, i)
    const end = xml.indexOf('>', i)
    if (end < 0) throw new PlistError('Unterminated tag', i)
    const body = xml.slice(i + 1, end)
    i = end + 1
    const closing = body.startsWith('/')
    const empty = body.endsWith('/')
    const name = body.replace(/^\//, '').replace(/\/$/, '').trim().split(/\s/)[0] ?? ''
    return { name, closing, empty, at }
  }
  const text = (name: string): string => {
    const end = xml.indexOf(`</${name}>`, i)
    if (end < 0) throw new PlistError(`Missing </${name}>`, i)
    const raw = xml.slice(i, end)
    if (raw.includes('<')) throw new PlistError(`Unexpected markup inside <${name}>`, i + raw.indexOf('<'))
    const at = i
    i = end + name.length + 3
    return unescapeXml(raw, at)
  }
  let depth = 0
  const value = (open = tag()): PlistValue => {
    if (++depth > MAX_PLIST_DEPTH) throw new PlistError(`Nested deeper than ${MAX_PLIST_DEPTH} levels`, open.at)
    try {
      return readValue(open)
    } finally {
      depth--
    }
  }
  const readValue = (open: ReturnType<typeof tag>): PlistValue => {
    if (open.closing) throw new PlistError(`Unexpected </${open.name}>`, open.at)
    switch (open.name) {
      case 'dict': {
        const out: Record<string, PlistValue> = {}
        if (open.empty) return out
        for (;;) {
          const t = tag()
          if (t.closing && t.name === 'dict') return out
          if (t.name !== 'key' || t.closing)
            throw new PlistError(`Expected <key> in <dict>, found <${t.closing ? '/' : ''}${t.name}>`, t.at)
          const k = t.empty ? '' : text('key')
          if (Object.hasOwn(out, k)) throw new PlistError(`Duplicate key ${JSON.stringify(k)}`, t.at)
          out[k] = value()
        }
      }
      case 'array': {
        const out: PlistValue[] = []
        if (open.empty) return out
        for (;;) {
          const t = tag()
          if (t.closing && t.name === 'array') return out
          out.push(value(t))
        }
      }
      case 'string':
        return open.empty ? '' : text('string')
      case 'integer': {
        const s = open.empty ? '' : text('integer').trim()
        if (!/^[+-]?\d+$/.test(s)) throw new PlistError(`Invalid <integer> ${JSON.stringify(s)}`, open.at)
        return Number(s)
      }
      case 'real': {
        const s = open.empty ? '' : text('real').trim()
        const n = Number(s)
        if (s === '' || Number.isNaN(n)) throw new PlistError(`Invalid <real> ${JSON.stringify(s)}`, open.at)
        return n
      }
      case 'true':
      case 'false':
        if (!open.empty) {
          const close = tag()
          if (!close.closing || close.name !== open.name) throw new PlistError(`Expected </${open.name}>`, close.at)
        }
        return open.name === 'true'
      case 'data': {
        const s = open.empty ? '' : text('data').replace(/\s+/g, '')
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new PlistError('Invalid base64 in <data>', open.at)
        return new Uint8Array(Buffer.from(s, 'base64'))
      }
      case 'date': {
        const s = open.empty ? '' : text('date').trim()
        const d = new Date(s)
        if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(s) || Number.isNaN(d.getTime()))
          throw new PlistError(`Invalid <date> ${JSON.stringify(s)}`, open.at)
        return d
      }
      default:
        throw new PlistError(`Unknown element <${open.name}>`, open.at)
    }
  }

  skipSpace()
  if (xml.startsWith('<?xml', i)) i = xml.indexOf('?>', i) + 2
  skipSpace()
  if (xml.startsWith('<!DOCTYPE', i)) i = xml.indexOf('>', i) + 1
  const root = tag()
  if (root.name !== 'plist' || root.closing || root.empty) throw new PlistError('Expected <plist>', root.at)
  const v = value()
  const close = tag()
  if (!close.closing || close.name !== 'plist') throw new PlistError('Expected </plist> after the root value', close.at)
  skipSpace()
  if (i < xml.length) throw new PlistError('Content after </plist>', i)
  return v
}

/** `indent`: one element per line, tab-indented, as Apple writes configuration profiles (for people to read). */
export function buildPlist(v: PlistValue, opts: { indent?: boolean } = {}): string {
  const out: string[] = []
  let depth = 0
  const line = (s: string): void => {
    out.push(opts.indent ? `\n${'\t'.repeat(depth)}${s}` : s)
  }
  const emit = (x: PlistValue): void => {
    if (typeof x === 'string') line(`<string>${escapeXml(x)}</string>`)
    else if (typeof x === 'boolean') line(x ? '<true/>' : '<false/>')
    else if (typeof x === 'number') line(Number.isInteger(x) ? `<integer>${x}</integer>` : `<real>${x}</real>`)
    else if (x instanceof Date) line(`<date>${x.toISOString().replace(/\.\d{3}Z$/, 'Z')}</date>`)
    else if (x instanceof Uint8Array) line(`<data>${Buffer.from(x).toString('base64')}</data>`)
    else if (Array.isArray(x)) {
      line('<array>')
      depth++
      x.forEach(emit)
      depth--
      line('</array>')
    } else {
      line('<dict>')
      depth++
      for (const [k, val] of Object.entries(x)) {
        line(`<key>${escapeXml(k)}</key>`)
        emit(val)
      }
      depth--
      line('</dict>')
    }
  }
  emit(v)
  return `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">${out.join('')}${opts.indent ? '\n' : ''}</plist>\n`
}

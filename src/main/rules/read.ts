// Reading one value off a user's record (or off one item of a list, inside any/all).

import type { RuleInput } from './types'

export type Reader = (from: unknown) => unknown

/**
 * A reader for a path. The first name of an Entra path is matched case-insensitively (`loose`),
 * because rules and directories disagree on casing (Entra's own docs write both mailNickName
 * and mailNickname): the exact key first (the common case, no scan), then any key equal to it
 * ignoring case (the length test is a cheap pre-filter; rule names are ASCII). Okta and Google
 * read names exactly, as they are case-sensitive. Only own properties are read, so names
 * Object.prototype also has ("constructor") never read the prototype. The empty path is the
 * value itself (Entra's `_`).
 */
export function pathReader(path: readonly string[], loose: boolean): Reader {
  if (path.length === 0) return from => from
  const steps = path.map((name, i) => (i === 0 && loose ? looseKey(name) : exactKey(name)))
  if (steps.length === 1) return steps[0] as Reader
  return from => {
    let value = from
    for (const step of steps) {
      if (value === undefined || value === null) return undefined
      value = step(value)
    }
    return value
  }
}

function exactKey(name: string): Reader {
  if (name in Object.prototype) {
    return from =>
      typeof from === 'object' && from !== null && Object.hasOwn(from, name) ? (from as RuleInput)[name] : undefined
  }
  return from => (typeof from === 'object' && from !== null ? (from as RuleInput)[name] : undefined)
}

function looseKey(name: string): Reader {
  const lower = name.toLowerCase()
  const scan = (from: RuleInput): unknown => {
    for (const key in from) {
      if (key.length === lower.length && key.toLowerCase() === lower && Object.hasOwn(from, key)) return from[key]
    }
    return undefined
  }
  if (name in Object.prototype) {
    return from => {
      if (typeof from !== 'object' || from === null) return undefined
      const user = from as RuleInput
      return Object.hasOwn(user, name) ? user[name] : scan(user)
    }
  }
  return from => {
    const user = from as RuleInput
    const value = user[name]
    return value !== undefined ? value : scan(user)
  }
}

/** The user lacks the attribute: absent key, null or "" (what `missing` reports). */
export function isMissing(value: unknown): value is null | undefined | '' {
  return value === undefined || value === null || value === ''
}

// Reading one attribute off a user's record. Keys are matched case-insensitively because rules
// and directories disagree on casing (Entra's own docs write both mailNickName and mailNickname).

import type { AttributeValue, Attributes } from '../../shared/domain'

export type Reader = (user: Attributes) => AttributeValue | undefined

/**
 * A reader for one attribute name: the exact key first (the common case, no scan), then any
 * key equal to it ignoring case (the length test is a cheap pre-filter; property names in
 * rules are ASCII, whose lower case never changes length). Names that Object.prototype also
 * has ("constructor", "toString") must not read the prototype, so they take an own-property check.
 */
export function attributeReader(name: string): Reader {
  const lower = name.toLowerCase()
  const scan = (user: Attributes): AttributeValue | undefined => {
    for (const key in user) {
      if (key.length === lower.length && key.toLowerCase() === lower && Object.hasOwn(user, key)) {
        return user[key]
      }
    }
    return undefined
  }
  if (name in Object.prototype) {
    return (user) => (Object.hasOwn(user, name) ? user[name] : scan(user))
  }
  return (user) => {
    const value = user[name]
    return value !== undefined ? value : scan(user)
  }
}

/** The user lacks the attribute: absent key, null or "" (what `missing` reports). */
export function isMissing(value: AttributeValue | undefined): value is null | undefined | '' {
  return value === undefined || value === null || value === ''
}

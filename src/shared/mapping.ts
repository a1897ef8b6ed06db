// An edit of a directory's attribute mapping, read as what-if changes: which attribute rules
// read would lose its values, or take them from another attribute the directory already syncs.
import type { AttributeMapping } from './domain'

export interface MappingShift {
  attribute: string
  /** The synced attribute whose values it would take; null: it would have no value. */
  source: string | null
}

export interface MappingEdits {
  shifts: MappingShift[]
  /** Attributes mapped to an IdP property not synced yet: their effect shows after the next sync. */
  notSynced: { attribute: string; property: string }[]
}

const key = (s: string): string => s.trim().toLowerCase()

export function mappingEdits(saved: readonly AttributeMapping[], edited: readonly AttributeMapping[]): MappingEdits {
  const savedByAttribute = new Map(saved.map(m => [key(m.attribute), m]))
  const attributeOfProperty = new Map(saved.map(m => [key(m.property), m.attribute.trim()]))
  const editedRows = edited.filter(m => m.attribute.trim() !== '' && m.property.trim() !== '')
  const editedByAttribute = new Map(editedRows.map(m => [key(m.attribute), m]))
  const out: MappingEdits = { shifts: [], notSynced: [] }
  for (const m of saved) {
    if (!editedByAttribute.has(key(m.attribute))) out.shifts.push({ attribute: m.attribute.trim(), source: null })
  }
  for (const m of editedRows) {
    const before = savedByAttribute.get(key(m.attribute))
    if (before && key(before.property) === key(m.property)) continue
    const source = attributeOfProperty.get(key(m.property))
    if (source !== undefined) out.shifts.push({ attribute: m.attribute.trim(), source })
    else out.notSynced.push({ attribute: m.attribute.trim(), property: m.property.trim() })
  }
  return out
}

// Searches of the lists: LIKE patterns with SQLite's wildcards escaped (ESCAPE '\').

/** A LIKE pattern matching the text anywhere, its wildcards taken literally; null for no search. */
export const containsPattern = (query: string | undefined): string | null =>
  query?.trim() ? `%${query.trim().replace(/[\\%_]/g, c => `\\${c}`)}%` : null

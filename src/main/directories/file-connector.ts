// The file directory as a connector: a CSV or JSON export at a path, read whole on every
// sync (a file has no change feed), parsed by the same parser as an import. Columns are
// already named after Graph user properties, so they map to attributes as they are.
//
// The path is the admin's, but whatever it names is read by the app: it is resolved (symlinks
// followed) and the real path is what every message shows; only a regular file up to
// MAX_DIRECTORY_FILE_BYTES is read; and a file that is not a directory export (no
// userPrincipalName header or field) is refused without quoting a byte of it, so pointing a
// directory at ~/.ssh/id_rsa or /etc/shadow reveals nothing.
import { open, realpath } from 'node:fs/promises'
import { extname } from 'node:path'
import { AppError, errorMessage } from '../../shared/errors'
import { startPull, type Connector } from './connector'
import { parseUserFile } from './file'

export interface FileSettings {
  path: string
}

/** The largest directory file read: a 100,000-user export is about 20 MB. */
export const MAX_DIRECTORY_FILE_BYTES = 256 * 1024 * 1024

export interface DirectoryFile {
  /** The path after resolving symlinks and relative parts. */
  realPath: string
  content: string
}

/** Reads a directory file: resolved, a regular file, at most MAX_DIRECTORY_FILE_BYTES. */
export async function readDirectoryFile(path: string, maxBytes = MAX_DIRECTORY_FILE_BYTES): Promise<DirectoryFile> {
  const realPath = await realpath(path)
  // Opened once and checked through the handle, so the file checked is the file read.
  const handle = await open(realPath, 'r')
  try {
    const info = await handle.stat()
    if (!info.isFile()) throw new Error(`${realPath} is not a regular file`)
    if (info.size > maxBytes) throw new Error(`${realPath} is ${info.size} bytes; the limit is ${maxBytes}`)
    return { realPath, content: await handle.readFile('utf8') }
  } finally {
    await handle.close()
  }
}

/** Whether text looks like a user export at all (a userPrincipalName column or field). */
const looksLikeExport = (format: 'csv' | 'json', content: string): boolean =>
  format === 'json'
    ? /"userPrincipalName"\s*:/i.test(content.slice(0, 1_000_000))
    : /(^|[,;\t"])\s*userPrincipalName\s*("|[,;\t]|$)/im.test(content.slice(0, content.indexOf('\n') + 1 || 4096))

export function createFileConnector({
  settings,
  readFile = readDirectoryFile,
}: {
  settings: FileSettings
  readFile?: (path: string) => Promise<DirectoryFile>
}): Connector {
  const format = extname(settings.path).toLowerCase() === '.json' ? 'json' : 'csv'
  const read = async () => {
    let file: DirectoryFile
    try {
      file = await readFile(settings.path)
    } catch (e) {
      throw new AppError(
        'DIRECTORY_UNAVAILABLE',
        `Cannot read the directory file ${settings.path}: ${errorMessage(e)}`,
        { path: settings.path },
      )
    }
    const parsed = parseUserFile(format, file.content)
    if (!parsed.ok) {
      if (!looksLikeExport(format, file.content))
        throw new AppError(
          'IMPORT_INVALID',
          `${file.realPath} is not a directory export (it has no userPrincipalName ${format === 'csv' ? 'column' : 'field'}); nothing changed.`,
          { path: file.realPath },
        )
      throw new AppError(
        'IMPORT_INVALID',
        `The directory file ${file.realPath} was refused and nothing changed: ${parsed.errors[0]?.message ?? 'it is invalid'}`,
        { path: file.realPath, errors: parsed.errors },
      )
    }
    return parsed.users
  }
  const groupKey = (name: string) => name.toLowerCase()

  return {
    kind: 'file',
    async test() {
      const users = await read()
      return `Read ${users.length} users from ${await realpath(settings.path)}.`
    },
    async pull({ onPage, onUser }) {
      const users = await read()
      const { pull, take } = startPull('full', onUser)
      const groups = new Map<string, string>()
      const listed = new Map<string, Set<string>>()
      for (const u of users) {
        take({
          externalId: u.externalId,
          userPrincipalName: u.userPrincipalName,
          displayName: u.displayName,
          properties: u.attributes,
        })
        for (const g of u.groups) {
          const key = groupKey(g)
          if (!groups.has(key)) groups.set(key, g)
          let members = listed.get(key)
          if (!members) {
            members = new Set()
            listed.set(key, members)
            pull.members.set(key, { replace: members })
          }
          members.add(u.externalId)
        }
      }
      pull.groups = [...groups].map(([externalId, name]) => ({
        externalId,
        name,
        description: 'Synced from the directory file',
        rule: null,
      }))
      onPage({ pages: 1, users: pull.users.length, groups: pull.groups.length })
      return pull
    },
    async fetchUser(userPrincipalName) {
      const u = (await read()).find(x => x.userPrincipalName.toLowerCase() === userPrincipalName.toLowerCase())
      return u
        ? {
            user: {
              externalId: u.externalId,
              userPrincipalName: u.userPrincipalName,
              displayName: u.displayName,
              properties: u.attributes,
            },
            groupIds: u.groups.map(groupKey),
          }
        : null
    },
  }
}

// The file directory as a connector: a CSV or JSON export at a path, read whole on every
// sync (a file has no change feed), parsed by the same parser as an import. Columns are
// already named after Graph user properties, so they map to attributes as they are.
import { extname } from 'node:path'
import { AppError, errorMessage } from '../../shared/errors'
import type { Connector, Pull, PulledUser } from './connector'
import { parseUserFile } from './file'

export interface FileSettings {
  path: string
}

export function createFileConnector({
  settings,
  readFile,
}: {
  settings: FileSettings
  readFile: (path: string) => Promise<string>
}): Connector {
  const format = extname(settings.path).toLowerCase() === '.json' ? 'json' : 'csv'
  const read = async () => {
    let content: string
    try {
      content = await readFile(settings.path)
    } catch (e) {
      throw new AppError(
        'DIRECTORY_UNAVAILABLE',
        `Cannot read the directory file ${settings.path}: ${errorMessage(e)}`,
        { path: settings.path },
      )
    }
    const parsed = parseUserFile(format, content)
    if (!parsed.ok) {
      throw new AppError(
        'IMPORT_INVALID',
        `The directory file ${settings.path} was refused and nothing changed: ${parsed.errors[0]?.message ?? 'it is invalid'}`,
        { errors: parsed.errors },
      )
    }
    return parsed.users
  }
  const groupKey = (name: string) => name.toLowerCase()

  return {
    kind: 'file',
    async test() {
      const users = await read()
      return `Read ${users.length} users from ${settings.path}.`
    },
    async pull({ onPage, onUser }) {
      const users = await read()
      const pull: Pull = {
        mode: 'full',
        users: [],
        removedUserIds: [],
        groups: [],
        removedGroupIds: [],
        members: new Map(),
        cursor: null,
      }
      const take = onUser ?? ((u: PulledUser) => pull.users.push(u))
      const groups = new Map<string, string>()
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
          const change = pull.members.get(key) ?? { replace: new Set<string>() }
          if ('replace' in change) change.replace.add(u.externalId)
          pull.members.set(key, change)
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

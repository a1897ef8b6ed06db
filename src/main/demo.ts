// The embedded default: the demo organisation in resources/demo, loaded through the same
// file connector an office without an IdP uses.
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { AppError } from '../shared/errors'
import type { App } from './app'
import { resourcesDir } from './resources'

const platform = z.enum(['ios', 'macos', 'android'])
const organisationSchema = z.object({
  directory: z.object({ name: z.string().min(1), kind: z.literal('file'), usersFile: z.string().min(1) }),
  groups: z.array(
    z.object({
      name: z.string().min(1),
      kind: z.enum(['rule', 'synced']),
      dialect: z.enum(['entra', 'okta', 'google']).optional(),
      rule: z.string().min(1).optional(),
      description: z.string().default(''),
    }),
  ),
  policies: z.array(
    z.object({
      name: z.string().min(1),
      description: z.string().default(''),
      priority: z.number().int().default(0),
      platforms: z.array(platform).min(1),
      items: z.array(
        z.object({
          kind: z.enum(['app', 'profile', 'restriction']),
          identifier: z.string().min(1),
          name: z.string().min(1),
          platform: platform.nullable().optional(),
          settings: z.record(z.string(), z.unknown()).default({}),
          removeOnUnassign: z.boolean().default(false),
        }),
      ),
      targets: z.array(z.object({ group: z.string().min(1), mode: z.enum(['include', 'exclude']) })),
    }),
  ),
})

export type Organisation = z.infer<typeof organisationSchema>

export function readOrganisation(dir: string): { organisation: Organisation; usersCsv: string } {
  const file = join(dir, 'organisation.json')
  const parsed = organisationSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')))
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new AppError('BAD_INPUT', `${file}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`)
  }
  return { organisation: parsed.data, usersCsv: readFileSync(join(dir, parsed.data.directory.usersFile), 'utf8') }
}

/** Loads the demo into an empty workspace; returns false (and changes nothing) otherwise. */
export function loadDemo(app: App, dir: string = join(resourcesDir(), 'demo')): boolean {
  const { store, directories, clock } = app.services
  if (!store.isEmpty()) return false
  const { organisation, usersCsv } = readOrganisation(dir)
  const newId = () => randomUUID()
  store.transaction(() => {
    const directoryId = directories.createFileDirectory(organisation.directory.name)
    const groupIds = new Map<string, string>()
    for (const g of organisation.groups) {
      const id = newId()
      groupIds.set(g.name, id)
      store.groups.create({
        id,
        directoryId: g.kind === 'synced' ? directoryId : null,
        name: g.name,
        kind: g.kind,
        dialect: g.kind === 'rule' ? (g.dialect ?? 'entra') : null,
        rule: g.kind === 'rule' ? (g.rule ?? null) : null,
        description: g.description,
      })
    }
    const at = clock.now().toISOString()
    // The demo's apps make up its app inventory, so its policies can be edited and saved as they are.
    for (const p of organisation.policies) {
      for (const i of p.items) {
        if (i.kind === 'app' && i.platform)
          store.inventory.put({
            id: `app:${i.platform}:${i.identifier}`,
            platform: i.platform,
            identifier: i.identifier,
            name: i.name,
          })
      }
    }
    for (const p of organisation.policies) {
      store.policies.create(
        {
          id: newId(),
          name: p.name,
          description: p.description,
          priority: p.priority,
          platforms: p.platforms,
          items: p.items.map(i => ({ ...i, id: newId(), platform: i.platform ?? null })),
          targets: p.targets.map(t => {
            const groupId = groupIds.get(t.group)
            if (!groupId) throw new AppError('BAD_INPUT', `Demo policy ${p.name} targets unknown group ${t.group}.`)
            return { groupId, groupName: t.group, mode: t.mode }
          }),
        },
        at,
      )
    }
    directories.importUsers(directoryId, 'csv', usersCsv)
  })
  return true
}

// The workspace the UI benchmark drives: a file directory of 100,000 users (a fifth without
// usageLocation), 300 rule groups (ten of them read usageLocation), 20 policies and 10,000
// enrolled devices, built through the app's own channels.
import type { App } from '../src/main/app'

export const USERS = 100_000
export const RULE_GROUPS = 300
export const POLICIES = 20
export const DEVICES = 10_000

const DEPARTMENTS = ['Sales', 'Marketing', 'Engineering', 'Support', 'Finance', 'Legal', 'HR', 'IT', 'Ops', 'Research']
const COUNTRIES = ['DE', 'FR', 'GB', 'US', 'ES', 'IT', 'NL', 'SE', 'PL', 'AT', 'CH', 'BE', 'DK', 'NO', 'FI']
const TITLES = ['Manager', 'Engineer', 'Analyst', 'Associate', 'Director', 'Specialist']

/** A user row of the directory file; `variant` shifts departments for the benchmark's re-import. */
function userRow(i: number, variant: number): string {
  const department = DEPARTMENTS[(i + variant) % DEPARTMENTS.length]
  const country = COUNTRIES[i % COUNTRIES.length]
  const usageLocation = i % 5 === 0 ? '' : country
  const title = TITLES[i % TITLES.length]
  return `u${i},user${String(i).padStart(6, '0')}@northwind.example,User ${String(i).padStart(6, '0')},${department},${title},${country},${usageLocation}`
}

export function directoryCsv(variant = 0): string {
  const rows = ['id,userPrincipalName,displayName,department,jobTitle,country,usageLocation']
  for (let i = 0; i < USERS; i++) rows.push(userRow(i, variant))
  return rows.join('\n')
}

/** The rule of group k: ten read usageLocation, the rest department, title and country. */
export function ruleOf(k: number): string {
  if (k < 10) return `user.usageLocation -eq "${COUNTRIES[k]}"`
  const department = DEPARTMENTS[k % DEPARTMENTS.length]
  const title = TITLES[Math.floor(k / DEPARTMENTS.length) % TITLES.length]
  const country = COUNTRIES[k % COUNTRIES.length]
  return `(user.department -eq "${department}") -and (user.jobTitle -eq "${title}" -or user.country -eq "${country}")`
}

export async function buildWorkspace(app: App, log: (line: string) => void): Promise<{ directoryId: string }> {
  const { store, directories, clock } = app.services
  const directoryId = directories.createFileDirectory('Northwind file')
  for (let k = 0; k < RULE_GROUPS; k++)
    store.groups.create({
      id: `g${k}`,
      directoryId: null,
      name: `Rule group ${String(k).padStart(3, '0')}`,
      kind: 'rule',
      dialect: 'entra',
      rule: ruleOf(k),
      description: '',
    })
  const at = clock.now().toISOString()
  for (let p = 0; p < POLICIES; p++)
    store.policies.create(
      {
        id: `p${p}`,
        name: `Policy ${p}`,
        description: '',
        priority: p,
        platforms: ['ios', 'android', 'macos'],
        items: [
          {
            id: `p${p}-app`,
            kind: 'app',
            identifier: `com.example.app${p}`,
            name: `App ${p}`,
            platform: null,
            settings: {},
            removeOnUnassign: false,
          },
          {
            id: `p${p}-limit`,
            kind: 'restriction',
            identifier: 'cellularDataLimitMB',
            name: 'Cellular data limit',
            platform: null,
            settings: { value: 1000 + p },
            removeOnUnassign: false,
          },
        ],
        targets: [
          {
            groupId: `g${10 + p * 7}`,
            groupName: `Rule group ${String(10 + p * 7).padStart(3, '0')}`,
            mode: 'include',
          },
        ],
      },
      at,
    )
  let started = Date.now()
  const imported = await app.invoke('directories/import', {
    directoryId,
    format: 'csv',
    content: directoryCsv(),
    mode: 'update',
  })
  if (!imported.ok) throw new Error(`the benchmark import failed: ${imported.error.message}`)
  log(`imported ${USERS} users in ${Date.now() - started} ms`)
  started = Date.now()
  for (let d = 0; d < DEVICES; d++) {
    const i = (d * 7919) % USERS
    const r = await app.invoke('devices/enroll', {
      serial: `SN${String(d).padStart(6, '0')}X`,
      platform: d % 3 === 0 ? 'android' : d % 3 === 1 ? 'ios' : 'macos',
      userPrincipalName: `user${String(i).padStart(6, '0')}@northwind.example`,
      name: `Device ${String(d).padStart(5, '0')}`,
    })
    if (!r.ok) throw new Error(`the benchmark enrollment failed: ${r.error.message}`)
  }
  log(`enrolled ${DEVICES} devices in ${Date.now() - started} ms`)
  return { directoryId }
}

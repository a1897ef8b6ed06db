#!/usr/bin/env node
// Generates the demo organisation's users (resources/demo/users.csv): 320 people at the
// fictional "Northwind Devices". Deterministic (seeded PRNG, no dependencies), so the
// committed file is exactly this script's output:
//   node scripts/generate-demo.mjs           write resources/demo/users.csv
//   node scripts/generate-demo.mjs --check   exit 1 if the committed file is stale
//
// The data is shaped for the product's demo and tests: a few users lack `department` or
// `usageLocation` (so SYNC_ATTR_MISSING has something to show), several job titles contain
// "Developer" (the Developers rule group), staff are spread over EU and non-EU countries
// (EU Staff / US Staff), and two fixed users (alex.morgan, sam.rivera) always exist with
// every column filled.

import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const SEED = 0x4e57_2024 // "NW" 2024
const USER_COUNT = 320
const COMPANY = 'Northwind Devices'
const DOMAIN = 'northwind.example'

export const COLUMNS = [
  'id',
  'userPrincipalName',
  'displayName',
  'givenName',
  'surname',
  'department',
  'jobTitle',
  'country',
  'usageLocation',
  'city',
  'companyName',
  'employeeId',
  'mail',
  'accountEnabled',
  'groups',
]

// mulberry32: small, fast, good enough for test data, identical on every platform.
function mulberry32(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// Head counts per department (sum 320): ~20% Sales, ~12% Marketing, ~25% Engineering, …
const DEPARTMENTS = [
  ['Sales', 64],
  ['Marketing', 38],
  ['Engineering', 80],
  ['Finance', 26],
  ['HR', 19],
  ['Support', 45],
  ['Operations', 32],
  ['Legal', 16],
]

// Non-executive job titles per department, with weights.
const TITLES = {
  Sales: [
    ['Account Executive', 30],
    ['Senior Account Executive', 10],
    ['Sales Development Representative', 12],
    ['Sales Manager', 6],
    ['Sales Operations Analyst', 4],
    ['Sales Engineer', 4],
  ],
  Marketing: [
    ['Marketing Manager', 4],
    ['Product Marketing Manager', 4],
    ['Content Strategist', 6],
    ['Marketing Analyst', 6],
    ['Developer Advocate', 4],
    ['Graphic Designer', 5],
    ['Marketing Coordinator', 6],
  ],
  Engineering: [
    ['Software Developer', 24],
    ['Senior Developer', 14],
    ['Firmware Developer', 6],
    ['QA Engineer', 8],
    ['DevOps Engineer', 6],
    ['Hardware Engineer', 8],
    ['Engineering Manager', 6],
    ['Data Analyst', 4],
  ],
  Finance: [
    ['Financial Analyst', 10],
    ['Accountant', 8],
    ['Finance Manager', 3],
    ['Payroll Specialist', 3],
  ],
  HR: [
    ['HR Business Partner', 6],
    ['Recruiter', 7],
    ['HR Manager', 3],
    ['HR Coordinator', 2],
  ],
  Support: [
    ['Support Specialist', 20],
    ['Senior Support Specialist', 8],
    ['Technical Support Engineer', 10],
    ['Support Manager', 4],
  ],
  Operations: [
    ['Operations Analyst', 8],
    ['Logistics Coordinator', 8],
    ['Supply Chain Analyst', 6],
    ['Operations Manager', 4],
    ['IT Administrator', 4],
  ],
  Legal: [
    ['Legal Counsel', 6],
    ['Paralegal', 4],
    ['Compliance Analyst', 4],
    ['Legal Operations Manager', 1],
  ],
}

// The ten members of the synced "Executives" group, one title each.
const EXECUTIVES = [
  ['Operations', 'Chief Executive Officer'],
  ['Operations', 'Chief Operating Officer'],
  ['Finance', 'Chief Financial Officer'],
  ['Engineering', 'Chief Technology Officer'],
  ['Engineering', 'VP Engineering'],
  ['Marketing', 'Chief Marketing Officer'],
  ['Sales', 'VP Sales'],
  ['HR', 'Chief People Officer'],
  ['Legal', 'General Counsel'],
  ['Support', 'VP Customer Support'],
]

// [country, ISO 3166-1 alpha-2 (Graph usageLocation), weight, cities]
const COUNTRIES = [
  ['United States', 'US', 30, ['Seattle', 'New York', 'Austin', 'Chicago', 'Washington, D.C.']],
  ['United Kingdom', 'GB', 10, ['London', 'Manchester', 'Edinburgh']],
  ['Germany', 'DE', 12, ['Berlin', 'Munich', 'Hamburg']],
  ['France', 'FR', 7, ['Paris', 'Lyon']],
  ['Netherlands', 'NL', 6, ['Amsterdam', 'Utrecht']],
  ['Spain', 'ES', 5, ['Madrid', 'Barcelona']],
  ['Ireland', 'IE', 5, ['Dublin', 'Cork']],
  ['Poland', 'PL', 5, ['Warsaw', 'Kraków']],
  ['Italy', 'IT', 4, ['Milan', 'Rome']],
  ['Sweden', 'SE', 4, ['Stockholm', 'Gothenburg']],
  ['Canada', 'CA', 5, ['Toronto', 'Vancouver']],
  ['Japan', 'JP', 3, ['Tokyo', 'Osaka']],
  ['Australia', 'AU', 4, ['Sydney', 'Melbourne']],
]

const GIVEN_NAMES = [
  'James',
  'Olivia',
  'Liam',
  'Emma',
  'Noah',
  'Ava',
  'Lucas',
  'Mia',
  'Ethan',
  'Sophia',
  'Mateo',
  'Isabella',
  'Leon',
  'Hannah',
  'Lukas',
  'Lena',
  'Jonas',
  'Marie',
  'Hugo',
  'Chloé',
  'Louis',
  'Camille',
  'Daan',
  'Sanne',
  'Sem',
  'Fleur',
  'Pablo',
  'Lucía',
  'Javier',
  'Carmen',
  'Seán',
  'Aoife',
  'Ciarán',
  'Niamh',
  'Jakub',
  'Zofia',
  'Piotr',
  'Katarzyna',
  'Matteo',
  'Giulia',
  'Lorenzo',
  'Francesca',
  'Erik',
  'Astrid',
  'Oskar',
  'Elin',
  'Haruto',
  'Yui',
  'Sota',
  'Hina',
  'Ren',
  'Aiko',
  'Jack',
  'Charlotte',
  'Oliver',
  'Amelia',
  'Harry',
  'Isla',
  'William',
  'Grace',
  'Benjamin',
  'Daniel',
  'Priya',
  'Arjun',
  'Fatima',
  'Omar',
  'Wei',
  'Mei',
  'Kofi',
  'Amara',
  'Diego',
  'Zoë',
  'José',
  'Nora',
  'Felix',
  'Ines',
  'Tomás',
  'Ingrid',
  'Rafael',
  'Maya',
]

const SURNAMES = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Wilson',
  'Anderson',
  'Taylor',
  'Thomas',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Thompson',
  'White',
  'Harris',
  'Clark',
  'Lewis',
  'Walker',
  'Hall',
  'Young',
  'King',
  'Müller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weber',
  'Wagner',
  'Becker',
  'Dubois',
  'Lefèvre',
  'Moreau',
  'Laurent',
  'Bernard',
  'de Vries',
  'van Dijk',
  'Bakker',
  'Jansen',
  'Fernández',
  'López',
  'Martínez',
  'Sánchez',
  'Gómez',
  'Murphy',
  'Kelly',
  "O'Brien",
  'Byrne',
  'Walsh',
  'Nowak',
  'Kowalski',
  'Wiśniewski',
  'Wójcik',
  'Rossi',
  'Russo',
  'Ferrari',
  'Esposito',
  'Bianchi',
  'Johansson',
  'Lindqvist',
  'Karlsson',
  'Nilsson',
  'Sato',
  'Suzuki',
  'Takahashi',
  'Tanaka',
  'Watanabe',
  'Patel',
  'Singh',
  'Chen',
  'Wang',
  'Nguyen',
  'Okafor',
  'Mensah',
  'Tremblay',
  'Roy',
  'Gagnon',
  'Łukasik',
]

// Users the tests and the walkthrough rely on; every column filled, never disabled.
const FIXED_USERS = [
  {
    givenName: 'Alex',
    surname: 'Morgan',
    department: 'Sales',
    jobTitle: 'Account Executive',
    country: 'United States',
    city: 'Seattle',
  },
  {
    givenName: 'Sam',
    surname: 'Rivera',
    department: 'Marketing',
    jobTitle: 'Product Marketing Manager',
    country: 'Ireland',
    city: 'Dublin',
  },
]

/** ASCII mail-safe form of a name: "Łukasik" → "lukasik", "O'Brien" → "obrien", "de Vries" → "devries". */
function mailPart(name) {
  return name
    .replace(/[Łł]/g, 'l')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '')
}

function csvField(value) {
  const text = String(value)
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

export function generateUsers(seed = SEED) {
  const random = mulberry32(seed)
  const pick = list => list[Math.floor(random() * list.length)]
  const weighted = (list, weightOf) => {
    const total = list.reduce((sum, item) => sum + weightOf(item), 0)
    let r = random() * total
    for (const item of list) {
      r -= weightOf(item)
      if (r < 0) return item
    }
    return list[list.length - 1]
  }
  const uuid = () => {
    let hex = ''
    for (let i = 0; i < 32; i++) hex += Math.floor(random() * 16).toString(16)
    // RFC 9562 version 4 / variant 10 bits, so the ids look like Entra object ids.
    const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
  }

  const usedUpns = new Set(FIXED_USERS.map(u => `${mailPart(u.givenName)}.${mailPart(u.surname)}`))
  const newName = () => {
    for (;;) {
      const givenName = pick(GIVEN_NAMES)
      const surname = pick(SURNAMES)
      const local = `${mailPart(givenName)}.${mailPart(surname)}`
      if (!usedUpns.has(local)) {
        usedUpns.add(local)
        return { givenName, surname }
      }
    }
  }

  // One slot per head count; executives and the fixed users take slots in their department.
  const people = []
  const remaining = Object.fromEntries(DEPARTMENTS)
  for (const u of FIXED_USERS) {
    remaining[u.department]--
    const country = COUNTRIES.find(c => c[0] === u.country)
    people.push({ ...u, usageLocation: country[1], fixed: true, executive: false })
  }
  for (const [department, jobTitle] of EXECUTIVES) {
    remaining[department]--
    people.push({ ...newName(), department, jobTitle, executive: true, fixed: false })
  }
  for (const [department] of DEPARTMENTS) {
    for (let i = 0; i < remaining[department]; i++) {
      const [jobTitle] = weighted(TITLES[department], t => t[1])
      people.push({ ...newName(), department, jobTitle, executive: false, fixed: false })
    }
  }
  for (const p of people) {
    if (p.fixed) continue
    const [country, usageLocation, , cities] = weighted(COUNTRIES, c => c[2])
    Object.assign(p, { country, usageLocation, city: pick(cities) })
  }

  // Fisher–Yates, so departments are interleaved the way a real export would be.
  for (let i = people.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[people[i], people[j]] = [people[j], people[i]]
  }

  // Incomplete records and disabled accounts, never on the fixed users or executives.
  const ordinary = people.map((p, i) => i).filter(i => !people[i].fixed && !people[i].executive)
  const take = count => {
    const chosen = []
    while (chosen.length < count) {
      const i = ordinary.splice(Math.floor(random() * ordinary.length), 1)[0]
      chosen.push(people[i])
    }
    return chosen
  }
  for (const p of take(3)) p.department = ''
  for (const p of take(2)) p.usageLocation = ''
  for (const p of take(6)) p.disabled = true

  return people.map((p, index) => {
    const upn = `${mailPart(p.givenName)}.${mailPart(p.surname)}@${DOMAIN}`
    const groups = ['All Staff']
    if (p.executive || /Manager/.test(p.jobTitle)) groups.push('People Managers')
    if (p.executive) groups.push('Executives')
    return {
      id: uuid(),
      userPrincipalName: upn,
      displayName: `${p.givenName} ${p.surname}`,
      givenName: p.givenName,
      surname: p.surname,
      department: p.department,
      jobTitle: p.jobTitle,
      country: p.country,
      usageLocation: p.usageLocation,
      city: p.city,
      companyName: COMPANY,
      employeeId: `NW${String(10001 + index)}`,
      mail: upn,
      accountEnabled: p.disabled ? 'false' : 'true',
      groups: groups.join(';'),
    }
  })
}

export function generateUsersCsv(seed = SEED) {
  const users = generateUsers(seed)
  if (users.length !== USER_COUNT) throw new Error(`expected ${USER_COUNT} users, generated ${users.length}`)
  const lines = [COLUMNS.join(',')]
  for (const user of users) lines.push(COLUMNS.map(c => csvField(user[c])).join(','))
  return `${lines.join('\n')}\n`
}

const usersFile = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'demo', 'users.csv')

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const csv = generateUsersCsv()
  if (process.argv.includes('--check')) {
    let committed = ''
    try {
      committed = readFileSync(usersFile, 'utf8')
    } catch {
      // missing counts as stale
    }
    if (committed !== csv) {
      console.error(`${usersFile} is stale: run node scripts/generate-demo.mjs`)
      process.exit(1)
    }
    console.log(`${usersFile} is up to date`)
  } else {
    writeFileSync(usersFile, csv)
    console.log(`wrote ${usersFile} (${USER_COUNT} users)`)
  }
}

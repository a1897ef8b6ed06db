import { describe, expect, it } from 'vitest'
import {
  MAX_IMPORT_ERRORS,
  parseUserFile,
  type DirectoryUserRecord,
  type FileImportError,
} from '../../../src/main/directories/file'

const csv = (...lines: string[]) => lines.join('\n') + '\n'

type Identity = Omit<DirectoryUserRecord, 'row' | 'columns' | 'groupsColumn'>

/** The users a file gives, without where the file gives them (see "says which fields each user has"). */
function usersOf(content: string): Identity[] {
  return recordsOf(content).map(({ row: _row, columns: _columns, groupsColumn: _groups, ...user }) => user)
}

function recordsOf(content: string): DirectoryUserRecord[] {
  const result = parseUserFile('csv', content)
  if (!result.ok) throw new Error(`expected the file to parse, got: ${result.errors.map(e => e.message).join(' | ')}`)
  return result.users
}

function errorsOf(content: string): FileImportError[] {
  const result = parseUserFile('csv', content)
  if (result.ok) throw new Error(`expected the file to be refused, got ${result.users.length} users`)
  return result.errors
}

describe('parseUserFile csv: reading users', () => {
  it('maps the known columns and keeps every other column as an attribute', () => {
    const users = usersOf(
      csv(
        'id,userPrincipalName,displayName,department,jobTitle,country,usageLocation,accountEnabled,groups',
        'u-1,alex.morgan@northwind.example,Alex Morgan,Sales,Account Executive,United States,US,true,All Staff;People Managers',
      ),
    )
    expect(users).toEqual([
      {
        externalId: 'u-1',
        userPrincipalName: 'alex.morgan@northwind.example',
        displayName: 'Alex Morgan',
        attributes: {
          department: 'Sales',
          jobTitle: 'Account Executive',
          country: 'United States',
          usageLocation: 'US',
          accountEnabled: true,
        },
        groups: ['All Staff', 'People Managers'],
      },
    ])
  })

  it('defaults the external id to the lower-cased userPrincipalName and the display name to its local part', () => {
    const [user] = usersOf(csv('userPrincipalName,department', 'Alex.Morgan@Northwind.example,Sales'))
    expect(user).toEqual({
      externalId: 'alex.morgan@northwind.example',
      userPrincipalName: 'Alex.Morgan@Northwind.example',
      displayName: 'Alex.Morgan',
      attributes: { department: 'Sales' },
      groups: [],
    })
  })

  it('falls back to the lower-cased userPrincipalName for a row whose id cell is empty', () => {
    const users = usersOf(csv('id,userPrincipalName', 'x-1,a@x.example', ',B@x.example'))
    expect(users.map(u => u.externalId)).toEqual(['x-1', 'b@x.example'])
  })

  it.each([
    [
      'header names in any case',
      'USERPRINCIPALNAME,Department,JOBTITLE,usagelocation',
      { department: 'D', jobTitle: 'J', usageLocation: 'U' },
    ],
    [
      'unknown header names kept as written',
      'userPrincipalName,CostCenter,extension_1a2b_badge',
      { CostCenter: 'D', extension_1a2b_badge: 'J' },
    ],
  ])('matches %s', (_name, header, attributes) => {
    const cells = header.split(',').length === 4 ? 'a@x.example,D,J,U' : 'a@x.example,D,J'
    const [user] = usersOf(csv(header, cells))
    expect(user?.attributes).toEqual(attributes)
  })

  it.each([
    ['true', true],
    ['false', false],
    ['TRUE', true],
    ['False', false],
    [' true ', true],
  ])('reads accountEnabled %j as a boolean', (cell, expected) => {
    const [user] = usersOf(csv('userPrincipalName,accountEnabled', `a@x.example,${cell}`))
    expect(user?.attributes.accountEnabled).toBe(expected)
  })

  it('splits otherMails, proxyAddresses and groups on semicolons, trimming and dropping empty or repeated items', () => {
    const [user] = usersOf(
      csv(
        'userPrincipalName,otherMails,proxyAddresses,groups',
        'a@x.example, a@home.example ;;b@home.example,SMTP:a@x.example;smtp:alias@x.example, All Staff ; Sales Team;;All Staff',
      ),
    )
    expect(user?.attributes).toEqual({
      otherMails: ['a@home.example', 'b@home.example'],
      proxyAddresses: ['SMTP:a@x.example', 'smtp:alias@x.example'],
    })
    expect(user?.groups).toEqual(['All Staff', 'Sales Team'])
  })

  it('leaves an attribute out when its cell is empty or blank', () => {
    const [user] = usersOf(
      csv('userPrincipalName,department,jobTitle,otherMails,accountEnabled', 'a@x.example,,   ,;,'),
    )
    expect(user?.attributes).toEqual({})
    expect(Object.keys(user?.attributes ?? { x: 1 })).toHaveLength(0)
  })

  it('trims values, quoted or not', () => {
    const [user] = usersOf(csv('userPrincipalName , displayName,city', '  a@x.example  ,"  Alex Morgan  ",  Seattle '))
    expect(user).toMatchObject({
      userPrincipalName: 'a@x.example',
      displayName: 'Alex Morgan',
      attributes: { city: 'Seattle' },
    })
  })
})

describe('parseUserFile csv: RFC 4180 quoting', () => {
  it.each([
    ['a comma inside quotes', 'a@x.example,"Washington, D.C."', 'Washington, D.C.'],
    ['a doubled quote', 'a@x.example,"The ""Hub"""', 'The "Hub"'],
    ['a quoted empty-looking value', 'a@x.example,""""', '"'],
    ['an LF inside quotes', 'a@x.example,"Line 1\nLine 2"', 'Line 1\nLine 2'],
    ['a CRLF inside quotes', 'a@x.example,"Line 1\r\nLine 2"', 'Line 1\r\nLine 2'],
    ['blanks before the opening quote', 'a@x.example,   "Paris, 8e"', 'Paris, 8e'],
    ['blanks after the closing quote', 'a@x.example,"Paris"   ', 'Paris'],
    ['a stray quote inside an unquoted value', 'a@x.example,5\'11" Tower', '5\'11" Tower'],
  ])('reads %s', (_name, row, city) => {
    const [user] = usersOf(csv('userPrincipalName,city', row))
    expect(user?.attributes.city).toBe(city)
  })

  it.each([
    ['LF', 'userPrincipalName,city\na@x.example,Rome\nb@x.example,Oslo\n'],
    ['CRLF', 'userPrincipalName,city\r\na@x.example,Rome\r\nb@x.example,Oslo\r\n'],
    ['no trailing newline', 'userPrincipalName,city\na@x.example,Rome\nb@x.example,Oslo'],
    ['a UTF-8 BOM', '\ufeffuserPrincipalName,city\r\na@x.example,Rome\r\nb@x.example,Oslo\r\n'],
    ['blank lines between and after rows', 'userPrincipalName,city\n\na@x.example,Rome\n\nb@x.example,Oslo\n\n\n'],
    ['rows of empty cells (spreadsheet exports)', 'userPrincipalName,city\na@x.example,Rome\n,\nb@x.example,Oslo\n,\n'],
    ['an unnamed trailing column with no values', 'userPrincipalName,city,\na@x.example,Rome,\nb@x.example,Oslo,\n'],
  ])('reads a file with %s', (_name, content) => {
    const users = usersOf(content)
    expect(users.map(u => [u.userPrincipalName, u.attributes.city])).toEqual([
      ['a@x.example', 'Rome'],
      ['b@x.example', 'Oslo'],
    ])
  })

  it('keeps the UTF-8 BOM out of the first header name', () => {
    const [user] = usersOf('\ufeffuserPrincipalName,city\na@x.example,Rome\n')
    expect(user?.userPrincipalName).toBe('a@x.example')
    expect(Object.keys(user?.attributes ?? {})).toEqual(['city'])
  })

  it('keeps non-ASCII text as written', () => {
    const [user] = usersOf(csv('userPrincipalName,displayName,city', 'zoe.muller@x.example,Zoë Müller,Kraków'))
    expect(user).toMatchObject({ displayName: 'Zoë Müller', attributes: { city: 'Kraków' } })
  })
})

interface ErrorCase {
  name: string
  content: string
  expected: Array<Partial<Omit<FileImportError, 'message'>> & { message: RegExp }>
}

const ERROR_CASES: ErrorCase[] = [
  {
    name: 'an unterminated quote',
    content: csv('userPrincipalName,city', 'a@x.example,Rome', 'b@x.example,"Paris', 'c@x.example,Oslo'),
    expected: [{ row: 3, line: 3, column: 'city', message: /^Row 3, column 'city': a quoted value is never closed/ }],
  },
  {
    name: 'an unterminated quote in the header',
    content: 'userPrincipalName,"city\na@x.example,Rome\n',
    expected: [{ row: 1, line: 1, column: 2, message: /^Row 1, column 2: a quoted value is never closed/ }],
  },
  {
    name: 'text after a closing quote',
    content: csv('userPrincipalName,city', 'a@x.example,"Paris"ian'),
    expected: [
      {
        row: 2,
        column: 'city',
        message: /^Row 2, column 'city': unexpected text after the closing quote; .*double it/,
      },
    ],
  },
  {
    name: 'a row with more fields than the header',
    content: csv('userPrincipalName,city', 'a@x.example,Rome', 'b@x.example,Washington, D.C.'),
    expected: [
      {
        row: 3,
        line: 3,
        column: undefined,
        message:
          /^Row 3: has 3 values but the header has 2 columns; a value containing a comma must be in double quotes/,
      },
    ],
  },
  {
    name: 'a row with fewer fields than the header',
    content: csv('userPrincipalName,city,department', 'a@x.example,Rome'),
    expected: [{ row: 2, message: /^Row 2: has 2 values but the header has 3 columns/ }],
  },
  {
    name: 'a bad row after a value spanning lines (row and line differ)',
    content: csv('userPrincipalName,city', 'a@x.example,"Line 1', 'Line 2"', 'b@x.example,x,y'),
    expected: [{ row: 3, line: 4, message: /^Row 3 \(line 4\): has 3 values/ }],
  },
  {
    name: 'a bad row in a CRLF file (one row per CRLF, not two)',
    content:
      'userPrincipalName,city,accountEnabled\r\na@x.example,Rome,true\r\nb@x.example,"Line 1\r\nLine 2",true\r\nc@x.example,Oslo,nope\r\n',
    expected: [
      {
        row: 4,
        line: 5,
        column: 'accountEnabled',
        message: /^Row 4 \(line 5\), column 'accountEnabled': expected true or false, got 'nope'/,
      },
    ],
  },
  {
    name: 'a duplicate header (ignoring case)',
    content: csv('userPrincipalName,Department,department', 'a@x.example,Sales,Sales'),
    expected: [
      { row: 1, column: 'department', message: /^Row 1, column 3 'department': duplicate of column 2 'Department'/ },
    ],
  },
  {
    name: 'a missing userPrincipalName column',
    content: csv('mail,department', 'a@x.example,Sales'),
    expected: [
      {
        row: 1,
        message:
          /^Row 1: the header has no 'userPrincipalName' column; every user needs one \(found: 'mail', 'department'\)/,
      },
    ],
  },
  {
    name: 'an empty userPrincipalName',
    content: csv('userPrincipalName,department', 'a@x.example,Sales', ',Sales'),
    expected: [
      {
        row: 3,
        column: 'userPrincipalName',
        message: /^Row 3, column 'userPrincipalName': is empty; every user needs a userPrincipalName/,
      },
    ],
  },
  ...['bob', 'bob@localhost', 'bob smith@x.example', 'a@@x.example', '@x.example', 'a@x.'].map(upn => ({
    name: `an invalid userPrincipalName '${upn}'`,
    content: csv('userPrincipalName,department', `"${upn}",Sales`),
    expected: [
      {
        row: 2,
        column: 'userPrincipalName',
        message: new RegExp(
          `^Row 2, column 'userPrincipalName': '${upn.replace(/[.]/g, '\\.')}' is not a valid userPrincipalName; expected name@domain`,
        ),
      },
    ],
  })),
  {
    name: 'a duplicate userPrincipalName (ignoring case)',
    content: csv('userPrincipalName', 'a@x.example', 'b@x.example', 'A@X.example'),
    expected: [
      {
        row: 4,
        column: 'userPrincipalName',
        message:
          /^Row 4, column 'userPrincipalName': 'A@X\.example' is already used on row 2; userPrincipalNames must be unique \(ignoring case\)/,
      },
    ],
  },
  {
    name: 'a duplicate id',
    content: csv('id,userPrincipalName', '42,a@x.example', '42,b@x.example'),
    expected: [
      { row: 3, column: 'id', message: /^Row 3, column 'id': '42' is already used on row 2; ids must be unique/ },
    ],
  },
  {
    name: 'a defaulted id that collides with an explicit id',
    content: csv('id,userPrincipalName', 'b@x.example,a@x.example', ',B@x.example'),
    expected: [
      {
        row: 3,
        column: undefined,
        message:
          /^Row 3: the user has no id, so it defaults to the lower-cased userPrincipalName 'b@x\.example', which row 2 already uses as its id/,
      },
    ],
  },
  {
    name: 'a bad boolean',
    content: csv('userPrincipalName,accountEnabled', 'a@x.example,yes'),
    expected: [
      {
        row: 2,
        column: 'accountEnabled',
        message: /^Row 2, column 'accountEnabled': expected true or false, got 'yes'\.$/,
      },
    ],
  },
  {
    name: 'a value in a column without a header',
    content: csv('userPrincipalName,,city', 'a@x.example,oops,Rome'),
    expected: [{ row: 2, column: 2, message: /^Row 2, column 2: has the value 'oops' but the column has no header/ }],
  },
  {
    name: 'a column named __proto__',
    content: csv('userPrincipalName,__proto__', 'a@x.example,x'),
    expected: [{ row: 1, column: '__proto__', message: /cannot be used as a column name/ }],
  },
  { name: 'an empty file', content: '', expected: [{ message: /^The file is empty/ }] },
  { name: 'a file with only a BOM', content: '\ufeff', expected: [{ message: /^The file is empty/ }] },
  { name: 'a file of blank lines', content: ' \r\n\n\t\n', expected: [{ message: /^The file is empty/ }] },
  {
    name: 'a header without users',
    content: 'userPrincipalName,department\n',
    expected: [{ row: 1, message: /^The file has a header row but no users/ }],
  },
  {
    name: 'a header followed by blank rows only',
    content: 'userPrincipalName,department\n,\n\n',
    expected: [{ message: /no users/ }],
  },
]

describe('parseUserFile csv: refusing a malformed file', () => {
  it.each(ERROR_CASES)('refuses $name, saying where', ({ content, expected }) => {
    const errors = errorsOf(content)
    expect(errors).toHaveLength(expected.length)
    expected.forEach((want, i) => {
      const got = errors[i]!
      expect(got.message).toMatch(want.message)
      for (const key of ['row', 'line', 'column'] as const) {
        if (key in want) expect(got[key], `${key} of error ${i}`).toBe(want[key])
      }
    })
  })

  it('words a bad boolean the way the admin reads it', () => {
    const rows = ['userPrincipalName,accountEnabled']
    for (let i = 2; i <= 13; i++) rows.push(`user${i}@x.example,true`)
    rows.push('user14@x.example,yes')
    expect(errorsOf(csv(...rows))).toEqual([
      {
        message: "Row 14, column 'accountEnabled': expected true or false, got 'yes'.",
        row: 14,
        line: 14,
        column: 'accountEnabled',
      },
    ])
  })

  it('refuses the whole file when one row is bad, returning no users', () => {
    const result = parseUserFile('csv', csv('userPrincipalName', 'a@x.example', 'bad', 'c@x.example'))
    expect(result).toEqual({ ok: false, errors: [expect.objectContaining({ row: 3 })] })
  })

  it('reports every problem in the file, in row order', () => {
    const errors = errorsOf(
      csv(
        'userPrincipalName,accountEnabled,city',
        'a@x.example,true,Rome',
        'bob,maybe,Oslo',
        'c@x.example,true',
        'A@x.example,false,Paris',
        'd@x.example,true,"Lima',
      ),
    )
    expect(errors.map(e => [e.row, e.column])).toEqual([
      [3, 'userPrincipalName'],
      [3, 'accountEnabled'],
      [4, undefined],
      [5, 'userPrincipalName'],
      [6, 'city'],
    ])
  })

  it(`lists at most ${MAX_IMPORT_ERRORS} problems and says how many there were`, () => {
    const rows = ['userPrincipalName']
    for (let i = 0; i < 120; i++) rows.push(`not-an-email-${i}`)
    const errors = errorsOf(csv(...rows))
    expect(errors).toHaveLength(MAX_IMPORT_ERRORS)
    expect(errors[MAX_IMPORT_ERRORS - 2]?.row).toBe(MAX_IMPORT_ERRORS)
    expect(errors[MAX_IMPORT_ERRORS - 1]).toEqual({
      message: `Too many problems: showing the first ${MAX_IMPORT_ERRORS - 1} of 120. Fix these and import the file again.`,
    })
  })

  it(`lists exactly ${MAX_IMPORT_ERRORS} problems without a summary`, () => {
    const rows = ['userPrincipalName']
    for (let i = 0; i < MAX_IMPORT_ERRORS; i++) rows.push(`not-an-email-${i}`)
    const errors = errorsOf(csv(...rows))
    expect(errors).toHaveLength(MAX_IMPORT_ERRORS)
    expect(errors.every(e => e.row !== undefined)).toBe(true)
  })
})

describe('parseUserFile csv: robustness', () => {
  it('never throws, whatever the input', () => {
    // A seeded walk over the characters that matter to a CSV reader.
    let seed = 7
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32
    const alphabet = ['"', ',', '\n', '\r', ' ', ';', '@', 'a', 'x.example', 'true', 'userPrincipalName', '\ufeff']
    for (let n = 0; n < 500; n++) {
      let content = n % 2 === 0 ? 'userPrincipalName,accountEnabled,groups\n' : ''
      const length = Math.floor(random() * 60)
      for (let i = 0; i < length; i++) content += alphabet[Math.floor(random() * alphabet.length)]
      const result = parseUserFile('csv', content)
      expect(typeof result.ok).toBe('boolean')
      if (!result.ok) {
        expect(result.errors.length).toBeGreaterThan(0)
        for (const e of result.errors) expect(e.message.length).toBeGreaterThan(10)
      }
    }
  })

  it('refuses content that is not text instead of throwing', () => {
    const result = parseUserFile('csv', 42 as unknown as string)
    expect(result.ok).toBe(false)
  })

  it('reads a large file whole (its speed is the import benchmark)', () => {
    const rows = [
      'id,userPrincipalName,displayName,department,jobTitle,country,usageLocation,city,accountEnabled,groups',
    ]
    for (let i = 0; i < 20_000; i++) {
      rows.push(
        `${i},user${i}@northwind.example,User ${i},Sales,"Account Executive, EMEA",Germany,DE,Berlin,true,All Staff;Sales Team`,
      )
    }
    const content = csv(...rows)
    const result = parseUserFile('csv', content)
    expect(result.ok && result.users.length).toBe(20_000)
    expect(result.ok && result.users[19_999]?.attributes['department']).toBe('Sales')
  })
})

describe('parseUserFile csv: where each user comes from', () => {
  it('says which fields each user has, by canonical name, with its row', () => {
    const users = recordsOf(
      csv('userPrincipalName,Department,jobTitle,Groups', 'a@x.example,Sales,,Staff', '', 'b@x.example,,Engineer,'),
    )
    expect(users.map(u => [u.row, u.columns, u.groupsColumn])).toEqual([
      [2, ['department', 'jobTitle', 'groups'], 'Groups'],
      [4, ['department', 'jobTitle', 'groups'], 'Groups'],
    ])
  })
})

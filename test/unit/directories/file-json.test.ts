import { describe, expect, it } from 'vitest'
import { parseUserFile, type DirectoryUserRecord, type FileImportError } from '../../../src/main/directories/file'

type Identity = Omit<DirectoryUserRecord, 'row' | 'columns' | 'groupsColumn'>

/** The users a file gives, without where the file gives them (see "says which fields each user has"). */
function usersOf(content: string): Identity[] {
  return recordsOf(content).map(({ row: _row, columns: _columns, groupsColumn: _groups, ...user }) => user)
}

function recordsOf(content: string): DirectoryUserRecord[] {
  const result = parseUserFile('json', content)
  if (!result.ok) throw new Error(`expected the file to parse, got: ${result.errors.map(e => e.message).join(' | ')}`)
  return result.users
}

function errorsOf(content: string): FileImportError[] {
  const result = parseUserFile('json', content)
  if (result.ok) throw new Error(`expected the file to be refused, got ${result.users.length} users`)
  return result.errors
}

const ALEX = {
  id: 'u-1',
  userPrincipalName: 'alex.morgan@northwind.example',
  displayName: 'Alex Morgan',
  department: 'Sales',
  usageLocation: 'US',
  accountEnabled: true,
  groups: ['All Staff', 'People Managers'],
}

const ALEX_RECORD: Identity = {
  externalId: 'u-1',
  userPrincipalName: 'alex.morgan@northwind.example',
  displayName: 'Alex Morgan',
  attributes: { department: 'Sales', usageLocation: 'US', accountEnabled: true },
  groups: ['All Staff', 'People Managers'],
}

describe('parseUserFile json: reading users', () => {
  it.each([
    ['an array of users', JSON.stringify([ALEX])],
    ['an object with a "users" array', JSON.stringify({ users: [ALEX], exportedAt: '2024-05-01' })],
    ['pretty-printed with CRLF line endings', JSON.stringify([ALEX], null, 2).replace(/\n/g, '\r\n')],
    ['a UTF-8 BOM', `\ufeff${JSON.stringify([ALEX])}`],
  ])('reads %s', (_name, content) => {
    expect(usersOf(content)).toEqual([ALEX_RECORD])
  })

  it('defaults the external id and display name from the userPrincipalName', () => {
    expect(usersOf('[{"userPrincipalName":"Sam.Rivera@Northwind.example"}]')).toEqual([
      {
        externalId: 'sam.rivera@northwind.example',
        userPrincipalName: 'Sam.Rivera@Northwind.example',
        displayName: 'Sam.Rivera',
        attributes: {},
        groups: [],
      },
    ])
  })

  it('matches field names ignoring case and stores them in Graph casing', () => {
    const [user] = usersOf(
      '[{"UserPrincipalName":"a@x.example","DEPARTMENT":"Sales","jobtitle":"Analyst","AccountEnabled":false,"CostCenter":"CC-1"}]',
    )
    expect(user?.attributes).toEqual({
      department: 'Sales',
      jobTitle: 'Analyst',
      accountEnabled: false,
      CostCenter: 'CC-1',
    })
  })

  it.each([
    [
      'arrays',
      {
        groups: ['All Staff', ' Sales Team ', ''],
        otherMails: ['a@home.example'],
        proxyAddresses: ['SMTP:a@x.example'],
      },
    ],
    [
      'semicolon-separated strings',
      { groups: 'All Staff; Sales Team;', otherMails: 'a@home.example', proxyAddresses: 'SMTP:a@x.example' },
    ],
  ])('reads groups and list properties written as %s', (_name, fields) => {
    const [user] = usersOf(JSON.stringify([{ userPrincipalName: 'a@x.example', ...fields }]))
    expect(user?.groups).toEqual(['All Staff', 'Sales Team'])
    expect(user?.attributes).toEqual({ otherMails: ['a@home.example'], proxyAddresses: ['SMTP:a@x.example'] })
  })

  it('keeps numbers in Graph string properties as text and custom attributes with their JSON type', () => {
    const [user] = usersOf(
      JSON.stringify([
        {
          id: 42,
          userPrincipalName: 'a@x.example',
          employeeId: 1042,
          seniority: 3,
          remote: true,
          badges: ['red', ' blue '],
        },
      ]),
    )
    expect(user?.externalId).toBe('42')
    expect(user?.attributes).toEqual({ employeeId: '1042', seniority: 3, remote: true, badges: ['red', 'blue'] })
  })

  it('leaves out fields that are null, empty or blank, and trims the rest', () => {
    const [user] = usersOf(
      JSON.stringify([
        {
          userPrincipalName: ' a@x.example ',
          displayName: ' Alex ',
          department: null,
          jobTitle: '',
          city: '  ',
          country: ' Spain ',
          otherMails: [],
        },
      ]),
    )
    expect(user).toEqual({
      externalId: 'a@x.example',
      userPrincipalName: 'a@x.example',
      displayName: 'Alex',
      attributes: { country: 'Spain' },
      groups: [],
    })
  })
})

interface ErrorCase {
  name: string
  content: string
  expected: Array<Partial<Omit<FileImportError, 'message'>> & { message: RegExp }>
}

const SYNTAX_CASES: ErrorCase[] = [
  {
    name: 'a trailing comma',
    content: '[\n  {"userPrincipalName": "a@x.example"},\n]',
    expected: [{ line: 3, column: 1, message: /^Line 3, column 1: a comma before '\]' is not allowed in JSON/ }],
  },
  {
    name: 'a trailing comma in an object',
    content: '[{"userPrincipalName": "a@x.example",}]',
    expected: [{ line: 1, column: 38, message: /^Line 1, column 38: a comma before '\}' is not allowed/ }],
  },
  {
    name: 'a missing comma between records',
    content: '[\n  {"userPrincipalName": "a@x.example"}\n  {"userPrincipalName": "b@x.example"}\n]',
    expected: [{ line: 3, column: 3, message: /^Line 3, column 3: expected ',' or '\]', found '\{'/ }],
  },
  {
    name: 'an unterminated string',
    content: '[\n  {"userPrincipalName": "a@x.example}\n]',
    expected: [
      {
        line: 2,
        column: 25,
        message:
          /^Line 2, column 25: this string is not closed before the end of the line; add the closing double quote/,
      },
    ],
  },
  {
    name: 'a string running to the end of the file',
    content: '[{"userPrincipalName": "a@x.example',
    expected: [{ line: 1, column: 24, message: /the string that starts at line 1, column 24 is never closed/ }],
  },
  {
    name: 'single quotes',
    content: "[{'userPrincipalName': 'a@x.example'}]",
    expected: [{ line: 1, column: 3, message: /strings must be in double quotes/ }],
  },
  {
    name: 'an unclosed array',
    content: '[\n  {"userPrincipalName": "a@x.example"}\n',
    expected: [
      { line: 3, column: 1, message: /unexpected end of file: the array opened at line 1, column 1 is not closed/ },
    ],
  },
  {
    name: 'a comment',
    content: '[\n  // the sales team\n  {"userPrincipalName": "a@x.example"}\n]',
    expected: [{ line: 2, column: 3, message: /comments are not allowed in JSON/ }],
  },
  {
    name: 'text after the document',
    content: '[{"userPrincipalName": "a@x.example"}]\n]',
    expected: [{ line: 2, column: 1, message: /unexpected text after the end of the JSON document/ }],
  },
  {
    name: 'a bare word',
    content: '[{"userPrincipalName": "a@x.example", "accountEnabled": yes}]',
    expected: [{ line: 1, column: 57, message: /^Line 1, column 57: expected a value, found 'y'/ }],
  },
  {
    name: 'an invalid escape',
    content: '[{"userPrincipalName": "a\\x@x.example"}]',
    expected: [{ line: 1, column: 26, message: /invalid escape '\\x'/ }],
  },
  {
    name: 'a missing colon',
    content: '[{"userPrincipalName" "a@x.example"}]',
    expected: [{ line: 1, column: 23, message: /expected ':' after the property name "userPrincipalName"/ }],
  },
]

const RECORD_CASES: ErrorCase[] = [
  {
    name: 'a document that is not an array',
    content: '"a@x.example"',
    expected: [
      { message: /^Expected an array of users, or an object with a "users" array; found the string "a@x.example"/ },
    ],
  },
  {
    name: 'an object without a users array',
    content: '{"people": []}',
    expected: [{ message: /found an object without a "users" array/ }],
  },
  {
    name: 'a record that is not an object',
    content: '[\n  {"userPrincipalName": "a@x.example"},\n  "b@x.example"\n]',
    expected: [
      {
        row: 2,
        line: 3,
        column: undefined,
        message: /^Record 2 \(index 1\): expected an object with a userPrincipalName, found the string "b@x\.example"/,
      },
    ],
  },
  {
    name: 'a record without a userPrincipalName',
    content: '[\n  {"mail": "a@x.example"}\n]',
    expected: [
      { row: 1, line: 2, message: /^Record 1 \(index 0\): has no 'userPrincipalName' field; every user needs one/ },
    ],
  },
  {
    name: 'a bad boolean',
    content: '[\n  {\n    "userPrincipalName": "a@x.example",\n    "accountEnabled": "yes"\n  }\n]',
    expected: [
      {
        row: 1,
        line: 4,
        column: 'accountEnabled',
        message: /^Record 1 \(index 0\), field 'accountEnabled': expected true or false, found the string "yes"\.$/,
      },
    ],
  },
  {
    name: 'a number as userPrincipalName',
    content: '[{"userPrincipalName": 12}]',
    expected: [
      {
        row: 1,
        column: 'userPrincipalName',
        message: /field 'userPrincipalName': expected a string, found the number 12/,
      },
    ],
  },
  {
    name: 'an object as a Graph string property',
    content: '[{"userPrincipalName": "a@x.example", "department": {"name": "Sales"}}]',
    expected: [
      { row: 1, column: 'department', message: /field 'department': expected a string or number, found an object/ },
    ],
  },
  {
    name: 'a list as a Graph string property',
    content: '[{"userPrincipalName": "a@x.example", "jobTitle": ["Analyst"]}]',
    expected: [
      { row: 1, column: 'jobTitle', message: /field 'jobTitle': expected a string or number, found an array/ },
    ],
  },
  {
    name: 'an object as a custom attribute',
    content: '[{"userPrincipalName": "a@x.example", "costCenter": {"id": 1}}]',
    expected: [
      {
        row: 1,
        column: 'costCenter',
        message: /expected a string, number, boolean or array of strings, found an object/,
      },
    ],
  },
  {
    name: 'a boolean as displayName',
    content: '[{"userPrincipalName": "a@x.example", "displayName": true}]',
    expected: [{ row: 1, column: 'displayName', message: /field 'displayName': expected a string, found true/ }],
  },
  {
    name: 'groups with a number in them',
    content: '[{"userPrincipalName": "a@x.example", "groups": ["All Staff", 7]}]',
    expected: [
      { row: 1, column: 'groups', message: /field 'groups': expected an array of strings or a ';'-separated string/ },
    ],
  },
  {
    name: 'otherMails as a number',
    content: '[{"userPrincipalName": "a@x.example", "otherMails": 5}]',
    expected: [{ row: 1, column: 'otherMails', message: /field 'otherMails': expected an array of strings/ }],
  },
  {
    name: 'an id that is an object',
    content: '[{"userPrincipalName": "a@x.example", "id": {}}]',
    expected: [{ row: 1, column: 'id', message: /field 'id': expected a string or number, found an object/ }],
  },
  {
    name: 'the same field twice, in different case',
    content: '[{"userPrincipalName": "a@x.example", "department": "Sales", "Department": "Legal"}]',
    expected: [{ row: 1, column: 'Department', message: /field 'Department': duplicates field 'department'/ }],
  },
  {
    name: 'an empty userPrincipalName',
    content: '[{"userPrincipalName": "  "}]',
    expected: [{ row: 1, column: 'userPrincipalName', message: /is empty; every user needs a userPrincipalName/ }],
  },
  {
    name: 'an invalid userPrincipalName',
    content: '[{"userPrincipalName": "alex"}]',
    expected: [{ row: 1, column: 'userPrincipalName', message: /'alex' is not a valid userPrincipalName/ }],
  },
  {
    name: 'a duplicate userPrincipalName (ignoring case)',
    content: '[\n {"userPrincipalName": "a@x.example"},\n {"userPrincipalName": "A@X.EXAMPLE"}\n]',
    expected: [
      {
        row: 2,
        line: 3,
        column: 'userPrincipalName',
        message: /^Record 2 \(index 1\), field 'userPrincipalName': 'A@X\.EXAMPLE' is already used by record 1/,
      },
    ],
  },
  {
    name: 'a duplicate id',
    content: '[{"id": "7", "userPrincipalName": "a@x.example"}, {"id": 7, "userPrincipalName": "b@x.example"}]',
    expected: [{ row: 2, column: 'id', message: /field 'id': '7' is already used by record 1; ids must be unique/ }],
  },
  {
    name: 'a defaulted id that collides with an explicit id',
    content: '[{"id": "b@x.example", "userPrincipalName": "a@x.example"}, {"userPrincipalName": "b@x.example"}]',
    expected: [
      {
        row: 2,
        message:
          /^Record 2 \(index 1\): the user has no id, so it defaults to .*'b@x\.example', which record 1 already uses/,
      },
    ],
  },
  { name: 'an empty array', content: '[]', expected: [{ message: /contains no users/ }] },
  { name: 'an empty users array', content: '{"users": []}', expected: [{ message: /contains no users/ }] },
  { name: 'an empty file', content: '\n  \n', expected: [{ message: /^The file is empty/ }] },
]

describe('parseUserFile json: refusing a malformed file', () => {
  it.each([...SYNTAX_CASES, ...RECORD_CASES])('refuses $name, saying where', ({ content, expected }) => {
    const errors = errorsOf(content)
    expect(errors.map(e => e.message)).toHaveLength(expected.length)
    expected.forEach((want, i) => {
      const got = errors[i]!
      expect(got.message).toMatch(want.message)
      for (const key of ['row', 'line', 'column'] as const) {
        if (key in want) expect(got[key], `${key} of error ${i}`).toBe(want[key])
      }
    })
  })

  it('points at the line of the offending field inside a { "users": [...] } document', () => {
    const content = JSON.stringify(
      {
        users: [ALEX, { ...ALEX, id: 'u-2', userPrincipalName: 'sam.rivera@northwind.example', accountEnabled: 'no' }],
      },
      null,
      2,
    )
    const line = content.split('\n').findIndex(l => l.includes('"no"')) + 1
    expect(line).toBeGreaterThan(1)
    expect(errorsOf(content)).toEqual([
      {
        message: `Record 2 (index 1), field 'accountEnabled': expected true or false, found the string "no".`,
        row: 2,
        column: 'accountEnabled',
        line,
      },
    ])
  })

  it('reports every bad record and field', () => {
    const errors = errorsOf(
      JSON.stringify([
        { userPrincipalName: 'a@x.example', accountEnabled: 'yes', groups: 3 },
        { userPrincipalName: 'b@x.example' },
        42,
        { userPrincipalName: 'B@x.example' },
      ]),
    )
    expect(errors.map(e => [e.row, e.column])).toEqual([
      [1, 'accountEnabled'],
      [1, 'groups'],
      [3, undefined],
      [4, 'userPrincipalName'],
    ])
  })

  it('never throws, whatever the input', () => {
    let seed = 11
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32
    const alphabet = [
      '[',
      ']',
      '{',
      '}',
      '"',
      ':',
      ',',
      '\\',
      'u',
      ' ',
      '\n',
      'true',
      'null',
      '-1.5e3',
      '"userPrincipalName"',
      '"a@x.example"',
      '"users"',
    ]
    for (let n = 0; n < 1000; n++) {
      let content = ''
      const length = 1 + Math.floor(random() * 30)
      for (let i = 0; i < length; i++) content += alphabet[Math.floor(random() * alphabet.length)]
      const result = parseUserFile('json', content)
      expect(typeof result.ok).toBe('boolean')
      if (!result.ok) for (const e of result.errors) expect(e.message.length).toBeGreaterThan(10)
    }
    // Deep nesting must not overflow the stack of the error locator.
    expect(parseUserFile('json', '['.repeat(100_000)).ok).toBe(false)
    expect(
      parseUserFile('json', `[{"userPrincipalName":"a@x.example","x":${'['.repeat(5000)}${']'.repeat(5000)}}]`).ok,
    ).toBe(false)
  })

  it('locates record errors in a file using every kind of JSON token', () => {
    // The position scanner only runs to locate errors; it must accept all valid JSON to do so.
    const content = [
      '[',
      '  {"userPrincipalName": "a@x.example", "n": -0.5e+10, "s": "\\u00e9\\n\\"\\/", "l": [true, false, null, {}, [1, 2.0E-3]]},',
      '\t{"userPrincipalName": "bad"}\r',
      ']',
    ].join('\n')
    expect(errorsOf(content).map(e => [e.row, e.column, e.line])).toEqual([
      [1, 'l', 2],
      [2, 'userPrincipalName', 3],
    ])
  })

  it('reads a large file whole (its speed is the import benchmark)', () => {
    const users = []
    for (let i = 0; i < 20_000; i++) {
      users.push({
        id: String(i),
        userPrincipalName: `user${i}@northwind.example`,
        displayName: `User ${i}`,
        department: 'Sales',
        usageLocation: 'DE',
        accountEnabled: true,
        groups: ['All Staff'],
      })
    }
    const content = JSON.stringify(users)
    const result = parseUserFile('json', content)
    expect(result.ok && result.users.length).toBe(20_000)
    expect(result.ok && result.users[19_999]?.attributes['department']).toBe('Sales')
  })
})

describe('parseUserFile json: where each user comes from', () => {
  it('says which fields each user has, by canonical name, with its record number', () => {
    const users = recordsOf(
      JSON.stringify([
        { userPrincipalName: 'a@x.example', Department: 'Sales', memberGroups: undefined, Groups: ['Staff'] },
        { userPrincipalName: 'b@x.example', jobTitle: null },
      ]),
    )
    expect(users.map(u => [u.row, u.columns, u.groupsColumn])).toEqual([
      [1, ['department', 'groups'], 'Groups'],
      [2, ['jobTitle'], 'groups'],
    ])
  })
})

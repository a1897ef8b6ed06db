import { describe, expect, it } from 'vitest'
import { csvField, toCsv } from '../../../src/main/admin'

describe('a CSV field', () => {
  it.each([
    ['plain', 'plain'],
    ['with, comma', '"with, comma"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['+1', "'+1"],
    ['-2', "'-2"],
    ['@user', "'@user"],
    [12, '12'],
    [true, 'true'],
    [null, ''],
    [undefined, ''],
  ] as const)('%j is written as %s', (value, written) => {
    expect(csvField(value)).toBe(written)
  })

  it('joins rows with CRLF after a header', () => {
    expect(toCsv(['a', 'b'], [[1, 'x,y']])).toBe('a,b\r\n1,"x,y"\r\n')
  })
})

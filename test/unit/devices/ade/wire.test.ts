import { describe, expect, it } from 'vitest'
import { reasonOf, retryAfterMs } from '../../../../src/main/devices/apple/ade/client'
import { platformOfProduct } from '../../../../src/main/devices/apple/ade/routes'
import { latestPerSerial } from '../../../../src/main/devices/apple/ade/sync'

describe("the device assignment service's wire details", () => {
  it.each([
    ['EXHAUSTED_CURSOR', 'EXHAUSTED_CURSOR'],
    ['{"code":"INVALID_CURSOR","message":"x"}', 'INVALID_CURSOR'],
    ['{"error":"T_C_NOT_SIGNED"}', 'T_C_NOT_SIGNED'],
    ['Bad request: CURSOR_REQUIRED\n', 'CURSOR_REQUIRED'],
    ['Invalid signature', null],
    ['', null],
  ])('reads the reason of %j as %j', (body, reason) => {
    expect(reasonOf(body)).toBe(reason)
  })

  const now = new Date('2026-12-01T10:00:00Z')
  it.each([
    ['120', 120_000],
    [' 3 ', 3000],
    ['Tue, 01 Dec 2026 10:00:30 GMT', 30_000],
    ['Tue, 01 Dec 2026 09:00:00 GMT', 0],
    ['soon', null],
    [null, null],
  ])('reads Retry-After %j as %j ms', (header, ms) => {
    expect(retryAfterMs(header, now)).toBe(ms)
  })

  it('keeps the latest change of a device that sync lists more than once', () => {
    const changes = latestPerSerial([
      { serial_number: 'A', op_type: 'added', op_date: '2026-12-01T10:00:00Z' },
      { serial_number: 'B', op_type: 'added', op_date: '2026-12-01T10:00:00Z' },
      { serial_number: 'A', op_type: 'deleted', op_date: '2026-12-01T11:00:00Z' },
      { serial_number: 'B', op_type: 'modified', op_date: '2026-12-01T09:00:00Z' },
    ])
    expect(changes.map(d => [d.serial_number, d.op_type])).toEqual([
      ['A', 'deleted'],
      ['B', 'added'],
    ])
  })

  it.each([
    ['iPhone16,1', 'ios'],
    ['iPad13,4', 'ios'],
    ['Mac14,2', 'macos'],
    ['MacBookPro18,3', 'macos'],
    ['iMac21,1', 'macos'],
    ['VirtualMac2,1', 'macos'],
  ] as const)('a %s is %s', (product, platform) => {
    expect(platformOfProduct(product)).toBe(platform)
  })
})

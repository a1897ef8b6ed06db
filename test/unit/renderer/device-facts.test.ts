import { describe, expect, it } from 'vitest'
import { encryptionLabel, modelText, storageText, yesNo } from '../../../src/renderer/components/device-facts-text'
import { EMPTY_FACTS } from '../../../src/main/store/apple'
import type { DeviceFacts } from '../../../src/shared/domain'

const facts = (f: Partial<DeviceFacts>): DeviceFacts => ({ ...EMPTY_FACTS, ...f })

describe('how the device page words what a device reported', () => {
  it.each([
    [null, null],
    [facts({}), null],
    [facts({ capacityGb: 128 }), '128 GB'],
    [facts({ capacityGb: 494.384, availableGb: 201.55 }), '201.6 GB free of 494.4 GB'],
  ])('storage of %o is %s', (f, text) => {
    expect(storageText(f)).toBe(text)
  })

  it.each([
    [facts({ modelName: 'MacBook Air', productName: 'Mac15,12' }), 'MacBook Air (Mac15,12)'],
    [facts({ productName: 'iPad2,5' }), 'iPad2,5'],
    [facts({ modelName: 'iMac14,2', productName: 'iMac14,2' }), 'iMac14,2'],
  ])('model of %o is %s', (f, text) => {
    expect(modelText(f)).toBe(text)
  })

  it('says when a yes/no was never reported, and names encryption per platform', () => {
    expect([yesNo(true), yesNo(false), yesNo(null)]).toEqual(['Yes', 'No', 'not reported'])
    expect([encryptionLabel('macos'), encryptionLabel('ios')]).toEqual(['FileVault', 'Data protection'])
  })
})

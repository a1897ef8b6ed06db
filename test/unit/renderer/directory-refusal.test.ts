import { describe, expect, it } from 'vitest'
import { fieldLabels, formDetails, refusal } from '../../../src/renderer/pages/directories/refusal'

describe('a refused directory form', () => {
  it.each([
    // main's own check names the setting or credential
    ['tenantId', 'tenantId'],
    // the request check names where it sits in the request
    ['settings.tenantId', 'tenantId'],
    ['secrets.privateKey', 'privateKey'],
    ['name', 'name'],
    // only the request's first level is the form's business
    ['mapping.settings.x', 'mapping.settings.x'],
  ])('reads the path %s as the field %s', (path, field) => {
    expect(formDetails({ fields: [{ path, message: 'bad' }] })).toEqual({ fields: [{ path: field, message: 'bad' }] })
  })

  it('leaves details without a list of fields as they are', () => {
    expect(formDetails(undefined)).toBeUndefined()
    expect(formDetails({ field: 'name' })).toEqual({ field: 'name' })
  })

  it('marks each field it names and names them as the form does for the note', () => {
    const r = refusal({
      code: 'BAD_INPUT',
      message: 'Invalid directories/connect request: secrets.clientSecret: too long',
      details: { channel: 'directories/connect', fields: [{ path: 'secrets.clientSecret', message: 'too long' }] },
    })
    expect([...r.errors]).toEqual([['clientSecret', 'too long']])
    expect(r.info.code).toBe('BAD_INPUT')
    expect(r.info.details).toEqual({
      channel: 'directories/connect',
      fields: [{ path: 'clientSecret', message: 'too long' }],
    })
  })

  it('marks the one field a conflict is about', () => {
    const message = 'A directory named Contoso already exists; choose another name.'
    const r = refusal({ code: 'CONFLICT', message, details: { field: 'name' } })
    expect([...r.errors]).toEqual([['name', message]])
  })

  it('marks nothing when the refusal names no field', () => {
    const info = { code: 'DIRECTORY_UNAVAILABLE' as const, message: 'offline' }
    expect(refusal(info)).toEqual({ errors: new Map(), info })
  })

  it('labels each field as the form does, and the name', () => {
    expect(fieldLabels([{ name: 'tenantId', label: 'Tenant ID or domain' }])).toEqual({
      name: 'Name',
      tenantId: 'Tenant ID or domain',
    })
  })
})

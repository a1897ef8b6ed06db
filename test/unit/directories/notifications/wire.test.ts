// Reading what each IdP sends: the fields we act on, and a precise refusal for anything else.
import { describe, expect, it } from 'vitest'
import {
  readGoogleMessage,
  readGraphNotifications,
  readOktaEvents,
} from '../../../../src/main/directories/notifications/wire'

const graphItem = (patch: Record<string, unknown> = {}) => ({
  subscriptionId: 'sub-1',
  subscriptionExpirationDateTime: '2026-12-30T00:00:00Z',
  changeType: 'updated',
  resource: 'Users/u-1',
  resourceData: { '@odata.type': '#Microsoft.Graph.User', '@odata.id': 'Users/u-1', id: 'u-1', organizationId: 't' },
  clientState: 'secret',
  tenantId: 't',
  ...patch,
})

describe('Graph notifications', () => {
  it.each([
    ['a user update', graphItem(), { change: { eventKey: null, userKey: 'u-1' }, lifecycle: null }],
    [
      'a notification with an id (de-duplicated by it)',
      graphItem({ id: 'n-7' }),
      { change: { eventKey: 'entra:n-7', userKey: 'u-1' }, lifecycle: null },
    ],
    [
      'a user named only by its resource path',
      graphItem({ resource: 'users/u-2', resourceData: undefined }),
      { change: { eventKey: null, userKey: 'u-2' }, lifecycle: null },
    ],
    [
      'a group change (only a sync tells whom it moves)',
      graphItem({ resource: 'Groups/g-1', resourceData: { id: 'g-1' } }),
      { change: { eventKey: null, userKey: '*' }, lifecycle: null },
    ],
    [
      'a reauthorizationRequired lifecycle event',
      graphItem({ changeType: undefined, resource: undefined, lifecycleEvent: 'reauthorizationRequired' }),
      { change: null, lifecycle: 'reauthorizationRequired' },
    ],
    [
      'a lifecycle event Graph added later (read as missed)',
      graphItem({ changeType: undefined, lifecycleEvent: 'somethingNew' }),
      { change: null, lifecycle: 'missed' },
    ],
  ])('reads %s', (_, item, expected) => {
    expect(readGraphNotifications({ value: [item] })).toEqual([
      { subscriptionId: 'sub-1', clientState: 'secret', ...expected },
    ])
  })

  it.each([
    ['no value array', { notifications: [] }, /"value" array/],
    [
      'an item without subscriptionId',
      { value: [graphItem({ subscriptionId: undefined })] },
      /value\[0\]\.subscriptionId/,
    ],
    [
      'a resource that is not a user or group',
      { value: [graphItem({ resource: 'me/messages/1' })] },
      /not a user or group/,
    ],
    ['more than 1000 items', { value: Array.from({ length: 1001 }, () => graphItem()) }, /at most 1000/],
  ])('refuses %s', (_, body, message) => {
    expect(() => readGraphNotifications(body)).toThrow(message)
  })
})

const oktaBody = (events: unknown[]) => ({
  eventType: 'com.okta.event_hook',
  eventTypeVersion: '1.0',
  cloudEventsVersion: '0.1',
  source: 'https://contoso.okta.com/api/v1/eventHooks/who123',
  eventId: 'e-1',
  data: { events },
})

describe('Okta event hook requests', () => {
  it('reads the hook and each LogEvent user, keyed by the LogEvent uuid', () => {
    const read = readOktaEvents(
      oktaBody([
        { uuid: 'a', eventType: 'user.account.update_profile', target: [{ id: '00u1', type: 'User' }] },
        {
          uuid: 'b',
          eventType: 'group.user_membership.add',
          target: [
            { id: '00u2', type: 'User' },
            { id: '00g1', type: 'UserGroup' },
          ],
        },
        { uuid: 'c', eventType: 'group.lifecycle.delete', target: [{ id: '00g2', type: 'UserGroup' }] },
        { uuid: 'd', eventType: 'user.session.start', target: [] },
      ]),
    )
    expect(read).toEqual({
      hookId: 'who123',
      changes: [
        { eventKey: 'okta:a:00u1', userKey: '00u1' },
        { eventKey: 'okta:b:00u2', userKey: '00u2' },
        { eventKey: 'okta:c', userKey: '*' },
      ],
    })
  })

  it.each([
    ['no source', { data: { events: [] } }, /names no hook/],
    ['no data.events', { source: 'https://x.okta.com/api/v1/eventHooks/who1', data: {} }, /data\.events/],
    ['an event without uuid', oktaBody([{ eventType: 'x', target: [] }]), /uuid is missing/],
  ])('refuses %s', (_, body, message) => {
    expect(() => readOktaEvents(body)).toThrow(message)
  })
})

describe('Google push messages', () => {
  const headers = (state: string) => ({
    'x-goog-channel-id': 'chan-1',
    'x-goog-channel-token': 'tok',
    'x-goog-resource-id': 'res-1',
    'x-goog-resource-state': state,
    'x-goog-message-number': state === 'sync' ? '1' : '7731',
  })

  it('reads the sync message as no change', () => {
    expect(readGoogleMessage(headers('sync'), undefined)).toMatchObject({
      channelId: 'chan-1',
      state: 'sync',
      change: null,
    })
  })

  it('reads a user event, keyed by channel and message number', () => {
    expect(
      readGoogleMessage(headers('update'), {
        kind: 'admin#directory#user',
        id: '1112',
        etag: '"e"',
        primaryEmail: 'a@b.c',
      }),
    ).toEqual({
      channelId: 'chan-1',
      token: 'tok',
      resourceId: 'res-1',
      state: 'update',
      messageNumber: '7731',
      change: { eventKey: 'google:chan-1:7731', userKey: '1112' },
    })
  })

  it.each([
    ['no channel id', { 'x-goog-resource-state': 'update' }, {}, /X-Goog-Channel-ID/],
    ['a user event without a body', headers('delete'), undefined, /user's id/],
  ])('refuses %s', (_, h, body, message) => {
    expect(() => readGoogleMessage(h, body)).toThrow(message)
  })
})

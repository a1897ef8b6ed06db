// Channel names alone, without their schemas: the sandboxed preload can import this file
// (it cannot load npm modules such as the schema library).
export const CHANNELS = [
  'workspace/summary',
  'directories/list',
  'directories/import',
  'directories/get',
  'directories/connect',
  'directories/setCredentials',
  'directories/test',
  'directories/sync',
  'directories/setMapping',
  'directories/setGroupFilter',
  'directories/setSchedule',
  'users/list',
  'users/get',
  'users/setAttributes',
  'groups/list',
  'groups/get',
  'groups/explain',
  'policies/list',
  'policies/setTarget',
  'policies/removeTarget',
  'policies/setRemoveOnUnassign',
  'devices/list',
  'devices/get',
  'devices/enroll',
  'devices/acknowledge',
  'diagnostics/list',
] as const

export type Channel = (typeof CHANNELS)[number]

export const EVENT_NAMES = ['db/changed', 'directories/syncProgress'] as const

/** The single Electron IPC channel that carries every contract call. */
export const INVOKE_CHANNEL = 'api/invoke'

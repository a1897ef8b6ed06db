// Channel names alone, without their schemas: the sandboxed preload can import this file
// (it cannot load npm modules such as the schema library).
export const CHANNELS = [
  'workspace/summary',
  'directories/list',
  'directories/import',
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
  'policies/get',
  'policies/save',
  'policies/delete',
  'policies/restrictions',
  'policies/conflicts',
  'policies/whatIf',
  'policies/apply',
  'policies/held',
  'policies/approve',
  'policies/reject',
  'policies/why',
  'policies/effective',
  'policies/history',
  'policies/settings',
  'policies/setSettings',
  'apps/list',
  'apps/save',
  'devices/list',
  'devices/get',
  'devices/enroll',
  'devices/acknowledge',
  'devices/scan',
  'devices/repush',
  'devices/cancel',
  'devices/latency',
  'push/credentials',
  'push/setApnsCertificate',
  'push/setServiceAccount',
  'diagnostics/list',
  'rules/check',
  'rules/preview',
  'rules/explain',
  'groups/create',
  'groups/setRule',
] as const

export type Channel = (typeof CHANNELS)[number]

export const EVENT_NAMES = ['db/changed'] as const

/** The single Electron IPC channel that carries every contract call. */
export const INVOKE_CHANNEL = 'api/invoke'

// Change notifications from the IdPs (Graph subscriptions, Okta event hooks, Google users.watch
// channels) as the renderer sees them: per directory, whether they are on, until when, what was last
// heard, and what is wrong when they stopped.
import type { DirectoryKind } from './domain'

export type NotificationSubscriptionState = 'pending' | 'active' | 'lapsed'

export interface NotificationSubscriptionInfo {
  id: string
  /** The IdP's id: Graph's subscriptionId, the Okta event hook id, the Google channel id. */
  remoteId: string
  /** Google: the users.watch event the channel is for; null for the others. */
  event: string | null
  state: NotificationSubscriptionState
  createdAt: string
  /** Null when the IdP's subscription does not expire (Okta event hooks). */
  expiresAt: string | null
  lastError: string | null
}

/** Why notifications stopped reaching the app, with what to do. */
export interface NotificationProblem {
  code: 'NOTIFY_LAPSED' | 'NOTIFY_SILENT' | 'NOTIFY_UNREACHABLE' | 'NOTIFY_NO_ENDPOINT'
  message: string
}

export interface DirectoryNotifications {
  directoryId: string
  directoryName: string
  kind: DirectoryKind
  /** File directories have no notifications. */
  supported: boolean
  enabled: boolean
  /** Enabled, and every subscription is active. */
  active: boolean
  /** The URL the IdP sends to (the ingress's public URL and the receiver's path); null while the ingress is not running. */
  endpoint: string | null
  subscriptions: NotificationSubscriptionInfo[]
  /** The earliest expiry of the active subscriptions. */
  expiresAt: string | null
  lastEventAt: string | null
  lastTestAt: string | null
  /** When a test notification last came back through the IdP and the ingress. */
  lastTestOkAt: string | null
  /** Notified users still waiting for their fetch. */
  queued: number
  problem: NotificationProblem | null
}

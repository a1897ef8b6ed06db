// The notifications/* channels: every directory's status, on, off, and the Send test button.
import type { HandlersOf } from '../../../shared/contract'
import type { NotificationService } from './index'

export function notificationHandlers(s: { notifications: NotificationService }): HandlersOf<'notifications'> {
  const n = s.notifications
  return {
    'notifications/status': () => n.status(),
    'notifications/enable': ({ directoryId }) => n.enable(directoryId),
    'notifications/disable': ({ directoryId }) => n.disable(directoryId),
    'notifications/test': ({ directoryId }) => n.test(directoryId),
  }
}

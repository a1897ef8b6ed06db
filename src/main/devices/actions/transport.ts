// How a device action reaches a device: a platform transport says which devices it reaches and,
// keyed by action, whether a device can run it and what to send. Apple MDM and the Android agent
// queue outbox commands (apple.ts, android-agent.ts); another transport (the Android Management
// API's issueCommand) plugs in with the same shape and is put first in the list it is chosen from.
import type { DeviceActionName, DeviceActionParams } from '../../../shared/device-actions'
import type { Command, CommandType, DeviceFacts, DeviceSummary } from '../../../shared/domain'

/** What the rules know about the device when an action is asked for. */
export interface ActionContext {
  device: DeviceSummary
  facts: DeviceFacts | null
  /** Apple: when the device checked out (its MDM profile removed); nothing reaches it then. */
  checkedOutAt: string | null
  /** Apple: whether the device handed over its UnlockToken (ClearPasscode needs it). */
  hasUnlockToken: boolean
  /** Lost Mode as the command history says. */
  lostMode: boolean
}

/** One outbox command an action asks for. */
export interface ActionCommand {
  type: CommandType
  payload: Record<string, unknown>
  /** Its outbox channel; absent: the device channel (null). A platform API uses its own (android/channel.ts). */
  channel?: string
}

export interface ActionHandler {
  /** Why this device cannot run the action now, or null when it can (shown before the admin asks). */
  refuse(ctx: ActionContext): string | null
  /** Why these parameters don't do for this device, or null when they do. */
  checkParams(ctx: ActionContext, params: DeviceActionParams): string | null
  /**
   * Records the action: hands `queue` the commands to store (inside the request's transaction, so
   * synchronous); the device's command history shows them. Returns the commands recorded. They
   * reach the device after the commit: by push (outbox transports) or the transport's `deliver`.
   */
  run(ctx: ActionContext, params: DeviceActionParams, queue: (commands: ActionCommand[]) => Command[]): Command[]
}

export interface ActionTransport {
  /** Shown with each action ('apple-mdm', 'android-agent', …). */
  name: string
  reaches(device: DeviceSummary): boolean
  /** An action a transport does not list is refused for its devices with `unsupported`. */
  actions: Partial<Record<DeviceActionName, ActionHandler>>
  /** Why an action it lacks is refused, e.g. "The Android agent has no Lost Mode". */
  unsupported(action: DeviceActionName): string
  /**
   * Carries the commands `run` recorded to the device, after their commit (so a crash in between
   * leaves them in the history to retry, never a call with no record). Absent: the outbox's push
   * wakes the device (Apple MDM, the agent). A platform API (issueCommand) calls out here.
   */
  deliver?(device: DeviceSummary, commands: readonly Command[]): Promise<void>
}

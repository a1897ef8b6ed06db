// The outbox channel of a device action sent through the Android Management API. The command is
// a row like any other, so the device's history shows it, but neither a push nor a policy carries
// it: the push pump only wakes the device channel (channel NULL) and Apple user channels that have a
// row in apple_user_channels, the agent's fetch hands out the device channel only, and a policy
// version carries the device channel's open commands only. The transport's deliver closes it
// (devices/actions/android-enterprise.ts).
import type { Command } from '../../../shared/domain'

export const AMAPI_CHANNEL = 'android-management-api'

export const sentThroughApi = (c: Pick<Command, 'channel'>): boolean => c.channel === AMAPI_CHANNEL

// The diagnostics thread's entry (diagnostics/thread.ts): opens the workspace on its own
// connection and, for each request, reads the diagnostics (diagnostics/sides.ts: the rule side in
// one read transaction when it moved, the device side) and posts them with their buffers transferred. Only the store and the groups
// room's rule inputs: no watchers, no timers, no writes. Built as a bundle of its own
// (vite.cli.config.mts, electron.vite.config.ts).
import { join } from 'node:path'
import { parentPort, workerData } from 'node:worker_threads'
import { DATABASE_FILE } from '../app'
import {
  createRuleFailDetector,
  type ReadRequest,
  readSides,
  type DiagnosticsReply,
  sidesTransfers,
} from '../diagnostics'
import { createGroupService } from '../groups'
import { readPolicySettings } from '../policies'
import { systemClock, timeOrderedIds } from '../ports'
import { createStore } from '../store'

const { dataDir } = workerData as { dataDir: string }
const store = createStore(join(dataDir, DATABASE_FILE))
const groups = createGroupService({
  store,
  clock: systemClock,
  ids: timeOrderedIds(),
  grace: () => {
    const settings = readPolicySettings(store)
    return { syncs: settings.graceSyncs, minutes: settings.graceMinutes }
  },
})
/** The main thread's clock as of the request being read: rules and deadlines are judged against it. */
let asOf = new Date()
// Kept between requests: it compiles each rule once and rereads only when its revision moved.
const ruleFail = createRuleFailDetector({ store, clock: { now: () => asOf }, inputs: groups.allInputs })

parentPort?.on('message', (request: ReadRequest) => {
  let reply: DiagnosticsReply
  try {
    asOf = new Date(request.now)
    reply = { ok: true, data: readSides(store, ruleFail, request) }
  } catch (e) {
    reply = { ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }
  }
  parentPort?.postMessage(reply, reply.ok ? sidesTransfers(reply.data) : [])
})

// One ADE sync: Apple's device list since our cursor, applied at once, then the default profile
// for devices that have none. The loop follows nanodep's syncer (sync/syncer.go) and Apple's
// pages ("Get a List of Devices", "Sync the List of Devices"):
// - no cursor yet → fetch (POST /server/devices) page after page while more_to_follow; its last
//   cursor is where sync starts;
// - a cursor → sync (POST /devices/sync) while more_to_follow; duplicates resolved by serial and
//   the latest op_date; deleted devices leave the list;
// - EXPIRED_CURSOR (older than 7 days) or INVALID_CURSOR → a full fetch from no cursor, and the
//   devices it does not list are gone; EXHAUSTED_CURSOR on a fetch → sync from that cursor.
// Nothing is written until every page is in (a sync that fails half-way changes nothing).
import type { AdeSyncSummary } from '../../../../shared/ade'
import { AppError } from '../../../../shared/errors'
import type { Clock, Log } from '../../../ports'
import type { AdeDeviceUpsert, Store } from '../../../store'
import { type DepClient, type DepDevice, DepError, type DepProfile } from './client'

/** Apple's maximum page (nanodep docs/operations-guide.md: default 100, maximum 1000). */
export const PAGE_LIMIT = 1000
/** Keep assignments to 1000 serials per call (Apple's "Assign a Profile"). */
const ASSIGN_CHUNK = 1000
const MAX_PAGES = 10_000

export interface AdeSyncDeps {
  store: Store
  client: DepClient
  clock: Clock
  log: Log
  /** The default profile new devices get, for the ingress's current URL; null when the ingress has no URL yet. */
  defaultProfile: () => Promise<DepProfile | null>
}

const toUpsert = (d: DepDevice): AdeDeviceUpsert => ({
  serial: d.serial_number,
  model: d.model ?? '',
  description: d.description ?? '',
  color: d.color ?? '',
  deviceFamily: d.device_family ?? '',
  os: d.os ?? '',
  profileStatus: d.profile_status || 'empty',
  profileUuid: d.profile_uuid || null,
  profileAssignedAt: d.profile_assign_time ?? null,
  assignedAt: d.device_assigned_date ?? null,
  assignedBy: d.device_assigned_by ?? null,
  opDate: d.op_date ?? null,
})

const isCursorDead = (e: unknown) =>
  e instanceof DepError && (e.reason === 'EXPIRED_CURSOR' || e.reason === 'INVALID_CURSOR')

/** Every page after `cursor` (sync) or from the start (fetch); the devices and the cursor to keep. */
async function pull(
  client: DepClient,
  start: string | null,
): Promise<{ devices: DepDevice[]; cursor: string; full: boolean }> {
  let mode: 'fetch' | 'sync' = start ? 'sync' : 'fetch'
  let cursor = start ?? ''
  let full = !start
  const devices: DepDevice[] = []
  for (let pages = 0; pages < MAX_PAGES; pages++) {
    let page: Awaited<ReturnType<DepClient['fetchDevices']>>
    try {
      page =
        mode === 'fetch'
          ? await client.fetchDevices({ ...(cursor ? { cursor } : {}), limit: PAGE_LIMIT })
          : await client.syncDevices({ cursor, limit: PAGE_LIMIT })
    } catch (e) {
      if (isCursorDead(e) && !full) {
        // Start over with everything Apple lists now.
        mode = 'fetch'
        cursor = ''
        full = true
        devices.length = 0
        continue
      }
      if (e instanceof DepError && e.reason === 'EXHAUSTED_CURSOR' && mode === 'fetch' && cursor) {
        mode = 'sync'
        continue
      }
      throw e
    }
    devices.push(...(page.devices ?? []))
    if (typeof page.cursor === 'string' && page.cursor) cursor = page.cursor
    if (!page.more_to_follow) return { devices, cursor, full }
  }
  throw new AppError('ADE_RESPONSE', `Apple kept saying more_to_follow after ${MAX_PAGES} pages; the sync stopped.`)
}

/** The latest change per serial (sync may list a device several times). */
export function latestPerSerial(devices: DepDevice[]): DepDevice[] {
  const out = new Map<string, DepDevice>()
  for (const d of devices) {
    const seen = out.get(d.serial_number)
    if (!seen || (d.op_date ?? '') >= (seen.op_date ?? '')) out.set(d.serial_number, d)
  }
  return [...out.values()]
}

/** Runs one sync; the summary is stored (failed or not) and returned. Expected failures are in it, not thrown. */
export async function runAdeSync(deps: AdeSyncDeps): Promise<AdeSyncSummary> {
  const { store, client, clock, log } = deps
  const startedAt = clock.now().toISOString()
  const summary: AdeSyncSummary = {
    startedAt,
    finishedAt: startedAt,
    ok: true,
    added: 0,
    modified: 0,
    deleted: 0,
    assigned: 0,
    fullFetch: false,
    error: null,
  }
  try {
    const stored = store.ade.cursor()
    const pulled = await pull(client, stored?.cursor ?? null)
    summary.fullFetch = pulled.full
    const at = clock.now().toISOString()
    store.transaction(() => {
      const changes = latestPerSerial(pulled.devices)
      if (pulled.full) {
        const listed = new Set(changes.map(d => d.serial_number))
        for (const d of store.ade.devices())
          if (!listed.has(d.serial)) {
            store.ade.deleteDevice(d.serial, null)
            summary.deleted++
          }
      }
      for (const d of changes) {
        const known = store.ade.device(d.serial_number)
        if (d.op_type === 'deleted') {
          if (known) summary.deleted++
          store.ade.deleteDevice(d.serial_number, d.op_date ?? null)
          continue
        }
        if (known) summary.modified++
        else summary.added++
        store.ade.upsertDevice(toUpsert(d), at)
      }
      store.ade.setCursor(pulled.cursor, at)
    })
    summary.assigned = await assignDefault(deps)
  } catch (e) {
    if (!(e instanceof AppError)) throw e
    summary.ok = false
    summary.error = e.toInfo()
    log.warn('ADE sync failed', { code: e.code, error: e.message })
  }
  summary.finishedAt = clock.now().toISOString()
  store.ade.setLastSync(summary)
  log.info('ADE sync finished', { ...summary, error: summary.error?.message ?? null })
  return summary
}

const sameUrls = (a: Record<string, unknown>, b: DepProfile) =>
  a['url'] === b.url && a['configuration_web_url'] === b.configuration_web_url

/**
 * Gives the default profile to every device that is not enrolled and has none from us. A new
 * default is defined with Apple when there is none or the ingress's URL changed (Apple's profiles
 * cannot be edited: Define a Profile returns a new uuid).
 */
export async function assignDefault(deps: AdeSyncDeps): Promise<number> {
  const { store, client, clock } = deps
  const serials = store.ade.needingProfile()
  if (serials.length === 0) return 0
  const wanted = await deps.defaultProfile()
  if (!wanted)
    throw new AppError(
      'INGRESS_NOT_CONFIGURED',
      `${serials.length} ADE device(s) need a profile, but the ingress has no URL for Setup Assistant to open: set the ingress's public URL in Settings, then Sync now.`,
      { serials: serials.length },
    )
  let current = store.ade.defaultProfile()
  if (!current || !sameUrls(current.definition, wanted)) {
    const defined = await client.defineProfile(wanted)
    current = {
      uuid: defined.profile_uuid,
      name: wanted.profile_name,
      definition: { ...wanted },
      isDefault: true,
      definedAt: clock.now().toISOString(),
    }
    store.ade.addProfile(current)
  }
  let assigned = 0
  for (let i = 0; i < serials.length; i += ASSIGN_CHUNK) {
    const chunk = serials.slice(i, i + ASSIGN_CHUNK)
    const answer = await client.assignProfile(current.uuid, chunk)
    const at = clock.now().toISOString()
    store.transaction(() => {
      for (const [serial, status] of Object.entries(answer.devices ?? {}))
        if (status === 'SUCCESS') {
          store.ade.setProfile(serial, current.uuid, at)
          assigned++
        }
    })
  }
  return assigned
}

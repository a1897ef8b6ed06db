// The administration room: what an admin needs to run the fleet day to day — the health board,
// the audit log, exports, and removing a directory. It sits above the other rooms and only
// calls their front doors.
export { adminHandlers } from './handlers'
export { auditCsv, exportCsv } from './exports'
export { toCsv, csvField } from '../../shared/csv'
export { healthBoard, DEFAULT_STALE_DAYS } from './health'
export { previewRemoval, removeDirectory, type DirectoryRemovalDeps } from './directory-removal'

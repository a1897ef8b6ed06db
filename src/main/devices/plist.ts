// The property-list codec moved to src/main/plist.ts (policies render profiles with it too).
export * from '../plist'

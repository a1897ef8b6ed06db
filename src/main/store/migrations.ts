// Numbered migrations, applied in order at open. Never edit one after it has landed:
// add the next number instead.

export interface Migration {
  version: number
  name: string
  sql: string
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE directories (
  id          TEXT PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('file', 'entra', 'okta', 'google')),
  name        TEXT NOT NULL UNIQUE,
  config      TEXT NOT NULL DEFAULT '{}',
  created_at  TEXT NOT NULL
);

CREATE TABLE users (
  id                   TEXT PRIMARY KEY,
  directory_id         TEXT NOT NULL REFERENCES directories(id) ON DELETE CASCADE,
  external_id          TEXT NOT NULL,
  user_principal_name  TEXT NOT NULL,
  display_name         TEXT NOT NULL,
  updated_at           TEXT NOT NULL,
  UNIQUE (directory_id, external_id)
);
CREATE UNIQUE INDEX users_upn ON users (directory_id, user_principal_name COLLATE NOCASE);
CREATE INDEX users_upn_lookup ON users (user_principal_name COLLATE NOCASE);

-- Values are JSON so multi-value properties and booleans survive the round trip.
CREATE TABLE user_attributes (
  user_id  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name     TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (user_id, name)
) WITHOUT ROWID;
CREATE INDEX user_attributes_name_value ON user_attributes (name, value);

CREATE TABLE groups (
  id            TEXT PRIMARY KEY,
  directory_id  TEXT REFERENCES directories(id) ON DELETE CASCADE,
  name          TEXT NOT NULL UNIQUE,
  kind          TEXT NOT NULL CHECK (kind IN ('synced', 'rule')),
  dialect       TEXT CHECK (dialect IN ('entra', 'okta', 'google')),
  rule          TEXT,
  description   TEXT NOT NULL DEFAULT '',
  CHECK ((kind = 'rule') = (rule IS NOT NULL AND dialect IS NOT NULL))
);

-- A user without a row is out. 'unknown' means a rule read an attribute the user lacks;
-- effective then keeps whatever the user had before, so a gap in the data never strips policies.
CREATE TABLE memberships (
  group_id    TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  state       TEXT NOT NULL CHECK (state IN ('in', 'unknown')),
  effective   INTEGER NOT NULL CHECK (effective IN (0, 1)),
  missing     TEXT NOT NULL DEFAULT '[]',
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID;
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE policies (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL UNIQUE,
  description  TEXT NOT NULL DEFAULT '',
  priority     INTEGER NOT NULL DEFAULT 0,
  platforms    TEXT NOT NULL DEFAULT '["ios","macos","android"]',
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL
);

CREATE TABLE payload_items (
  id                  TEXT PRIMARY KEY,
  policy_id           TEXT NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
  position            INTEGER NOT NULL,
  kind                TEXT NOT NULL CHECK (kind IN ('app', 'profile', 'restriction')),
  identifier          TEXT NOT NULL,
  name                TEXT NOT NULL,
  platform            TEXT CHECK (platform IN ('ios', 'macos', 'android')),
  settings            TEXT NOT NULL DEFAULT '{}',
  remove_on_unassign  INTEGER NOT NULL DEFAULT 0 CHECK (remove_on_unassign IN (0, 1))
);
CREATE INDEX payload_items_policy ON payload_items (policy_id, position);

CREATE TABLE policy_targets (
  policy_id  TEXT NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
  group_id   TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  mode       TEXT NOT NULL CHECK (mode IN ('include', 'exclude')),
  PRIMARY KEY (policy_id, group_id)
) WITHOUT ROWID;
CREATE INDEX policy_targets_group ON policy_targets (group_id);

CREATE TABLE devices (
  id            TEXT PRIMARY KEY,
  serial        TEXT NOT NULL UNIQUE,
  name          TEXT NOT NULL,
  platform      TEXT NOT NULL CHECK (platform IN ('ios', 'macos', 'android')),
  user_id       TEXT REFERENCES users(id) ON DELETE SET NULL,
  push_token    TEXT,
  enrolled_at   TEXT NOT NULL,
  last_seen_at  TEXT
);
CREATE INDEX devices_user ON devices (user_id);

-- What was last sent to each device: the diff against its desired state becomes commands.
CREATE TABLE device_items (
  device_id   TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  item_key    TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('app', 'profile', 'restriction')),
  identifier  TEXT NOT NULL,
  name        TEXT NOT NULL,
  value       TEXT NOT NULL,
  policy_id   TEXT NOT NULL,
  item_id     TEXT NOT NULL,
  PRIMARY KEY (device_id, item_key)
) WITHOUT ROWID;

CREATE TABLE commands (
  id               TEXT PRIMARY KEY,
  device_id        TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  seq              INTEGER NOT NULL,
  type             TEXT NOT NULL,
  payload          TEXT NOT NULL,
  state            TEXT NOT NULL CHECK (state IN ('queued', 'pushed', 'acknowledged', 'failed', 'cancelled')),
  reason           TEXT NOT NULL,
  created_at       TEXT NOT NULL,
  pushed_at        TEXT,
  acknowledged_at  TEXT,
  deadline_at      TEXT NOT NULL,
  error            TEXT,
  UNIQUE (device_id, seq)
);
CREATE INDEX commands_open ON commands (state, deadline_at);

CREATE TABLE push_deliveries (
  id          TEXT PRIMARY KEY,
  device_id   TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  transport   TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('sent', 'failed')),
  reason      TEXT,
  created_at  TEXT NOT NULL
);
CREATE INDEX push_deliveries_device ON push_deliveries (device_id, created_at);

CREATE TABLE sync_runs (
  id            TEXT PRIMARY KEY,
  directory_id  TEXT NOT NULL REFERENCES directories(id) ON DELETE CASCADE,
  mode          TEXT NOT NULL CHECK (mode IN ('full', 'incremental', 'import')),
  status        TEXT NOT NULL CHECK (status IN ('succeeded', 'failed')),
  started_at    TEXT NOT NULL,
  finished_at   TEXT NOT NULL,
  added         INTEGER NOT NULL DEFAULT 0,
  changed       INTEGER NOT NULL DEFAULT 0,
  removed       INTEGER NOT NULL DEFAULT 0,
  error         TEXT
);
CREATE INDEX sync_runs_directory ON sync_runs (directory_id, started_at);

CREATE TABLE audit_log (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  at       TEXT NOT NULL,
  actor    TEXT NOT NULL,
  action   TEXT NOT NULL,
  subject  TEXT NOT NULL,
  details  TEXT NOT NULL DEFAULT '{}'
);
`,
  },
  {
    version: 2,
    name: 'directory sync: fingerprints, group external ids, sync cursors',
    sql: `
-- What the last sync wrote for a user (names, mapped attributes): an unchanged user is skipped
-- without reading its attributes.
ALTER TABLE users ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';

-- The IdP's id of a synced or imported-rule group, so renames keep the same group.
ALTER TABLE groups ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX groups_external ON groups (directory_id, external_id) WHERE external_id IS NOT NULL;

-- The connector's cursor (Graph delta links, Okta timestamp) after the last complete sync.
CREATE TABLE directory_sync_state (
  directory_id  TEXT PRIMARY KEY REFERENCES directories(id) ON DELETE CASCADE,
  cursor        TEXT,
  updated_at    TEXT NOT NULL
);
`,
  },
  {
    version: 3,
    name: 'devices: outbox delivery, push identities, device credentials',
    // SQLite cannot widen a CHECK constraint in place, so commands is rebuilt with the
    // delivery states: 'sent' (handed to the device at a check-in) and 'dead' (dead-lettered).
    sql: `
CREATE TABLE commands_v3 (
  id               TEXT PRIMARY KEY,
  device_id        TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  seq              INTEGER NOT NULL,
  type             TEXT NOT NULL,
  payload          TEXT NOT NULL,
  state            TEXT NOT NULL CHECK (state IN ('queued', 'pushed', 'sent', 'acknowledged', 'failed', 'cancelled', 'dead')),
  reason           TEXT NOT NULL,
  created_at       TEXT NOT NULL,
  pushed_at        TEXT,
  acknowledged_at  TEXT,
  deadline_at      TEXT NOT NULL,
  error            TEXT,
  sent_at          TEXT,
  finished_at      TEXT,
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  TEXT,
  UNIQUE (device_id, seq)
);
INSERT INTO commands_v3 (id, device_id, seq, type, payload, state, reason, created_at, pushed_at, acknowledged_at, deadline_at, error, finished_at, next_attempt_at)
  SELECT id, device_id, seq, type, payload, state, reason, created_at, pushed_at, acknowledged_at, deadline_at, error,
    CASE WHEN state IN ('acknowledged', 'failed', 'cancelled') THEN COALESCE(acknowledged_at, created_at) END,
    CASE WHEN state IN ('queued', 'pushed') THEN created_at END
  FROM commands;
DROP TABLE commands;
ALTER TABLE commands_v3 RENAME TO commands;
CREATE INDEX commands_open ON commands (state, deadline_at);
CREATE INDEX commands_due ON commands (next_attempt_at) WHERE next_attempt_at IS NOT NULL;

-- Push identities: APNs (token hex, topic, PushMagic from TokenUpdate) or FCM (token).
-- token_updated_at decides whether a 410 Unregistered is older than the latest TokenUpdate.
ALTER TABLE devices ADD COLUMN push_topic TEXT;
ALTER TABLE devices ADD COLUMN push_magic TEXT;
ALTER TABLE devices ADD COLUMN token_updated_at TEXT;
ALTER TABLE devices ADD COLUMN token_stale_at TEXT;
ALTER TABLE devices ADD COLUMN token_stale_reason TEXT;
-- Apple: the device UDID and the SHA-256 fingerprint of its enrollment identity certificate.
ALTER TABLE devices ADD COLUMN udid TEXT;
ALTER TABLE devices ADD COLUMN identity_fingerprint TEXT;
-- Android: SHA-256 of the per-device credential issued at enrollment (never the credential).
ALTER TABLE devices ADD COLUMN credential_hash TEXT;
CREATE UNIQUE INDEX devices_udid ON devices (udid) WHERE udid IS NOT NULL;

ALTER TABLE push_deliveries ADD COLUMN disposition TEXT;
ALTER TABLE push_deliveries ADD COLUMN latency_ms INTEGER;
`,
  },
  {
    version: 4,
    name: 'policy engine: app inventory, pending withdrawals, held changes, assignment history',
    sql: `
-- Apps an admin can put in a policy: one bundle id (Apple) or package name (Android) per platform.
CREATE TABLE app_inventory (
  id          TEXT PRIMARY KEY,
  platform    TEXT NOT NULL CHECK (platform IN ('ios', 'macos', 'android')),
  identifier  TEXT NOT NULL,
  name        TEXT NOT NULL,
  UNIQUE (platform, identifier)
);
INSERT INTO app_inventory (id, platform, identifier, name)
  SELECT 'app:' || platform || ':' || identifier, platform, identifier, MIN(name)
  FROM payload_items WHERE kind = 'app' AND platform IS NOT NULL GROUP BY platform, identifier;

-- Payloads gain typed settings: apps an intent, profiles a type. Existing rows (and what devices
-- were last sent) get the values they already behaved as, so no command is re-sent for them.
UPDATE payload_items SET settings = json_set(settings, '$.intent', 'required')
  WHERE kind = 'app' AND json_extract(settings, '$.intent') IS NULL;
UPDATE payload_items SET settings = json_set(settings, '$.type', 'custom')
  WHERE kind = 'profile' AND json_extract(settings, '$.type') IS NULL;
UPDATE device_items SET value = json_set(CASE WHEN json_type(value) = 'object' THEN value ELSE '{}' END, '$.intent', 'required')
  WHERE kind = 'app';
UPDATE device_items SET value = json_set(value, '$.type', 'custom')
  WHERE kind = 'profile' AND json_type(value) = 'object' AND json_extract(value, '$.type') IS NULL;

-- A user who left a group keeps its policies until a later sync confirms the user is still out
-- (and the grace time passed): a flapping membership withdraws nothing.
CREATE TABLE membership_withdrawals (
  group_id  TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  user_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  left_at   TEXT NOT NULL,
  PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID;
CREATE INDEX membership_withdrawals_user ON membership_withdrawals (user_id);

-- Circuit breaker: a change that would withdraw policies from too many devices waits here.
CREATE TABLE held_changes (
  id                TEXT PRIMARY KEY,
  created_at        TEXT NOT NULL,
  cause             TEXT NOT NULL CHECK (cause IN ('sync', 'rule-edit', 'target-edit', 'policy-edit')),
  summary           TEXT NOT NULL,
  status            TEXT NOT NULL CHECK (status IN ('held', 'approved', 'rejected')),
  decided_at        TEXT,
  change            TEXT,
  devices_affected  INTEGER NOT NULL,
  devices_total     INTEGER NOT NULL,
  threshold         TEXT NOT NULL,
  diff              TEXT NOT NULL
);
CREATE TABLE held_change_devices (
  held_change_id  TEXT NOT NULL REFERENCES held_changes(id) ON DELETE CASCADE,
  device_id       TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  PRIMARY KEY (held_change_id, device_id)
) WITHOUT ROWID;
CREATE INDEX held_change_devices_device ON held_change_devices (device_id);

-- The "why" of every assignment change: the chain as it was at that moment.
CREATE TABLE assignment_events (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  device_id    TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  at           TEXT NOT NULL,
  policy_id    TEXT NOT NULL,
  policy_name  TEXT NOT NULL,
  action       TEXT NOT NULL CHECK (action IN ('granted', 'changed', 'withdrawn', 'held', 'released')),
  summary      TEXT NOT NULL,
  steps        TEXT NOT NULL,
  commands     TEXT NOT NULL
);
CREATE INDEX assignment_events_device ON assignment_events (device_id, policy_id, id);

-- Profiles not sent because a {{user.x}} variable has no value for the device's user.
CREATE TABLE device_payload_problems (
  device_id    TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  item_key     TEXT NOT NULL,
  policy_id    TEXT NOT NULL,
  policy_name  TEXT NOT NULL,
  item_name    TEXT NOT NULL,
  variables    TEXT NOT NULL,
  detected_at  TEXT NOT NULL,
  PRIMARY KEY (device_id, item_key, policy_id)
) WITHOUT ROWID;

-- A digest of the desired state each device was last brought to: an unchanged digest means an
-- unchanged plan, so a recompute of 50,000 devices reads what was sent only for those that changed.
CREATE TABLE device_plan_digests (
  device_id  TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
  digest     TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE policy_settings (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);

-- Bumped by every write to policies, payloads, targets or group names, so the policy engine's
-- in-memory index knows when to rebuild without re-reading every policy per device.
CREATE TABLE policy_revision (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
INSERT INTO policy_revision (id, n) VALUES (1, 0);
CREATE TRIGGER policies_ins AFTER INSERT ON policies BEGIN UPDATE policy_revision SET n = n + 1; END;
CREATE TRIGGER policies_upd AFTER UPDATE ON policies BEGIN UPDATE policy_revision SET n = n + 1; END;
CREATE TRIGGER policies_del AFTER DELETE ON policies BEGIN UPDATE policy_revision SET n = n + 1; END;
CREATE TRIGGER payload_items_ins AFTER INSERT ON payload_items BEGIN UPDATE policy_revision SET n = n + 1; END;
CREATE TRIGGER payload_items_upd AFTER UPDATE ON payload_items BEGIN UPDATE policy_revision SET n = n + 1; END;
CREATE TRIGGER payload_items_del AFTER DELETE ON payload_items BEGIN UPDATE policy_revision SET n = n + 1; END;
CREATE TRIGGER policy_targets_ins AFTER INSERT ON policy_targets BEGIN UPDATE policy_revision SET n = n + 1; END;
CREATE TRIGGER policy_targets_upd AFTER UPDATE ON policy_targets BEGIN UPDATE policy_revision SET n = n + 1; END;
CREATE TRIGGER policy_targets_del AFTER DELETE ON policy_targets BEGIN UPDATE policy_revision SET n = n + 1; END;
CREATE TRIGGER groups_renamed AFTER UPDATE OF name ON groups BEGIN UPDATE policy_revision SET n = n + 1; END;
CREATE TRIGGER groups_del AFTER DELETE ON groups BEGIN UPDATE policy_revision SET n = n + 1; END;
`,
  },
  {
    version: 5,
    name: 'rule-group memberships: one row per user',
    // Rule-group memberships are derived and many (a user is typically in a dozen dynamic groups):
    // one row per user instead of one per membership (see store/rule-memberships.ts). Row-sized
    // values make WITHOUT ROWID the slower layout here, so the table keeps its rowid.
    sql: `
CREATE TABLE rule_memberships (
  user_id     TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  plain       TEXT NOT NULL DEFAULT '',
  other       TEXT NOT NULL DEFAULT '[]',
  updated_at  TEXT NOT NULL
);

INSERT INTO rule_memberships (user_id, plain, other, updated_at)
SELECT m.user_id,
  COALESCE(group_concat(m.group_id, ',') FILTER (WHERE m.state = 'in' AND m.effective = 1 AND m.missing = '[]'), ''),
  COALESCE(json_group_array(json_array(m.group_id, m.state, m.effective, json(m.missing), m.updated_at))
    FILTER (WHERE NOT (m.state = 'in' AND m.effective = 1 AND m.missing = '[]')), '[]'),
  max(m.updated_at)
FROM memberships m JOIN groups g ON g.id = m.group_id
WHERE g.kind = 'rule'
GROUP BY m.user_id;
DELETE FROM memberships WHERE group_id IN (SELECT id FROM groups WHERE kind = 'rule');

-- What a foreign key's ON DELETE CASCADE did for membership rows: a group that is deleted, or
-- stops being rule-based, leaves no trace in any user's row.
CREATE TRIGGER rule_group_deleted AFTER DELETE ON groups WHEN OLD.kind = 'rule' BEGIN 
  UPDATE rule_memberships SET
    plain = trim(replace(',' || plain || ',', ',' || OLD.id || ',', ','), ','),
    other = (SELECT json_group_array(json(value)) FROM json_each(other) WHERE value ->> 0 IS NOT OLD.id)
  WHERE instr(plain, OLD.id) > 0 OR instr(other, OLD.id) > 0;
  DELETE FROM rule_memberships WHERE plain = '' AND other = '[]';
 END;
CREATE TRIGGER rule_group_unruled AFTER UPDATE OF kind ON groups WHEN OLD.kind = 'rule' AND NEW.kind <> 'rule' BEGIN 
  UPDATE rule_memberships SET
    plain = trim(replace(',' || plain || ',', ',' || OLD.id || ',', ','), ','),
    other = (SELECT json_group_array(json(value)) FROM json_each(other) WHERE value ->> 0 IS NOT OLD.id)
  WHERE instr(plain, OLD.id) > 0 OR instr(other, OLD.id) > 0;
  DELETE FROM rule_memberships WHERE plain = '' AND other = '[]';
 END;
`,
  },
  {
    version: 6,
    name: 'sync runs: held and cancelled runs, with the removals they counted',
    sql: `
-- SQLite cannot change a CHECK constraint in place: rebuild the table (nothing references it).
CREATE TABLE sync_runs_v6 (
  id            TEXT PRIMARY KEY,
  directory_id  TEXT NOT NULL REFERENCES directories(id) ON DELETE CASCADE,
  mode          TEXT NOT NULL CHECK (mode IN ('full', 'incremental', 'import')),
  status        TEXT NOT NULL CHECK (status IN ('succeeded', 'failed', 'held', 'cancelled')),
  started_at    TEXT NOT NULL,
  finished_at   TEXT NOT NULL,
  added         INTEGER NOT NULL DEFAULT 0,
  changed       INTEGER NOT NULL DEFAULT 0,
  removed       INTEGER NOT NULL DEFAULT 0,
  error         TEXT,
  -- JSON SyncRemovals: set when the run was held, or confirmed while over the hold limits.
  removals      TEXT
);
INSERT INTO sync_runs_v6 (id, directory_id, mode, status, started_at, finished_at, added, changed, removed, error)
  SELECT id, directory_id, mode, status, started_at, finished_at, added, changed, removed, error FROM sync_runs ORDER BY rowid;
DROP TABLE sync_runs;
ALTER TABLE sync_runs_v6 RENAME TO sync_runs;
CREATE INDEX sync_runs_directory ON sync_runs (directory_id, started_at);
`,
  },
  {
    version: 7,
    name: 'sync runs: notes',
    sql: `
-- JSON list of what the admin should know about a run that went through (e.g. a full sync ran
-- because the incremental cursor was refused), or NULL.
ALTER TABLE sync_runs ADD COLUMN notes TEXT;
`,
  },
  {
    version: 8,
    name: 'directory sync state: a first sync writing its users as they arrive',
    sql: `
-- Set while a large first sync writes users before its pull is whole (directory/first-sync.ts);
-- saving the cursor clears it. Found set at start-up, the app stopped mid-way: what that sync
-- wrote is removed.
ALTER TABLE directory_sync_state ADD COLUMN first_sync_run TEXT;
ALTER TABLE directory_sync_state ADD COLUMN first_sync_started_at TEXT;
`,
  },
  {
    version: 9,
    name: 'devices: re-enrollments by another user held for an admin; users by IdP id',
    sql: `
-- A serial bound to one user that another user enrolls, without proof from the device's
-- current identity, waits here for an admin; the identity it would bind waits with it.
CREATE TABLE device_rebinds (
  id                    TEXT PRIMARY KEY,
  device_id             TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  from_user_id          TEXT,
  to_user_id            TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name                  TEXT,
  push_token            TEXT,
  udid                  TEXT,
  identity_fingerprint  TEXT,
  credential_hash       TEXT,
  requested_at          TEXT NOT NULL,
  status                TEXT NOT NULL CHECK (status IN ('held', 'approved', 'rejected')),
  decided_at            TEXT
);
CREATE INDEX device_rebinds_device ON device_rebinds (device_id, status);

-- Enrollment finds the user by the IdP's immutable id (Entra oid, Okta/Google sub).
CREATE INDEX users_external ON users (external_id);
`,
  },
  {
    version: 10,
    name: 'sync journal: the sync each directory is running, and redeploys owed after a commit',
    sql: `
-- Set when a sync starts and cleared with its run record (directories/engine.ts). Found set at
-- start-up with its process gone, the app stopped mid-sync: the run is recorded as failed.
ALTER TABLE directory_sync_state ADD COLUMN running_run TEXT;
ALTER TABLE directory_sync_state ADD COLUMN running_since TEXT;
ALTER TABLE directory_sync_state ADD COLUMN running_pid INTEGER;

-- Users whose memberships a committed sync or import changed and whose devices are not redeployed
-- yet: written in the same transaction as the change, deleted once redeployed, and redeployed at
-- start-up when the app stopped in between. \`source\` is the sync run or import that owes them.
CREATE TABLE pending_redeploys (
  user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  source     TEXT NOT NULL,
  queued_at  TEXT NOT NULL,
  PRIMARY KEY (source, user_id)
) WITHOUT ROWID;
CREATE INDEX pending_redeploys_user ON pending_redeploys (user_id);
`,
  },
  {
    version: 11,
    name: 'workspace settings: the settings of rooms without a table of their own (the device ingress)',
    sql: `
-- One JSON value per key ('ingress': address, port, public URL, sign-in provider). Secrets (the
-- ingress certificate's key, a client secret) never go here: they stay behind the secrets port.
CREATE TABLE workspace_settings (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
) WITHOUT ROWID;
`,
  },
  {
    version: 12,
    name: 'Apple check-in: user channels, device secrets, check-out, and what devices report',
    sql: `
-- An Apple command goes to the device channel (NULL) or to one user's channel: the UserID the
-- device sends on it (Shared iPad: UserShortName). Each channel has its own queue (Apple,
-- "per-user connections"; nanomdm keys its queues the same way).
ALTER TABLE commands ADD COLUMN channel TEXT;

-- The user channels of a Mac (or Shared iPad): each TokenUpdate on one brings its own push token
-- and PushMagic, kept apart from the device's.
CREATE TABLE apple_user_channels (
  device_id         TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  channel           TEXT NOT NULL,
  user_short_name   TEXT,
  user_long_name    TEXT,
  push_token        TEXT NOT NULL,
  push_topic        TEXT NOT NULL,
  push_magic        TEXT NOT NULL,
  token_updated_at  TEXT NOT NULL,
  -- The user's managed profiles (ProfileList on this channel, JSON) and when they were reported.
  profiles          TEXT,
  profiles_at       TEXT,
  PRIMARY KEY (device_id, channel)
) WITHOUT ROWID;

-- Secrets a device hands over at check-in, sealed like payload secrets (store/sealed.ts).
ALTER TABLE devices ADD COLUMN unlock_token TEXT;
ALTER TABLE devices ADD COLUMN bootstrap_token TEXT;
-- Set by CheckOut (the MDM profile was removed), cleared by the next Authenticate; the device's
-- commands and history stay.
ALTER TABLE devices ADD COLUMN checked_out_at TEXT;

-- What a device last reported about itself: Authenticate and DeviceInformation (identity, OS,
-- storage, supervision), SecurityInfo (encryption, passcode), InstalledApplicationList and
-- ProfileList (JSON lists). Each group carries the time it was reported.
CREATE TABLE device_facts (
  device_id        TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
  device_name      TEXT,
  os_version       TEXT,
  build_version    TEXT,
  model            TEXT,
  model_name       TEXT,
  product_name     TEXT,
  capacity_gb      REAL,
  available_gb     REAL,
  supervised       INTEGER,
  information_at   TEXT,
  encrypted        INTEGER,
  passcode_present INTEGER,
  security_at      TEXT,
  apps             TEXT,
  apps_at          TEXT,
  profiles         TEXT,
  profiles_at      TEXT
);
`,
  },
  {
    version: 13,
    name: 'rule groups: the members the IdP lists, and a revision for GROUP_RULE_FAIL',
    sql: `
-- Who the IdP itself lists in a rule-based group (Entra's dynamic members, Google's dynamic group
-- members) as the last sync saw them, comma-separated local user ids: the IdP's evaluation of the
-- rule, compared with ours for GROUP_RULE_FAIL (diagnostics/rule-fail.ts). One row per group, not
-- per member: a tenant's dynamic groups hold millions of memberships, written once per sync.
-- Okta's rule groups list theirs in memberships already (members kept with the rule's).
CREATE TABLE idp_rule_members (
  group_id   TEXT NOT NULL PRIMARY KEY REFERENCES groups(id) ON DELETE CASCADE,
  members    TEXT NOT NULL DEFAULT '',
  synced_at  TEXT NOT NULL
);

-- Moves with every write that can change an open GROUP_RULE_FAIL: a rule or group, the IdP's
-- members, a sync or import run, a user's record changed or removed (a sync, a sign-in's
-- just-in-time refresh). Rule memberships follow from these, and are not counted row by row (a
-- rule edit rewrites 100,000 of them). The diagnostics room recomputes only when it moved.
CREATE TABLE rule_fail_revision (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
INSERT INTO rule_fail_revision (id, n) VALUES (1, 0);
CREATE TRIGGER rule_fail_groups_ins AFTER INSERT ON groups BEGIN UPDATE rule_fail_revision SET n = n + 1; END;
CREATE TRIGGER rule_fail_groups_upd AFTER UPDATE ON groups BEGIN UPDATE rule_fail_revision SET n = n + 1; END;
CREATE TRIGGER rule_fail_groups_del AFTER DELETE ON groups BEGIN UPDATE rule_fail_revision SET n = n + 1; END;
CREATE TRIGGER rule_fail_idp_ins AFTER INSERT ON idp_rule_members BEGIN UPDATE rule_fail_revision SET n = n + 1; END;
CREATE TRIGGER rule_fail_idp_upd AFTER UPDATE ON idp_rule_members BEGIN UPDATE rule_fail_revision SET n = n + 1; END;
CREATE TRIGGER rule_fail_idp_del AFTER DELETE ON idp_rule_members BEGIN UPDATE rule_fail_revision SET n = n + 1; END;
CREATE TRIGGER rule_fail_runs_ins AFTER INSERT ON sync_runs BEGIN UPDATE rule_fail_revision SET n = n + 1; END;
CREATE TRIGGER rule_fail_runs_upd AFTER UPDATE ON sync_runs BEGIN UPDATE rule_fail_revision SET n = n + 1; END;
CREATE TRIGGER rule_fail_users_upd AFTER UPDATE ON users BEGIN UPDATE rule_fail_revision SET n = n + 1; END;
CREATE TRIGGER rule_fail_users_del AFTER DELETE ON users BEGIN UPDATE rule_fail_revision SET n = n + 1; END;
`,
  },
  {
    version: 14,
    name: 'app inventory: the App Store identity of an Apple app',
    sql: `
-- The App Store / Apps and Books (VPP) adam id of an iOS or macOS app: InstallApplication takes it as
-- iTunesStoreID with a VPP licence (Options.PurchaseMethod 1). NULL: installed by bundle id only.
-- Android apps are identified by their package name alone (identifier).
ALTER TABLE app_inventory ADD COLUMN store_id INTEGER CHECK (store_id IS NULL OR store_id > 0);
`,
  },
  {
    version: 15,
    name: 'list orders and the change log',
    sql: `
-- The lists page on the server in these orders: users by name, devices by name, serial and
-- enrollment; a page deep into 100,000 users walks an index instead of sorting the table.
CREATE INDEX users_display_order ON users (display_name COLLATE NOCASE, id);
CREATE INDEX devices_name_order ON devices (name COLLATE NOCASE, id);
CREATE INDEX devices_serial_order ON devices (serial COLLATE NOCASE, id);
CREATE INDEX devices_enrolled_order ON devices (enrolled_at, id);

-- What each committed mutation touched (the domains of shared/changes.ts), written by whichever
-- process made it: an open app reads the rows other processes (the CLI, a cron sync) wrote and
-- refreshes what they touched. Old rows are trimmed by the writers.
CREATE TABLE change_log (
  seq      INTEGER PRIMARY KEY AUTOINCREMENT,
  origin   TEXT NOT NULL,
  domains  TEXT NOT NULL,
  at       TEXT NOT NULL
);
`,
  },
  {
    version: 16,
    name: 'apple identities: one-time SCEP challenges and the identity certificates the workspace CA issued',
    sql: `
-- A sign-in on the enrollment page makes one challenge for the person who signed in; the SCEP
-- request that carries it gets an identity certificate bound to that person. Only the SHA-256 of
-- the challenge is kept; used_at makes it single-use.
CREATE TABLE apple_scep_challenges (
  challenge_hash  TEXT PRIMARY KEY,
  user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at      TEXT NOT NULL,
  expires_at      TEXT NOT NULL,
  used_at         TEXT
) WITHOUT ROWID;
CREATE INDEX apple_scep_challenges_expiry ON apple_scep_challenges (expires_at);

-- Every identity certificate the CA issued (SHA-256 of its DER), and the person it was issued
-- for: a device authenticating with it is bound to that person. renewed_from names the
-- certificate a SCEP RenewalReq was signed with.
CREATE TABLE apple_identities (
  fingerprint   TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  serial        TEXT NOT NULL,
  issued_at     TEXT NOT NULL,
  not_after     TEXT NOT NULL,
  renewed_from  TEXT
) WITHOUT ROWID;
CREATE INDEX apple_identities_user ON apple_identities (user_id);
`,
  },
  {
    version: 17,
    name: 'android enterprise: the bound enterprise and the devices it manages through the Android Management API',
    sql: `
-- The one Android Enterprise the workspace is bound to (developers.google.com/android/management:
-- signupUrls.create, then enterprises.create with the enterpriseToken of the callback). While a
-- signup is under way, name is NULL and signup_name/signup_state say which one; device_page_token
-- is the devices.list page a poll resumes from (NULL: the next poll starts a full pass).
CREATE TABLE android_enterprise (
  id                 INTEGER PRIMARY KEY CHECK (id = 1),
  project_id         TEXT NOT NULL,
  name               TEXT,
  display_name       TEXT,
  signup_name        TEXT,
  signup_state       TEXT,
  signin_url         TEXT,
  signin_token       TEXT,
  bound_at           TEXT,
  device_page_token  TEXT,
  polled_at          TEXT
);

-- Each of our devices managed through AMAPI: its own policy (the compiled JSON, its hash and the
-- version the last patch returned), the outbox commands that version carries (acknowledged once the
-- device reports it applied), the enrollment token it was made with (value and QR sealed), and what
-- the device last reported (AMAPI device name once it provisioned, state, applied policy version,
-- compliance). kept: package names withdrawn without the remove flag, kept as AVAILABLE.
CREATE TABLE android_devices (
  device_id            TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
  via                  TEXT NOT NULL CHECK (via IN ('signin', 'token')),
  policy_name          TEXT NOT NULL,
  policy_version       TEXT,
  policy_hash          TEXT,
  policy_json          TEXT,
  patched_at           TEXT,
  kept                 TEXT NOT NULL DEFAULT '[]',
  refused              TEXT NOT NULL DEFAULT '[]',
  carried              TEXT NOT NULL DEFAULT '[]',
  patch_error          TEXT,
  token_name           TEXT,
  token                TEXT,
  token_expires_at     TEXT,
  amapi_name           TEXT UNIQUE,
  hardware_serial      TEXT,
  state                TEXT,
  applied_policy_version TEXT,
  compliant            INTEGER,
  non_compliance       TEXT NOT NULL DEFAULT '[]',
  last_report_at       TEXT,
  created_at           TEXT NOT NULL
) WITHOUT ROWID;
`,
  },
  {
    version: 18,
    name: 'automated device enrollment: the devices Apple lists for this MDM server, our profiles, the sync state',
    sql: `
-- The devices Apple's device assignment service lists for this MDM server (ADE), kept from its
-- fetch and sync: Apple's fields, the profile assigned to each, and the op_date of the change
-- last applied (sync may repeat a device; the latest op_date wins). A device Apple no longer
-- lists is deleted. Enrollment is not stored here: a serial enrolled in devices is enrolled.
CREATE TABLE ade_devices (
  serial               TEXT PRIMARY KEY,
  model                TEXT NOT NULL DEFAULT '',
  description          TEXT NOT NULL DEFAULT '',
  color                TEXT NOT NULL DEFAULT '',
  device_family        TEXT NOT NULL DEFAULT '',
  os                   TEXT NOT NULL DEFAULT '',
  profile_status       TEXT NOT NULL DEFAULT 'empty',
  profile_uuid         TEXT,
  profile_assigned_at  TEXT,
  assigned_at          TEXT,
  assigned_by          TEXT,
  op_date              TEXT,
  seen_at              TEXT NOT NULL
) WITHOUT ROWID;

-- The profiles we defined with Apple (Define a Profile returns a new uuid each time; none is
-- edited). One is the default that new devices get.
CREATE TABLE ade_profiles (
  uuid        TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  definition  TEXT NOT NULL,
  is_default  INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
  defined_at  TEXT NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX ade_profiles_one_default ON ade_profiles (is_default) WHERE is_default = 1;

-- One row: the sync cursor (Apple's, good for 7 days), the MDM server's account as Apple last
-- described it, and the last sync's summary (JSON).
CREATE TABLE ade_state (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  cursor      TEXT,
  cursor_at   TEXT,
  account     TEXT,
  last_sync   TEXT
);
`,
  },
  {
    version: 19,
    name: 'change notifications: subscriptions per directory and the durable queue of notified users',
    sql: `
-- A subscription to a directory's change notifications: a Graph subscription, an Okta event hook or
-- a Google users.watch channel (one per event). remote_id is the IdP's id for it (Graph's
-- subscriptionId, Okta's hook id, the Google channel id we chose); resource_id is Google's
-- resourceId, needed to stop the channel. Only the SHA-256 of the shared secret (Graph clientState,
-- the Okta authorization header, the Google channel token) is kept: a notification's secret is
-- hashed and compared with it.
CREATE TABLE notification_subscriptions (
  id              TEXT PRIMARY KEY,
  directory_id    TEXT NOT NULL REFERENCES directories(id) ON DELETE CASCADE,
  kind            TEXT NOT NULL CHECK (kind IN ('entra', 'okta', 'google')),
  remote_id       TEXT NOT NULL,
  resource_id     TEXT,
  event           TEXT,
  secret_hash     TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  expires_at      TEXT,
  state           TEXT NOT NULL CHECK (state IN ('pending', 'active', 'lapsed')),
  last_error      TEXT,
  UNIQUE (kind, remote_id)
) WITHOUT ROWID;
CREATE INDEX notification_subscriptions_directory ON notification_subscriptions (directory_id);

-- Per directory: notifications wanted, and what was last heard (the Settings page shows it; a
-- silence that outlasts the expected traffic is a diagnostic).
CREATE TABLE notification_directories (
  directory_id    TEXT PRIMARY KEY REFERENCES directories(id) ON DELETE CASCADE,
  enabled         INTEGER NOT NULL DEFAULT 0,
  last_event_at   TEXT,
  last_test_at    TEXT,
  last_test_ok_at TEXT,
  last_error      TEXT
) WITHOUT ROWID;

-- Notified users waiting for their fetch. event_key de-duplicates (a Graph retry, an Okta LogEvent
-- uuid delivered twice, a Google message seen on two overlapping channels); user_key is the user's
-- IdP id, or '*' for "run an incremental sync" (a missed-notifications lifecycle event). Rows of
-- one user are taken together, in seq order; done rows stay a day to keep de-duplicating.
-- claimed_until: a process working on the row (another process may share the workspace); a claim
-- that outlives it lapses, so a process that died leaves its rows to the next one.
CREATE TABLE notification_queue (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  directory_id  TEXT NOT NULL REFERENCES directories(id) ON DELETE CASCADE,
  event_key     TEXT NOT NULL,
  user_key      TEXT NOT NULL,
  received_at   TEXT NOT NULL,
  attempts      INTEGER NOT NULL DEFAULT 0,
  not_before    TEXT NOT NULL,
  claimed_until TEXT,
  done_at       TEXT,
  last_error    TEXT,
  UNIQUE (directory_id, event_key)
);
CREATE INDEX notification_queue_open ON notification_queue (done_at, not_before, seq);
CREATE INDEX notification_queue_user ON notification_queue (directory_id, user_key, done_at);
`,
  },
  {
    version: 20,
    name: 'device actions: what a device reported back for an action (a location, a lock message result)',
    sql: `
-- DeviceLocation answers with where the device is; DeviceLock with whether its message showed.
-- Kept beside the command that asked (the command history shows it), one answer per command.
CREATE TABLE command_results (
  command_id  TEXT PRIMARY KEY REFERENCES commands(id) ON DELETE CASCADE,
  device_id   TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  type        TEXT NOT NULL,
  result      TEXT NOT NULL,
  at          TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX command_results_device ON command_results (device_id, type, at);
`,
  },
  {
    version: 21,
    name: 'diagnostics: a revision that moves only with what SYNC_ATTR_MISSING reads',
    // The rule side of SYNC_ATTR_MISSING (every unknown membership: 200,000 at 100,000 users with
    // one missing column) is rebuilt only when this moves, not on every write: a device checking
    // in, an acknowledgement or an audit row leaves it alone. Only rows whose non-plain
    // memberships (where unknown ones live) change count, so a sync that rewrites plain
    // memberships pays nothing here.
    sql: `
CREATE TABLE diagnostics_revision (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
INSERT INTO diagnostics_revision (id, n) VALUES (1, 0);
CREATE TRIGGER diagnostics_rm_ins AFTER INSERT ON rule_memberships WHEN NEW.other <> '[]'
  BEGIN UPDATE diagnostics_revision SET n = n + 1; END;
CREATE TRIGGER diagnostics_rm_upd AFTER UPDATE OF other ON rule_memberships WHEN NEW.other IS NOT OLD.other
  BEGIN UPDATE diagnostics_revision SET n = n + 1; END;
CREATE TRIGGER diagnostics_rm_del AFTER DELETE ON rule_memberships WHEN OLD.other <> '[]'
  BEGIN UPDATE diagnostics_revision SET n = n + 1; END;
CREATE TRIGGER diagnostics_users_upd AFTER UPDATE OF user_principal_name, directory_id ON users
  WHEN NEW.user_principal_name IS NOT OLD.user_principal_name OR NEW.directory_id IS NOT OLD.directory_id
  BEGIN UPDATE diagnostics_revision SET n = n + 1; END;
CREATE TRIGGER diagnostics_users_del AFTER DELETE ON users BEGIN UPDATE diagnostics_revision SET n = n + 1; END;
CREATE TRIGGER diagnostics_groups_ins AFTER INSERT ON groups BEGIN UPDATE diagnostics_revision SET n = n + 1; END;
CREATE TRIGGER diagnostics_groups_upd AFTER UPDATE ON groups BEGIN UPDATE diagnostics_revision SET n = n + 1; END;
CREATE TRIGGER diagnostics_groups_del AFTER DELETE ON groups BEGIN UPDATE diagnostics_revision SET n = n + 1; END;
CREATE TRIGGER diagnostics_directories_ins AFTER INSERT ON directories BEGIN UPDATE diagnostics_revision SET n = n + 1; END;
CREATE TRIGGER diagnostics_directories_upd AFTER UPDATE ON directories BEGIN UPDATE diagnostics_revision SET n = n + 1; END;
CREATE TRIGGER diagnostics_directories_del AFTER DELETE ON directories BEGIN UPDATE diagnostics_revision SET n = n + 1; END;
`,
  },
  {
    version: 22,
    name: 'android enterprise: how each device is managed (management mode, ownership), for its device actions',
    sql: `
-- What the device last reported of how it is managed (AMAPI Device.managementMode: DEVICE_OWNER,
-- PROFILE_OWNER; Device.ownership: COMPANY_OWNED, PERSONALLY_OWNED): REBOOT, Lost Mode and
-- RELINQUISH_OWNERSHIP each run on some of them only. NULL until the device reports.
ALTER TABLE android_devices ADD COLUMN management_mode TEXT;
ALTER TABLE android_devices ADD COLUMN ownership TEXT;
`,
  },
  {
    version: 23,
    name: 'pending withdrawals found by when the user left; devices a push can wake',
    // An import that moves 100,000 users leaves as many withdrawals, and every redeploy after it
    // asks which users' grace is over: "left before the N-th newest succeeded sync of the
    // directory" is a range of left_at, read from this index instead of every withdrawal.
    // The outbox pump asks for devices with commands due a push after every redeploy: walking the
    // devices a push can reach (and their commands) instead of every open command of the fleet
    // costs nothing when no device has a token and stops at the batch's last device when all do.
    sql: `
CREATE INDEX membership_withdrawals_left ON membership_withdrawals (left_at);
CREATE INDEX devices_pushable ON devices (id) WHERE push_token IS NOT NULL AND token_stale_at IS NULL;
`,
  },
]

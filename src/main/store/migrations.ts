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
]

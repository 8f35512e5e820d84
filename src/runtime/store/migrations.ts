import { BerthError } from '../../model/errors.js';
import { inWriteTransaction, type Db } from './database.js';
import { V12 } from './object-meta-migration.js';
import { V13 } from './termination-migration.js';
import { V14 } from './pod-ip-migration.js';

/**
 * Forward-only schema migrations. A migration is never edited once released: a change is a
 * new entry with the next version. `meta.schema_version` records the version applied.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

const V1 = `
CREATE TABLE inventory (
  app TEXT NOT NULL,
  key TEXT NOT NULL,
  kind TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  spec_hash TEXT NOT NULL,
  object TEXT NOT NULL,
  source_revision TEXT NOT NULL,
  applied_at INTEGER NOT NULL,
  PRIMARY KEY (app, key)
) STRICT;

CREATE TABLE source_status (
  app TEXT PRIMARY KEY,
  sync_state TEXT NOT NULL,
  sync_state_since INTEGER NOT NULL,
  last_fetched_revision TEXT,
  last_fetched_at INTEGER,
  last_applied_revision TEXT,
  last_applied_at INTEGER,
  last_failed_revision TEXT,
  last_failed_at INTEGER,
  last_error_message TEXT,
  last_error_problems TEXT,
  last_error_at INTEGER,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE rollouts (
  app TEXT NOT NULL,
  deployment TEXT NOT NULL,
  revision INTEGER NOT NULL,
  template_hash TEXT NOT NULL,
  template TEXT NOT NULL,
  source_revision TEXT NOT NULL,
  change_cause TEXT,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  outcome TEXT NOT NULL
    CHECK (outcome IN ('progressing', 'complete', 'failed', 'rolled-back', 'superseded')),
  message TEXT,
  revision_history TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (app, deployment, revision),
  UNIQUE (app, deployment, template_hash)
) STRICT;

CREATE TABLE rollout_pins (
  app TEXT NOT NULL,
  deployment TEXT NOT NULL,
  revision INTEGER NOT NULL,
  template_hash TEXT NOT NULL,
  source_revision_at_pin TEXT NOT NULL,
  pinned_at INTEGER NOT NULL,
  PRIMARY KEY (app, deployment)
) STRICT;

CREATE TABLE failed_templates (
  app TEXT NOT NULL,
  deployment TEXT NOT NULL,
  template_hash TEXT NOT NULL,
  source_revision TEXT NOT NULL,
  reason TEXT NOT NULL,
  failed_at INTEGER NOT NULL,
  PRIMARY KEY (app, deployment, template_hash)
) STRICT;

CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  app TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('Normal', 'Warning')),
  reason TEXT NOT NULL,
  object_key TEXT NOT NULL,
  message TEXT NOT NULL,
  source_revision TEXT,
  count INTEGER NOT NULL,
  first_timestamp INTEGER NOT NULL,
  last_timestamp INTEGER NOT NULL
) STRICT;
CREATE INDEX events_by_time ON events (app, last_timestamp, id);
CREATE INDEX events_by_object ON events (app, object_key, last_timestamp, id);

CREATE TABLE pod_status (
  app TEXT NOT NULL,
  pod_key TEXT NOT NULL,
  ready INTEGER NOT NULL,
  containers TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (app, pod_key)
) STRICT;

CREATE TABLE node_ports (
  port INTEGER PRIMARY KEY,
  app TEXT NOT NULL,
  service_key TEXT NOT NULL,
  port_name TEXT NOT NULL,
  allocated_at INTEGER NOT NULL,
  UNIQUE (app, service_key, port_name)
) STRICT;

CREATE TABLE cron_state (
  app TEXT NOT NULL,
  cronjob_key TEXT NOT NULL,
  last_schedule_time INTEGER,
  last_successful_time INTEGER,
  active TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (app, cronjob_key)
) STRICT;

CREATE TABLE jobs (
  app TEXT NOT NULL,
  job_key TEXT NOT NULL,
  owner_key TEXT,
  phase TEXT NOT NULL CHECK (phase IN ('Running', 'Complete', 'Failed')),
  start_time INTEGER NOT NULL,
  completion_time INTEGER,
  active INTEGER NOT NULL,
  succeeded INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  reason TEXT,
  message TEXT,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (app, job_key)
) STRICT;
CREATE INDEX jobs_by_owner ON jobs (app, owner_key, start_time);

CREATE TABLE leases (
  app TEXT PRIMARY KEY,
  holder_id TEXT NOT NULL,
  pid INTEGER NOT NULL,
  hostname TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('daemon', 'cli')),
  acquired_at INTEGER NOT NULL,
  renewed_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT;
`;

/**
 * v2 (rollouts): when a rollout last made progress, so progressDeadlineSeconds survives a
 * daemon restart; and operator overrides of a Deployment (`rollout restart`, `pause`) that
 * hold until the source changes the Deployment or the operator lifts them.
 */
const V2 = `
ALTER TABLE rollouts ADD COLUMN progress_at INTEGER;

CREATE TABLE deployment_overrides (
  app TEXT NOT NULL,
  deployment TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('restart', 'pause')),
  value TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (app, deployment, kind)
) STRICT;
`;

/**
 * v3 (daemon): the Job object a CronJob started, as it was created. A Job keeps the template
 * it was started with when the CronJob's jobTemplate changes later (as in Kubernetes), and a
 * daemon restart must not rebuild it from the newer template (that would re-run it).
 */
const V3 = `
ALTER TABLE jobs ADD COLUMN object TEXT;
`;

/**
 * v4 (host policy): the host policy each app was last applied with, so commands that converge
 * the app's stored inventory again (`rollout`, `scale`) hold it to the policy it was applied
 * under without the operator repeating the flags on every command.
 */
const V4 = `
CREATE TABLE applied_policies (
  app TEXT PRIMARY KEY,
  policy TEXT NOT NULL,
  recorded_at INTEGER NOT NULL
) STRICT;
`;

/**
 * v5 (rollouts): the progress signature (updated/updatedAvailable/old pods) a rollout was last
 * seen at. Progress is a change of it; kept in memory it was lost between passes, so progress
 * made while no pass ran never moved the deadline (issue 12, F6).
 */
const V5 = `
ALTER TABLE rollouts ADD COLUMN progress_signature TEXT;
`;

/**
 * v6 (cron): when berth first saw each CronJob. A CronJob runs no schedule from before it
 * existed, and resuming it (or a lapsed Forbid) runs the most recent firing missed since then;
 * kept in memory only, a daemon restart took the CronJob's last spec change instead and lost
 * that firing.
 */
const V6 = `
ALTER TABLE cron_state ADD COLUMN since INTEGER;
`;

/**
 * v7 (issue 12, one control plane): intents, what user commands ask of an app, acted on by the
 * pass that holds the app (runtime/control.ts); and `replicas`, the override `berth scale`
 * records instead of editing the inventory. SQLite cannot change a CHECK in place, so the
 * overrides table is rebuilt with its rows.
 */
const V7 = `
CREATE TABLE intents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  app TEXT NOT NULL,
  spec TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
  created_at INTEGER NOT NULL,
  completed_at INTEGER,
  result TEXT
) STRICT;
CREATE INDEX intents_pending ON intents (app, state, id);

CREATE TABLE deployment_overrides_v7 (
  app TEXT NOT NULL,
  deployment TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('restart', 'pause', 'replicas')),
  value TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (app, deployment, kind)
) STRICT;
INSERT INTO deployment_overrides_v7 SELECT app, deployment, kind, value, created_at FROM deployment_overrides;
DROP TABLE deployment_overrides;
ALTER TABLE deployment_overrides_v7 RENAME TO deployment_overrides;
`;

/**
 * v8 (issue 12 F3, apply and delete as intents): `taken`, a pass intent a lease holder is acting
 * on (its command waits for it, it can no longer be withdrawn); and `local_hold`, a change
 * `apply`/`delete` made under a daemon that follows a source, kept until the source moves.
 */
const V8 = `
CREATE TABLE intents_v8 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  app TEXT NOT NULL,
  spec TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'taken', 'done')),
  created_at INTEGER NOT NULL,
  completed_at INTEGER,
  result TEXT
) STRICT;
INSERT INTO intents_v8 SELECT id, app, spec, state, created_at, completed_at, result FROM intents;
DROP TABLE intents;
ALTER TABLE intents_v8 RENAME TO intents;
CREATE INDEX intents_pending ON intents (app, state, id);
ALTER TABLE source_status ADD COLUMN local_hold TEXT;
`;

/** v9 (issue 13 leftovers): when berth began deleting a pod, for STATUS `Terminating`. */
const V9 = `
ALTER TABLE pod_status ADD COLUMN terminating_since INTEGER;
`;

/**
 * v10 (issue 14, PersistentVolumes): which claim each PersistentVolume is bound to (or was:
 * Released), and the shape of the volumes berth provisioned (JSON), per app.
 */
const V10 = `
CREATE TABLE volume_bindings (
  app TEXT NOT NULL,
  volume TEXT NOT NULL,
  claim TEXT NOT NULL,
  phase TEXT NOT NULL CHECK (phase IN ('Bound', 'Released')),
  provisioned TEXT,
  bound_at INTEGER NOT NULL,
  PRIMARY KEY (app, volume)
) STRICT;
`;

/**
 * v11 (issue 16, ACME): the certificates berth's controller issued for each Certificate (key
 * and chain PEM, validity, failed attempts and back-off) and each issuer's ACME account key.
 * The store is 0600 and already holds Secrets (the inventory).
 */
const V11 = `
CREATE TABLE certificates (
  app TEXT NOT NULL,
  key TEXT NOT NULL,
  secret_name TEXT NOT NULL,
  dns_names TEXT NOT NULL,
  issuer_key TEXT NOT NULL,
  key_pem TEXT,
  chain_pem TEXT,
  not_before INTEGER,
  not_after INTEGER,
  renewal_time INTEGER,
  failures INTEGER NOT NULL DEFAULT 0,
  last_failure_at INTEGER,
  last_failure TEXT,
  next_attempt_at INTEGER,
  PRIMARY KEY (app, key)
) STRICT;

CREATE TABLE acme_accounts (
  app TEXT NOT NULL,
  issuer_key TEXT NOT NULL,
  server TEXT NOT NULL,
  email TEXT,
  key_pem TEXT NOT NULL,
  account_url TEXT,
  PRIMARY KEY (app, issuer_key, server)
) STRICT;
`;


export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: 'initial schema', sql: V1 },
  { version: 2, description: 'rollout progress time and deployment overrides', sql: V2 },
  { version: 3, description: 'job objects of CronJob-started Jobs', sql: V3 },
  { version: 4, description: 'host policy each app was last applied with', sql: V4 },
  { version: 5, description: 'rollout progress signature', sql: V5 },
  { version: 6, description: 'when each CronJob was first seen', sql: V6 },
  { version: 7, description: 'intents, and replica overrides', sql: V7 },
  { version: 8, description: 'taken intents, and local holds', sql: V8 },
  { version: 9, description: 'pods being deleted (Terminating)', sql: V9 },
  { version: 10, description: 'PersistentVolume bindings', sql: V10 },
  { version: 11, description: 'issued certificates and ACME accounts', sql: V11 },
  { version: 12, description: 'object creation time and generation', sql: V12 },
  { version: 13, description: 'terminating pods\' grace deadlines', sql: V13 },
  { version: 14, description: 'pod addresses berth assigned', sql: V14 },
];

export interface MigrationResult {
  from: number;
  to: number;
}

/**
 * Brings the schema to the newest version in `migrations`, all pending steps in one
 * transaction: a failed step leaves the file exactly as it was. A file written by a newer
 * berth is refused rather than misread. Two processes opening a fresh file at once are
 * serialised by BEGIN IMMEDIATE; the second sees the first's result and does nothing.
 */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): MigrationResult {
  const target = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const before = readSchemaVersion(db);
  refuseNewer(before, target);
  if (before === target) return { from: before, to: target };
  return inWriteTransaction(db, () => {
    db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT');
    const from = readSchemaVersion(db);
    refuseNewer(from, target);
    const pending = [...migrations].filter((m) => m.version > from).sort((a, b) => a.version - b.version);
    for (const m of pending) db.exec(m.sql);
    db.prepare(
      `INSERT INTO meta (key, value) VALUES ('schema_version', ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    ).run(String(target));
    return { from, to: target };
  });
}

/** 0 for a file with no meta table (new, or not yet migrated). */
export function readSchemaVersion(db: Db): number {
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
  if (hasMeta === undefined) return 0;
  const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
  if (row === undefined) return 0;
  const version = Number(row.value);
  if (!Number.isInteger(version) || version < 0) {
    throw new BerthError('STORE_ERROR', `state store has an unreadable schema version ${JSON.stringify(row.value)}`, {
      schemaVersion: row.value,
    });
  }
  return version;
}

function refuseNewer(found: number, supported: number): void {
  if (found > supported) {
    throw new BerthError(
      'STORE_ERROR',
      `state store schema version ${found} is newer than this berth supports (${supported}); upgrade berth or use another --state-dir`,
      { schemaVersion: found, supportedVersion: supported },
    );
  }
}

import type { Clock } from '../../model/clock.js';
import type { Problem } from '../../model/problem.js';
import { fromJson, inWriteTransaction, optional, toJson, type Db } from './database.js';
import type { LocalHold, SourceStatus, SourceStatusPatch, SyncState } from './types.js';
import { heldSyncState } from '../../plan/local-hold.js';

/**
 * Where each app's source stands: what was fetched, applied, refused, and why. The API's
 * `/api/v1/status` and `berth status` read it without talking to the daemon.
 */
export interface SourceStatusStore {
  getSourceStatus(app: string): SourceStatus | undefined;
  /** Applies `patch` to the app's status (created as `Unknown` on first use); returns the result. */
  updateSourceStatus(app: string, patch: SourceStatusPatch): SourceStatus;
}

interface Row {
  app: string;
  sync_state: SyncState;
  sync_state_since: number;
  last_fetched_revision: string | null;
  last_fetched_at: number | null;
  last_applied_revision: string | null;
  last_applied_at: number | null;
  last_failed_revision: string | null;
  last_failed_at: number | null;
  last_error_message: string | null;
  last_error_problems: string | null;
  last_error_at: number | null;
  updated_at: number;
  local_hold: string | null;
}

export function createSourceStatusStore(db: Db, clock: Clock): SourceStatusStore {
  const select = db.prepare('SELECT * FROM source_status WHERE app = ?');
  const replace = db.prepare(`
    INSERT OR REPLACE INTO source_status VALUES (
      @app, @sync_state, @sync_state_since, @last_fetched_revision, @last_fetched_at,
      @last_applied_revision, @last_applied_at, @last_failed_revision, @last_failed_at,
      @last_error_message, @last_error_problems, @last_error_at, @updated_at, @local_hold)`);

  const get = (app: string) => select.get(app) as Row | undefined;

  return {
    getSourceStatus: (app) => {
      const row = get(app);
      return row === undefined ? undefined : fromRow(row);
    },

    updateSourceStatus: (app, patch) =>
      inWriteTransaction(db, () => {
        const row = applyPatch(get(app) ?? emptyRow(app, clock.now()), patch, clock.now());
        replace.run(row);
        return fromRow(row);
      }),
  };
}

function emptyRow(app: string, now: number): Row {
  return {
    app,
    sync_state: 'Unknown',
    sync_state_since: now,
    last_fetched_revision: null,
    last_fetched_at: null,
    last_applied_revision: null,
    last_applied_at: null,
    last_failed_revision: null,
    last_failed_at: null,
    last_error_message: null,
    last_error_problems: null,
    last_error_at: null,
    updated_at: now,
    local_hold: null,
  };
}

function applyPatch(row: Row, patch: SourceStatusPatch, now: number): Row {
  const next: Row = { ...row, updated_at: now };
  if (patch.syncState !== undefined && patch.syncState !== row.sync_state) {
    next.sync_state = patch.syncState;
    next.sync_state_since = now;
  }
  const stamp = (revision: string | null) => (revision === null ? null : now);
  // The same revision again keeps its time: every pass (a resync, "Sync now", a daemon start)
  // applies the current revision, and "applied 3s ago" would then say when the last pass ran
  // (the API's lastPass says that) instead of when this revision arrived.
  const since = (revision: string | null, before: string | null, at: number | null) => (revision !== null && revision === before && at !== null ? at : stamp(revision));
  if (patch.lastFetchedRevision !== undefined) {
    next.last_fetched_revision = patch.lastFetchedRevision;
    next.last_fetched_at = stamp(patch.lastFetchedRevision);
  }
  if (patch.lastAppliedRevision !== undefined) {
    next.last_applied_revision = patch.lastAppliedRevision;
    next.last_applied_at = since(patch.lastAppliedRevision, row.last_applied_revision, row.last_applied_at);
  }
  if (patch.lastFailedRevision !== undefined) {
    next.last_failed_revision = patch.lastFailedRevision;
    next.last_failed_at = since(patch.lastFailedRevision, row.last_failed_revision, row.last_failed_at);
  }
  if (patch.lastError === null) {
    next.last_error_message = null;
    next.last_error_problems = null;
    next.last_error_at = null;
  } else if (patch.lastError !== undefined) {
    next.last_error_message = patch.lastError.message;
    next.last_error_problems = toJson(patch.lastError.problems ?? []);
    next.last_error_at = now;
  }
  if (patch.localHold !== undefined) next.local_hold = patch.localHold === null ? null : toJson(patch.localHold);
  // Synced means the host runs what the source says: never while a local change is held.
  const held = heldSyncState(next.sync_state, next.local_hold !== null);
  if (held !== next.sync_state) {
    next.sync_state = held;
    next.sync_state_since = held === row.sync_state ? row.sync_state_since : now;
  }
  return next;
}

function fromRow(r: Row): SourceStatus {
  const mark = (revision: string | null, at: number | null) =>
    revision === null || at === null ? undefined : { revision, at };
  const lastError =
    r.last_error_message === null
      ? undefined
      : {
          message: r.last_error_message,
          problems: fromJson<Problem[]>(r.last_error_problems ?? '[]'),
          at: r.last_error_at ?? r.updated_at,
        };
  return {
    app: r.app,
    syncState: r.sync_state,
    syncStateSince: r.sync_state_since,
    ...optional('lastFetched', mark(r.last_fetched_revision, r.last_fetched_at)),
    ...optional('lastApplied', mark(r.last_applied_revision, r.last_applied_at)),
    ...optional('lastFailed', mark(r.last_failed_revision, r.last_failed_at)),
    ...optional('lastError', lastError),
    ...optional('localHold', r.local_hold === null ? undefined : fromJson<LocalHold>(r.local_hold)),
    updatedAt: r.updated_at,
  };
}

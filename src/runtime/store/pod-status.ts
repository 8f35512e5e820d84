import type { Clock } from '../../model/clock.js';
import { fromJson, inWriteTransaction, toJson, type Db } from './database.js';
import type { ContainerStatusRecord, PodStatusInput, PodStatusRecord } from './types.js';

/**
 * Last known probe results per pod. Whoever runs probes writes them so `berth get pods`
 * shows READY and RESTARTS without a daemon to ask. Writers should write on change, not on
 * every probe: each write is an fsync (see docs/state.md).
 */
export interface PodStatusStore {
  setPodStatus(app: string, podKey: string, status: PodStatusInput): PodStatusRecord;
  getPodStatus(app: string, podKey: string): PodStatusRecord | undefined;
  /** Every pod of the app with a recorded status, sorted by key. */
  getPodStatuses(app: string): PodStatusRecord[];
  /** Drops the status of removed pods; returns how many existed. */
  deletePodStatus(app: string, podKeys: readonly string[]): number;
  /**
   * Marks the pod as being deleted since `since` (undefined clears the mark). A pod without a
   * record gets one that is no readiness opinion (updatedAt 0, as plan/readiness.ts reads it).
   */
  setPodTerminating(app: string, podKey: string, since: number | undefined, deadline?: number): void;
}

interface Row {
  pod_key: string;
  ready: number;
  containers: string;
  updated_at: number;
  terminating_since: number | null;
  terminating_deadline?: number | null;
}

export function createPodStatusStore(db: Db, clock: Clock): PodStatusStore {
  // An update keeps the terminating mark: the prober writes readiness while a pod stops.
  const upsert = db.prepare(`
    INSERT INTO pod_status (app, pod_key, ready, containers, updated_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (app, pod_key) DO UPDATE SET ready = excluded.ready, containers = excluded.containers, updated_at = excluded.updated_at`);
  const markTerminating = db.prepare(`
    INSERT INTO pod_status (app, pod_key, ready, containers, updated_at, terminating_since, terminating_deadline) VALUES (?, ?, 0, '{}', 0, ?, ?)
    ON CONFLICT (app, pod_key) DO UPDATE SET terminating_since = excluded.terminating_since, terminating_deadline = excluded.terminating_deadline`);
  const selectOne = db.prepare('SELECT * FROM pod_status WHERE app = ? AND pod_key = ?');
  const selectAll = db.prepare('SELECT * FROM pod_status WHERE app = ? ORDER BY pod_key');
  const deleteOne = db.prepare('DELETE FROM pod_status WHERE app = ? AND pod_key = ?');

  return {
    setPodStatus: (app, podKey, status) => {
      upsert.run(app, podKey, status.ready ? 1 : 0, toJson(status.containers), status.updatedAt ?? clock.now());
      return fromRow(selectOne.get(app, podKey) as Row);
    },
    getPodStatus: (app, podKey) => {
      const row = selectOne.get(app, podKey) as Row | undefined;
      return row === undefined ? undefined : fromRow(row);
    },
    getPodStatuses: (app) => (selectAll.all(app) as Row[]).map(fromRow),
    deletePodStatus: (app, podKeys) =>
      inWriteTransaction(db, () => podKeys.reduce((n, key) => n + deleteOne.run(app, key).changes, 0)),
    setPodTerminating: (app, podKey, since, deadline) => {
      markTerminating.run(app, podKey, since ?? null, since === undefined ? null : (deadline ?? null));
    },
  };
}

function fromRow(r: Row): PodStatusRecord {
  return {
    podKey: r.pod_key,
    ready: r.ready === 1,
    containers: fromJson<Record<string, ContainerStatusRecord>>(r.containers),
    updatedAt: r.updated_at,
    ...(r.terminating_since !== null && r.terminating_since !== undefined ? { terminatingSince: r.terminating_since } : {}),
    ...(r.terminating_deadline !== null && r.terminating_deadline !== undefined ? { terminatingDeadline: r.terminating_deadline } : {}),
  };
}

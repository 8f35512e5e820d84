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
}

interface Row {
  pod_key: string;
  ready: number;
  containers: string;
  updated_at: number;
}

export function createPodStatusStore(db: Db, clock: Clock): PodStatusStore {
  const upsert = db.prepare(`
    INSERT OR REPLACE INTO pod_status (app, pod_key, ready, containers, updated_at) VALUES (?, ?, ?, ?, ?)`);
  const selectOne = db.prepare('SELECT * FROM pod_status WHERE app = ? AND pod_key = ?');
  const selectAll = db.prepare('SELECT * FROM pod_status WHERE app = ? ORDER BY pod_key');
  const deleteOne = db.prepare('DELETE FROM pod_status WHERE app = ? AND pod_key = ?');

  return {
    setPodStatus: (app, podKey, status) => {
      const record: PodStatusRecord = {
        podKey,
        ready: status.ready,
        containers: status.containers,
        updatedAt: status.updatedAt ?? clock.now(),
      };
      upsert.run(app, podKey, record.ready ? 1 : 0, toJson(record.containers), record.updatedAt);
      return record;
    },
    getPodStatus: (app, podKey) => {
      const row = selectOne.get(app, podKey) as Row | undefined;
      return row === undefined ? undefined : fromRow(row);
    },
    getPodStatuses: (app) => (selectAll.all(app) as Row[]).map(fromRow),
    deletePodStatus: (app, podKeys) =>
      inWriteTransaction(db, () => podKeys.reduce((n, key) => n + deleteOne.run(app, key).changes, 0)),
  };
}

function fromRow(r: Row): PodStatusRecord {
  return {
    podKey: r.pod_key,
    ready: r.ready === 1,
    containers: fromJson<Record<string, ContainerStatusRecord>>(r.containers),
    updatedAt: r.updated_at,
  };
}

import type { Clock } from '../../model/clock.js';
import type { VolumeBindingRecord } from '../../model/storage.js';
import { inWriteTransaction, type Db } from './database.js';

/**
 * PersistentVolume bindings (plan/volume-binding.ts decides them): which claim each volume is
 * bound to, or was (Released), and what berth provisioned. Kubernetes keeps a binding in the
 * PV and PVC objects themselves; berth's objects are the manifests, which cannot hold it.
 */
export interface VolumeBindingStore {
  /** Inserts or replaces the record of `record.volume`. */
  recordVolumeBinding(app: string, record: VolumeBindingRecord): void;
  forgetVolumeBinding(app: string, volume: string): void;
  /** The app's records, by volume name. */
  listVolumeBindings(app: string): VolumeBindingRecord[];
}

interface Row {
  app: string;
  volume: string;
  claim: string;
  phase: string;
  provisioned: string | null;
  bound_at: number;
}

export function createVolumeBindingStore(db: Db, _clock: Clock): VolumeBindingStore {
  const upsert = db.prepare(
    `INSERT INTO volume_bindings (app, volume, claim, phase, provisioned, bound_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (app, volume) DO UPDATE SET claim = excluded.claim, phase = excluded.phase, provisioned = excluded.provisioned, bound_at = excluded.bound_at`,
  );
  const remove = db.prepare('DELETE FROM volume_bindings WHERE app = ? AND volume = ?');
  const select = db.prepare('SELECT * FROM volume_bindings WHERE app = ? ORDER BY volume');
  return {
    recordVolumeBinding: (app, r) =>
      inWriteTransaction(db, () => {
        upsert.run(app, r.volume, r.claim, r.phase, r.provisioned ? JSON.stringify(r.provisioned) : null, r.boundAt);
      }),
    forgetVolumeBinding: (app, volume) =>
      inWriteTransaction(db, () => {
        remove.run(app, volume);
      }),
    listVolumeBindings: (app) => (select.all(app) as Row[]).map(fromRow),
  };
}

function fromRow(r: Row): VolumeBindingRecord {
  return {
    volume: r.volume,
    claim: r.claim,
    phase: r.phase === 'Released' ? 'Released' : 'Bound',
    boundAt: r.bound_at,
    ...(r.provisioned ? { provisioned: JSON.parse(r.provisioned) as VolumeBindingRecord['provisioned'] } : {}),
  };
}

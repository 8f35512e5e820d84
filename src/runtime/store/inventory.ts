import type { Clock } from '../../model/clock.js';
import { BerthError } from '../../model/errors.js';
import { nextObjectMeta } from '../../model/object-meta.js';
import { fromJson, inWriteTransaction, toJson, type Db } from './database.js';
import type { InventoryEntry, InventoryInput } from './types.js';

/** What each app applied. Pruning deletes only what is here (SPEC §3), never by guessing. */
export interface InventoryStore {
  /**
   * Everything the app owns, sorted by key; with `kind`, only the objects of that kind. Callers
   * that look at one kind (Deployments, CronJobs) ask for it: every entry read is a JSON object
   * parsed, and reading 5,000 ConfigMaps to find no Deployment, on every status request and
   * every pass, was most of what a daemon allocated (issue 13 #7).
   */
  getInventory(app: string, kind?: string): InventoryEntry[];
  /**
   * Makes the app's inventory exactly `entries`, atomically: after a pass it is either the
   * whole new set or the old one. An entry whose specHash did not change keeps its
   * sourceRevision and appliedAt (they say when its current spec arrived).
   */
  replaceInventory(app: string, entries: readonly InventoryInput[], options: { sourceRevision: string }): void;
  /** Records one object as applied (partial passes: `berth apply` of one file, a heal). */
  upsertInventory(app: string, entry: InventoryInput, options: { sourceRevision: string }): InventoryEntry;
  /** Forgets objects after they were pruned or deleted; returns how many were known. */
  removeInventory(app: string, keys: readonly string[]): number;
}

/** The inventory key for an object; namespace '' for cluster-scoped kinds. */
export function inventoryKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

interface Row {
  key: string;
  kind: string;
  namespace: string;
  name: string;
  spec_hash: string;
  object: string;
  source_revision: string;
  applied_at: number;
  created_at: number;
  generation: number;
  generation_hash: string | null;
}

export function createInventoryStore(db: Db, clock: Clock): InventoryStore {
  const selectAll = db.prepare('SELECT * FROM inventory WHERE app = ? ORDER BY key');
  const selectKind = db.prepare('SELECT * FROM inventory WHERE app = ? AND kind = ? ORDER BY key');
  const selectOne = db.prepare('SELECT * FROM inventory WHERE app = ? AND key = ?');
  const deleteOne = db.prepare('DELETE FROM inventory WHERE app = ? AND key = ?');
  const upsert = db.prepare(`
    INSERT INTO inventory (app, key, kind, namespace, name, spec_hash, object, source_revision, applied_at, created_at, generation, generation_hash)
    VALUES (@app, @key, @kind, @namespace, @name, @specHash, @object, @sourceRevision, @appliedAt, @createdAt, @generation, @generationHash)
    ON CONFLICT (app, key) DO UPDATE SET
      kind = excluded.kind, namespace = excluded.namespace, name = excluded.name,
      spec_hash = excluded.spec_hash, object = excluded.object,
      source_revision = excluded.source_revision, applied_at = excluded.applied_at,
      created_at = excluded.created_at, generation = excluded.generation, generation_hash = excluded.generation_hash`);

  /** Keeps provenance of an unchanged spec; a changed or new one is stamped now. */
  const write = (app: string, entry: InventoryInput, sourceRevision: string, previous: Row | undefined): InventoryEntry => {
    const unchanged = previous !== undefined && previous.spec_hash === entry.specHash;
    const now = clock.now();
    // creationTimestamp and generation follow Kubernetes' rules (model/object-meta.ts), not appliedAt.
    const meta = nextObjectMeta(previous && { createdAt: createdAtOf(previous), generation: previous.generation, contentHash: previous.generation_hash ?? undefined }, entry.object, now);
    const record: InventoryEntry = {
      key: entry.key,
      kind: entry.kind,
      namespace: entry.namespace,
      name: entry.name,
      specHash: entry.specHash,
      object: entry.object,
      sourceRevision: unchanged ? previous.source_revision : sourceRevision,
      appliedAt: unchanged ? previous.applied_at : now,
      createdAt: meta.createdAt,
      generation: meta.generation,
    };
    const row = { app, ...record, object: toJson(record.object), generationHash: meta.contentHash ?? null };
    // A row that would be written as it is stays untouched: the daemon records its revision on every pass.
    if (!previous || !sameRow(previous, row)) upsert.run(row);
    return record;
  };

  return {
    getInventory: (app, kind) => ((kind === undefined ? selectAll.all(app) : selectKind.all(app, kind)) as Row[]).map(fromRow),

    replaceInventory: (app, entries, { sourceRevision }) =>
      inWriteTransaction(db, () => {
        refuseDuplicates(app, entries);
        const previous = new Map((selectAll.all(app) as Row[]).map((r) => [r.key, r]));
        // Only what changed is written (issue 18: every daemon pass records its revision; at 5,000
        // objects deleting and inserting every row took half a second per pass for nothing).
        const kept = new Set(entries.map((e) => e.key));
        for (const key of previous.keys()) if (!kept.has(key)) deleteOne.run(app, key);
        for (const entry of entries) write(app, entry, sourceRevision, previous.get(entry.key));
      }),

    upsertInventory: (app, entry, { sourceRevision }) =>
      inWriteTransaction(db, () => write(app, entry, sourceRevision, selectOne.get(app, entry.key) as Row | undefined)),

    removeInventory: (app, keys) =>
      inWriteTransaction(db, () => keys.reduce((n, key) => n + deleteOne.run(app, key).changes, 0)),
  };
}

/** Whether the upsert of `next` would leave the stored row exactly as it is. */
function sameRow(previous: Row, next: Omit<InventoryEntry, 'object'> & { object: string; generationHash: string | null }): boolean {
  return (
    previous.object === next.object &&
    previous.spec_hash === next.specHash &&
    previous.kind === next.kind &&
    previous.namespace === next.namespace &&
    previous.name === next.name &&
    previous.source_revision === next.sourceRevision &&
    previous.applied_at === next.appliedAt &&
    previous.created_at === next.createdAt &&
    previous.generation === next.generation &&
    previous.generation_hash === next.generationHash
  );
}

/** Two entries with one key mean the caller's set is wrong; merging them would hide that. */
function refuseDuplicates(app: string, entries: readonly InventoryInput[]): void {
  const seen = new Set<string>();
  for (const { key } of entries) {
    if (seen.has(key)) throw new BerthError('INTERNAL', `inventory for app ${app} lists ${key} twice`, { app, key });
    seen.add(key);
  }
}

function fromRow(r: Row): InventoryEntry {
  return {
    key: r.key,
    kind: r.kind,
    namespace: r.namespace,
    name: r.name,
    specHash: r.spec_hash,
    object: fromJson(r.object),
    sourceRevision: r.source_revision,
    appliedAt: r.applied_at,
    createdAt: createdAtOf(r),
    generation: r.generation,
  };
}

/** 0 only in a row a migration could not date: its appliedAt is the best witness left. */
function createdAtOf(r: Row): number {
  return r.created_at > 0 ? Math.min(r.created_at, r.applied_at) : r.applied_at;
}

/**
 * Schema v12: what Kubernetes keeps per object and berth did not, so AGE and
 * metadata.creationTimestamp stopped moving on every update and metadata.generation counts
 * spec changes (model/object-meta.ts). A ReplicaSet's creation time is its rollout record's
 * created_at, kept when `rollout undo` reuses the record (started_at is reset then).
 * Existing rows: created_at is the best witness berth has, the earliest of applied_at and the
 * Deployment's rollout starts; generation starts at 1 with an unknown content hash.
 */
export const V12 = `
ALTER TABLE inventory ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inventory ADD COLUMN generation INTEGER NOT NULL DEFAULT 1;
ALTER TABLE inventory ADD COLUMN generation_hash TEXT;
UPDATE inventory SET created_at = MIN(applied_at, COALESCE(
  (SELECT MIN(r.started_at) FROM rollouts r WHERE r.app = inventory.app AND r.deployment = inventory.key), applied_at));
ALTER TABLE rollouts ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
UPDATE rollouts SET created_at = started_at;
`;

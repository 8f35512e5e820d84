import { specHash } from './hash.js';

/**
 * Kubernetes' rules for an object's metadata across updates, as pure functions the store
 * applies on every write: creationTimestamp is set once, when the key is first created, and
 * never moves (a delete forgets it, so a re-create gets a new one); generation starts at 1
 * and goes up by one on each change of the object's desired content, not on a metadata-only
 * change (labels, annotations) nor on status.
 */
export interface ObjectMetaRecord {
  createdAt: number;
  generation: number;
  /** generationContentHash of the content that generation counted; undefined when unknown (rows older than schema v13). */
  contentHash: string | undefined;
}

/** Hash of what generation counts: everything but metadata and status (spec, data, rules, ...). */
export function generationContentHash(object: unknown): string {
  if (object === null || typeof object !== 'object') return specHash(object);
  const { metadata: _metadata, status: _status, ...content } = object as Record<string, unknown>;
  return specHash(content);
}

/** The metadata record after writing `object` at `now` over `previous` (undefined: the key is new). */
export function nextObjectMeta(previous: ObjectMetaRecord | undefined, object: unknown, now: number): ObjectMetaRecord {
  const contentHash = generationContentHash(object);
  if (!previous) return { createdAt: now, generation: 1, contentHash };
  // An unknown previous hash (a row migrated from before generations were kept) is not a
  // change: counting it would bump every object once on upgrade.
  const changed = previous.contentHash !== undefined && previous.contentHash !== contentHash;
  return { createdAt: previous.createdAt, generation: previous.generation + (changed ? 1 : 0), contentHash };
}

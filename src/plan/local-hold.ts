import type { LocalHold, SyncState } from '../model/state.js';

/** What the daemon's next pass converges, and what becomes of a local hold. */
export interface DaemonPassChoice {
  /** `source`: apply the source's latest revision; `inventory`: converge what was last applied. */
  from: 'source' | 'inventory';
  /** The source moved past the revision a local change was held against: the hold ends. */
  liftHold: boolean;
  /** A local change is kept: the inventory pass is on purpose, not for want of a revision. */
  held: boolean;
}

/**
 * The daemon's choice for each pass (issue 12 D1, generalised to `delete`): a change `apply -f`
 * or `delete` made under the daemon holds for as long as the source stays at the revision it
 * was made against, as a pin by `rollout undo` does; a new revision of the source wins again.
 * Without a revision (none fetched yet, or the latest refused as invalid) the daemon converges
 * its inventory, as it always has.
 */
export function chooseDaemonPass(input: { latest: string | undefined; refused: Pick<ReadonlySet<string>, 'has'>; hold: Pick<LocalHold, 'sourceRevision'> | undefined }): DaemonPassChoice {
  const { latest, refused, hold } = input;
  if (latest === undefined) return { from: 'inventory', liftHold: false, held: hold !== undefined };
  if (hold && hold.sourceRevision === latest) return { from: 'inventory', liftHold: false, held: true };
  return { from: refused.has(latest) ? 'inventory' : 'source', liftHold: hold !== undefined, held: false };
}

/** Synced means the host runs what the source says: never while a local change is held. */
export function heldSyncState(state: SyncState, held: boolean): SyncState {
  return held && state === 'Synced' ? 'OutOfSync' : state;
}

/** The one sentence status and the command print about a hold. */
export function holdMessage(hold: Pick<LocalHold, 'change' | 'what' | 'sourceRevision' | 'source'>): string {
  return `local ${hold.change} of ${hold.what} holds until the source changes (${hold.source} is at revision ${hold.sourceRevision.slice(0, 12)})`;
}

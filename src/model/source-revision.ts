import type { InventoryEntry, SourceStatus } from './state.js';

/** What an app with no applied revision and an empty inventory runs under: nothing was applied. */
export const NO_SOURCE_REVISION = 'none';

/**
 * The source revision an app's Deployments run under, which a pin by `rollout undo` is set
 * against and compared with: the revision a pass applies (`applying`), else the revision the
 * app last applied, else the one that introduced its inventory. Every pass, view, dry run, the
 * live diff and `rollout undo` ask here: when two of them disagreed (each had its own fallback,
 * issue 12 F7), a pin set by one was seen as lifted by another.
 */
export function sourceRevisionOf(sourceStatus: Pick<SourceStatus, 'lastApplied'> | undefined, inventory: readonly Pick<InventoryEntry, 'sourceRevision'>[], applying?: { id: string }): string {
  return applying?.id ?? sourceStatus?.lastApplied?.revision ?? inventory[0]?.sourceRevision ?? NO_SOURCE_REVISION;
}

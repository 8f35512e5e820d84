import type { Action } from './actions.js';
import type { StoreChange } from './store-changes.js';

/**
 * kubectl's `Terminating`: a pod whose deletion has begun (its deletionTimestamp is set) reads
 * so in STATUS until it is gone, however long its preStop hooks and grace period take. berth
 * deletes a pod within one action (apply/pod-delete.ts) while `get pods` may run in another
 * process, so the mark is in the store: written before the step that deletes the pod executes,
 * dropped with the pod's record when the deletion succeeded (plan/settle.ts), cleared when it
 * failed (the pod is back to what it shows; a later step marks it again if it still goes).
 */
export function terminatingMarks(actions: readonly Action[], now: number): StoreChange[] {
  return actions.filter((a) => a.type === 'delete-pod').map((a) => ({ type: 'set-pod-terminating', podKey: `${a.namespace}/${a.name}`, since: now }));
}

/** The marks of the deletions that failed, cleared. */
export function terminatingCleared(results: ReadonlyArray<{ action: Action; ok: boolean }>): StoreChange[] {
  return results.flatMap((r) => (r.action.type === 'delete-pod' && !r.ok ? [{ type: 'set-pod-terminating' as const, podKey: `${r.action.namespace}/${r.action.name}` }] : []));
}

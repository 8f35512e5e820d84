import type { Selector } from './selectors.js';
import { matches } from './selectors.js';
import type { StringMap } from './types.js';

/**
 * What `apply --prune` may delete, kubectl's way: the objects of the app the applied set does
 * not hold, limited to those matching `selector` (`-l`) and of `kinds` (`--prune-allowlist`).
 * Neither set (`--all`): every object of the app. Plain data: it travels in an apply intent.
 */
export interface PruneScope {
  selector?: Selector;
  /** Kind names (`ConfigMap`, `Deployment`). */
  kinds?: string[];
}

/** Whether an object of the app (its kind and labels) is one the scope lets a prune delete. */
export function inPruneScope(scope: PruneScope | undefined, kind: string, labels: StringMap | undefined): boolean {
  if (scope?.kinds && !scope.kinds.includes(kind)) return false;
  return scope?.selector ? matches(scope.selector, labels) : true;
}

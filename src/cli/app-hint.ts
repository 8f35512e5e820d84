import { kindInfo } from '../model/kinds.js';
import type { Kind } from '../model/types.js';
import type { Store } from '../runtime/store/index.js';

/**
 * Forgetting `--app` is the commonest empty answer: `get` found nothing for the chosen app, but
 * another app of the same state dir has objects in that namespace. Returns the words after
 * "No resources found in NS namespace" that say which app to pick, or undefined when no other
 * app has anything there. Counts what the store's inventory holds (the objects as applied): the
 * asked kinds when the other app has them, else all its objects in the namespace.
 */
export function otherAppHint(store: Pick<Store, 'listApps' | 'getInventory'>, app: string, kinds: readonly Kind[], namespace: string): string | undefined {
  for (const other of store.listApps()) {
    if (other === app) continue;
    const there = store.getInventory(other).filter((e) => e.namespace === namespace);
    if (there.length === 0) continue;
    const asked = there.filter((e) => kinds.includes(e.kind as Kind));
    const what = asked.length > 0 && kinds.length === 1 ? countText(asked.length, kinds[0]!) : countText(asked.length || there.length);
    return ` for app ${app}; app ${other} has ${what} there: use --app ${other} or BERTH_APP`;
  }
  return undefined;
}

function countText(n: number, kind?: Kind): string {
  const info = kind ? kindInfo(kind) : undefined;
  if (!info) return `${n} ${n === 1 ? 'object' : 'objects'}`;
  return `${n} ${n === 1 ? info.singular : info.plural}`;
}

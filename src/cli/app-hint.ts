import { KINDS } from '../model/kinds.js';
import type { Kind } from '../model/types.js';
import type { Store } from '../runtime/store/index.js';

/** How many kinds the hint names before "and N more". */
const SHOWN_KINDS = 4;

/**
 * Forgetting `--app` is the commonest empty answer: `get` found nothing for the chosen app, but
 * another app of the same state dir has objects in that namespace. Returns the words after
 * "No resources found in NS namespace" that say which app to pick, or undefined when no other
 * app has anything there. It reads only the store's inventory (cheap, no Docker call), so it
 * names what that app applied, by kind (`1 Deployment, 1 Service`), the asked kinds first:
 * not its running pods, which a count of manifests would misstate.
 */
export function otherAppHint(store: Pick<Store, 'listApps' | 'getInventory'>, app: string, kinds: readonly Kind[], namespace: string): string | undefined {
  for (const other of store.listApps()) {
    if (other === app) continue;
    const there = store.getInventory(other).filter((e) => e.namespace === namespace);
    if (there.length === 0) continue;
    return ` for app ${app}; app ${other} has objects there: ${countsByKind(there.map((e) => e.kind), kinds)}; use --app ${other} or BERTH_APP`;
  }
  return undefined;
}

function countsByKind(found: readonly string[], asked: readonly Kind[]): string {
  const order = (k: string) => (asked.includes(k as Kind) ? -1 : 0) * 1000 + KINDS.findIndex((i) => i.kind === k);
  const counts = new Map<string, number>();
  for (const k of found) counts.set(k, (counts.get(k) ?? 0) + 1);
  const parts = [...counts].sort((a, b) => order(a[0]) - order(b[0])).map(([k, n]) => `${n} ${n === 1 ? k : plural(k)}`);
  const rest = parts.length - SHOWN_KINDS;
  return rest > 0 ? `${parts.slice(0, SHOWN_KINDS).join(', ')} and ${rest} more ${rest === 1 ? 'kind' : 'kinds'}` : parts.join(', ');
}

/** `Deployments`, `Ingresses`, `PersistentVolumeClaims`: the kind's name, counted. */
function plural(kind: string): string {
  return /(s|ss)$/.test(kind) ? `${kind}es` : `${kind}s`;
}

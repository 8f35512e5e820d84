import { kindInfo } from '../model/kinds.js';
import { resourceKey } from '../model/types.js';
import type { Path } from './path.js';
import type { Entry } from './checks/revision.js';
import type { Rec } from './checks/values.js';
import { rec, str } from './checks/values.js';
import type { Reporter } from './report.js';

/**
 * An object of a kind berth runs that could not be identified (its apiVersion is missing or not
 * served, reported on `r`): it still names what it defines, so the revision-wide checks know it
 * exists (a Pod using a ConfigMap whose apiVersion is wrong is not also told the ConfigMap is
 * not defined), and duplicates of it are found. It has an error, so it never becomes a resource.
 * Undefined when the kind is not one berth runs.
 */
export function definedEntry(r: Reporter, object: Rec): (Entry & { strip: Path[] }) | undefined {
  const info = typeof object.kind === 'string' ? kindInfo(object.kind) : undefined;
  if (!info || r.errors === 0) return undefined;
  const meta = rec(object.metadata);
  const name = str(meta?.name);
  const namespace = info.namespaced ? str(meta?.namespace) || 'default' : '';
  const key = name ? resourceKey(info.kind, info.namespaced ? namespace : undefined, name) : undefined;
  return { r, info, object, name, namespace, key, facts: { refs: [], pods: [] }, start: r.start(), strip: [] };
}

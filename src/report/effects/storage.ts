import { parseKey } from '../resource-diff.js';
import type { ResourceChange, ResourceDiff } from '../resource-diff.js';
import type { Effect } from './types.js';
import { describe, effect, plural, touches } from './wording.js';

// Volumes and namespaces: the changes that delete data.

export function volumeEffects(change: ResourceChange): Effect[] {
  const ref = describe('PersistentVolumeClaim', change.name);
  if (change.action === 'create') return [effect('volume.create', `${ref} created`)];
  if (change.action === 'delete') return [effect('volume.delete', `${ref} deleted with all its data`, true)];
  if (!touches(change.fields, 'spec')) return [];
  return [effect('volume.update', `${ref}: claim changed; the existing Docker volume and its data are kept as they are`)];
}

export function namespaceEffects(change: ResourceChange, counts: Map<string, number>): Effect[] {
  const ref = describe('Namespace', change.name);
  if (change.action === 'create') return [effect('namespace.create', `${ref} created (a Docker network)`)];
  if (change.action !== 'delete') return [];
  const n = counts.get(change.name) ?? 0;
  return [effect('namespace.delete', `${ref} deleted with everything in it (${plural(n, 'resource')})`, true)];
}

export function countByNamespace(diff: ResourceDiff): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (key: string) => {
    const ns = parseKey(key).namespace;
    if (ns !== '') counts.set(ns, (counts.get(ns) ?? 0) + 1);
  };
  for (const c of diff.changes) if (c.before) add(c.key);
  for (const r of diff.unchanged) add(r.key);
  return counts;
}

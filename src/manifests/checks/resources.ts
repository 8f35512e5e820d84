import { parseQuantity } from '../../model/quantity.js';
import type { Path } from '../path.js';
import type { Reporter } from '../report.js';
import { isRecord } from './values.js';
import { clip, quote } from '../../model/excerpt.js';

const IMPLEMENTED = new Set(['cpu', 'memory']);
const UNIT_FIXES: Record<string, string[]> = {
  k: ['k', 'Ki'],
  kb: ['k', 'Ki'],
  kib: ['Ki'],
  ki: ['Ki'],
  m: ['M', 'Mi'],
  mb: ['M', 'Mi'],
  mib: ['Mi'],
  mi: ['Mi'],
  g: ['G', 'Gi'],
  gb: ['G', 'Gi'],
  gib: ['Gi'],
  gi: ['Gi'],
  t: ['T', 'Ti'],
  tb: ['T', 'Ti'],
  tib: ['Ti'],
  ti: ['Ti'],
};

/**
 * A quantity's syntax, with the fix spelled out for the usual slips (`12 GB`, `512mb`, `1gi`).
 * Returns the parsed value, or undefined after reporting.
 */
export function checkQuantity(value: unknown, path: Path, r: Reporter): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const n = parseQuantity(value);
  if (n === undefined) {
    r.report('invalid-quantity', path, `${quote(value)} is not a valid quantity${quantityHint(String(value))}`);
    return undefined;
  }
  if (n < 0) {
    r.report('invalid-quantity', path, `${quote(value)} must not be negative`);
    return undefined;
  }
  return n;
}

function quantityHint(text: string): string {
  const m = /^\s*([0-9]*\.?[0-9]+)\s*([A-Za-z]+)\s*$/.exec(text);
  const fixes = m ? UNIT_FIXES[m[2]!.toLowerCase()] : undefined;
  if (m && fixes) {
    const options = fixes.map((u) => quote(`${m[1]}${u}`));
    return `; did you mean ${options.join(' or ')}?${fixes.length > 1 ? ' (decimal or binary units)' : ''}`;
  }
  return '; use a number with an optional suffix, e.g. 500m, 2, 128Mi, 1Gi, 1G';
}

/**
 * Container resources: names Kubernetes knows, quantities, and requests ≤ limits. berth maps
 * cpu and memory onto Docker; other valid resources are accepted with a warning.
 */
export function checkContainerResources(resources: unknown, path: Path, r: Reporter): void {
  if (!isRecord(resources)) return;
  const parsed: Record<'limits' | 'requests', Map<string, number>> = { limits: new Map(), requests: new Map() };
  for (const section of ['limits', 'requests'] as const) {
    const list = resources[section];
    if (!isRecord(list)) continue;
    for (const [name, value] of Object.entries(list)) {
      const at = [...path, section, name];
      if (!checkResourceName(name, at, r)) continue;
      const n = checkQuantity(value, at, r);
      if (n !== undefined) parsed[section].set(name, n);
    }
  }
  for (const [name, request] of parsed.requests) {
    const limit = parsed.limits.get(name);
    if (limit !== undefined && request > limit) {
      const shown = (section: 'limits' | 'requests') => quote((resources[section] as Record<string, unknown>)[name]);
      r.report('request-exceeds-limit', [...path, 'requests', name], `${clip(name)} request ${shown('requests')} is more than its limit ${shown('limits')}`);
    }
  }
}

function checkResourceName(name: string, path: Path, r: Reporter): boolean {
  if (IMPLEMENTED.has(name)) return true;
  if (name === 'ephemeral-storage' || name.startsWith('hugepages-') || (name.includes('/') && !name.startsWith('kubernetes.io/'))) {
    r.report('unimplemented-resource', path, `berth does not enforce resource ${quote(name)} on Docker; it is ignored`, { at: 'key' });
    return true;
  }
  r.report('invalid-resource-name', path, `${quote(name)} is not a container resource; use cpu or memory`, { at: 'key' });
  return false;
}

/** PersistentVolumeClaim resources: only `storage`. */
export function checkClaimResources(resources: unknown, path: Path, r: Reporter): void {
  if (!isRecord(resources)) return;
  for (const section of ['limits', 'requests'] as const) {
    const list = resources[section];
    if (!isRecord(list)) continue;
    for (const [name, value] of Object.entries(list)) {
      const at = [...path, section, name];
      if (name !== 'storage') r.report('invalid-resource-name', at, `${quote(name)} is not a claim resource; use storage`, { at: 'key' });
      else checkQuantity(value, at, r);
    }
  }
}

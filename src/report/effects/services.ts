import type { Service } from '../../model/types.js';
import type { ResourceChange } from '../resource-diff.js';
import type { Effect } from './types.js';
import { describe, effect, touches } from './wording.js';

// Services: type and selector changes, and the host ports they publish.

export function serviceEffects(change: ResourceChange): Effect[] {
  const b = change.before?.object as Service | undefined;
  const a = change.after?.object as Service | undefined;
  const ref = describe('Service', change.name);
  const out: Effect[] = [];
  if (a && !b) out.push(effect('service.create', `${ref} created (${serviceShape(a)})`));
  if (b && !a) out.push(effect('service.delete', `${ref} deleted: ${change.name}.${change.namespace} stops resolving`));
  if (a && b) {
    if (serviceShape(a) !== serviceShape(b)) out.push(effect('service.type', `${ref}: type ${serviceShape(b)} → ${serviceShape(a)}`));
    if (touches(change.fields, 'spec.selector'))
      out.push(effect('service.selector', `${ref}: endpoints re-selected (${selectorText(b)} → ${selectorText(a)})`));
  }
  const was = hostPorts(b);
  const now = hostPorts(a);
  for (const p of now) if (!was.includes(p)) out.push(effect('service.publish', `${ref}: ${p} published on the host`));
  for (const p of was) if (!now.includes(p)) out.push(effect('service.unpublish', `${ref}: ${p} no longer published on the host`));
  return out;
}

function serviceShape(s: Service): string {
  if (s.spec.type === 'ClusterIP' && s.spec.clusterIP === 'None') return 'headless';
  if (s.spec.type === 'ExternalName') return `ExternalName ${s.spec.externalName ?? ''}`.trim();
  return s.spec.type;
}

function selectorText(s: Service): string {
  const entries = Object.entries(s.spec.selector ?? {}).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return entries.length === 0 ? 'no selector' : entries.map(([k, v]) => `${k}=${v}`).join(',');
}

/**
 * Host ports a Service publishes, as phrases: a NodePort service its nodePorts (allocated
 * from 30000-32767 when not pinned); a LoadBalancer service its ports, and nodePorts pinned.
 */
function hostPorts(s: Service | undefined): string[] {
  if (!s || (s.spec.type !== 'NodePort' && s.spec.type !== 'LoadBalancer')) return [];
  const out: string[] = [];
  for (const p of s.spec.ports ?? []) {
    const proto = p.protocol === 'TCP' ? '' : `/${p.protocol}`;
    if (s.spec.type === 'LoadBalancer') out.push(`port ${p.port}${proto}`);
    if (p.nodePort !== undefined) out.push(`nodePort ${p.nodePort}${proto}`);
    else if (s.spec.type === 'NodePort') out.push(`an allocated nodePort for port ${p.port}${proto}`);
  }
  return out;
}

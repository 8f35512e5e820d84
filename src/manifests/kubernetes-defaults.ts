import type { Path } from './path.js';

/**
 * Fields berth does not implement, at the value the API server defaults them to: `kubectl get
 * -o yaml` writes them into every export. Written so, a field asks for nothing the default does
 * not, the same as leaving it out (which draws no warning), so it draws none either. Keyed by
 * the field's name: each of these names is one field, wherever in a pod or Service it sits.
 */
const DEFAULTS: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ['terminationMessagePath', '/dev/termination-log'],
  ['terminationMessagePolicy', 'File'],
  ['schedulerName', 'default-scheduler'],
  ['enableServiceLinks', true],
  ['priority', 0],
  ['preemptionPolicy', 'PreemptLowerPriority'],
  ['internalTrafficPolicy', 'Cluster'],
  ['ipFamilyPolicy', 'SingleStack'],
  ['ipFamilies', ['IPv4']],
]);

/** The Kubernetes default of the unimplemented field `name`, at which it draws no warning (for `berth explain`). */
export function kubernetesDefaultOf(name: string): unknown {
  return DEFAULTS.get(name);
}

/** Whether the unimplemented field at `path` (of an object whose parent is `parent`) holds its Kubernetes default. */
export function isKubernetesDefault(path: Path, value: unknown, parent: unknown): boolean {
  const name = String(path[path.length - 1]);
  // A Service's clusterIPs as the API server fills it in: its one clusterIP.
  if (name === 'clusterIPs') {
    const clusterIP = typeof parent === 'object' && parent !== null ? (parent as Record<string, unknown>).clusterIP : undefined;
    return Array.isArray(value) && value.length === 1 && value[0] === clusterIP;
  }
  return DEFAULTS.has(name) && JSON.stringify(DEFAULTS.get(name)) === JSON.stringify(value);
}

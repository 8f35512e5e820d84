import type { AnyObject, PodSpec, Resource } from '../../model/types.js';
import { resourceKey } from '../../model/types.js';
import { referencedConfigs } from '../../model/pod-spec.js';
import { compareKeys, parseKey } from '../resource-diff.js';
import type { ResourceChange } from '../resource-diff.js';
import { isUnder } from './wording.js';

// Config → restarts: which ConfigMaps and Secrets changed, and which workloads use them.

/**
 * Kinds whose pods berth replaces when a referenced ConfigMap or Secret changes (their
 * template hash includes that content, see pod-plan.ts): a Job runs again. CronJobs are not
 * here: each run reads the config of its time, running jobs are left alone.
 */
const RESTARTED_BY_CONFIG: ReadonlySet<string> = new Set(['Deployment', 'ReplicaSet', 'ReplicationController', 'Pod', 'Job', 'DaemonSet', 'StatefulSet']);

export interface ConfigCause {
  key: string;
  kind: 'ConfigMap' | 'Secret';
  name: string;
  verb: 'changed' | 'was created' | 'was deleted';
}

/** ConfigMaps and Secrets whose content (not metadata) differs, by key. */
export function changedConfigContent(changes: readonly ResourceChange[]): Map<string, ConfigCause> {
  const out = new Map<string, ConfigCause>();
  for (const c of changes) {
    if (c.kind !== 'ConfigMap' && c.kind !== 'Secret') continue;
    const content = c.fields.some((f) => ['data', 'binaryData', 'stringData'].some((p) => isUnder(f.path, p)));
    if (c.action === 'update' && !content) continue;
    const verb = c.action === 'update' ? 'changed' : c.action === 'create' ? 'was created' : 'was deleted';
    out.set(c.key, { key: c.key, kind: c.kind, name: c.name, verb });
  }
  return out;
}

export function configCauses(r: Resource, changed: Map<string, ConfigCause>): ConfigCause[] {
  if (changed.size === 0 || !RESTARTED_BY_CONFIG.has(r.object.kind)) return [];
  const spec = podSpecOf(r.object);
  if (!spec) return [];
  const ns = parseKey(r.key).namespace;
  const causes: ConfigCause[] = [];
  for (const key of [...configRefs(spec, ns)].sort(compareKeys)) {
    const cause = changed.get(key);
    if (cause) causes.push(cause);
  }
  return causes;
}

/**
 * Keys of the ConfigMaps and Secrets a pod uses (volumes, envFrom, valueFrom): the same
 * references the planner hashes into the pod template (pod-plan.ts), so the effects shown
 * match what apply does.
 */
function configRefs(spec: PodSpec, namespace: string): Set<string> {
  const { configMaps, secrets } = referencedConfigs(namespace, spec);
  const key = (kind: string, nsName: string) => resourceKey(kind, namespace, nsName.slice(nsName.indexOf('/') + 1));
  return new Set([...configMaps.map((n) => key('ConfigMap', n)), ...secrets.map((n) => key('Secret', n))]);
}

function podSpecOf(o: AnyObject): PodSpec | undefined {
  switch (o.kind) {
    case 'Pod':
      return o.spec;
    case 'Deployment':
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Job':
    case 'DaemonSet':
    case 'StatefulSet':
      return o.spec.template?.spec;
    case 'CronJob':
      return o.spec.jobTemplate?.spec?.template?.spec;
    default:
      return undefined;
  }
}

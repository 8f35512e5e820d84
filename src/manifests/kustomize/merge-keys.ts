/**
 * How a strategic merge patch treats each list, as Kubernetes declares it on its API types
 * (`patchStrategy`/`patchMergeKey` struct tags, published as `x-kubernetes-patch-strategy` /
 * `x-kubernetes-patch-merge-key` in the OpenAPI schema kustomize embeds).
 *
 * The strategy belongs to a field of a TYPE, not to a field name: `ports` of a Container merges
 * by containerPort, `ports` of a ServiceSpec by port, `conditions` of a status by type, `args` of
 * a Container is replaced. So the table describes types, and a walk from the object's kind
 * follows field names into nested types (Deployment → spec → template → spec → containers[] →
 * ports). A list the table does not describe is replaced, as kustomize replaces the lists of a
 * kind it has no schema for (custom resources): guessing a key there would merge what the
 * author meant to replace.
 */

/** What a merge does with one list field. */
export type ListRule =
  /** Items are maps matched by `keys` (the patchMergeKey first, then further list-map keys). */
  | { kind: 'keyed'; keys: readonly string[]; of?: string }
  /** A list of scalars merged as a set (patchStrategy merge without a key: finalizers). */
  | { kind: 'set' }
  /** Replaced whole by the patch's list (no patchStrategy: args, command, tolerations, envFrom, rules). */
  | { kind: 'replace'; of?: string };

interface FieldRule {
  /** The type of the field's value (for a list: of its items). */
  type?: string;
  list?: ListRule;
}

type TypeTable = Readonly<Record<string, Readonly<Record<string, FieldRule>>>>;

const byKey = (key: string, of?: string): FieldRule => ({ list: of ? { kind: 'keyed', keys: [key], of } : { kind: 'keyed', keys: [key] } });
const withType = (type: string): FieldRule => ({ type });

/**
 * Container and Service ports are list-map keyed by (port, protocol) in Kubernetes. kustomize
 * (kyaml) matches such composite keys loosely: a key one side leaves out matches any value, so a
 * patch naming only `containerPort: 53` finds the port 53 whatever its protocol, while 53/UDP
 * and 53/TCP written out on both sides stay separate items.
 */
const PORT_KEYS = (port: string): FieldRule => ({ list: { kind: 'keyed', keys: [port, 'protocol'] } });

const TYPES: TypeTable = {
  ObjectMeta: {
    finalizers: { list: { kind: 'set' } },
    ownerReferences: byKey('uid'),
  },
  PodTemplateSpec: { metadata: withType('ObjectMeta'), spec: withType('PodSpec') },
  PodSpec: {
    containers: byKey('name', 'Container'),
    initContainers: byKey('name', 'Container'),
    ephemeralContainers: byKey('name', 'Container'),
    volumes: byKey('name'),
    imagePullSecrets: byKey('name'),
    hostAliases: byKey('ip'),
    topologySpreadConstraints: byKey('topologyKey'),
    resourceClaims: byKey('name'),
    schedulingGates: byKey('name'),
  },
  Container: {
    ports: PORT_KEYS('containerPort'),
    env: byKey('name'),
    volumeMounts: byKey('mountPath'),
    volumeDevices: byKey('devicePath'),
  },
  /** Deployment, ReplicaSet, ReplicationController, DaemonSet, StatefulSet, Job. */
  TemplateSpec: { template: withType('PodTemplateSpec') },
  JobTemplateSpec: { metadata: withType('ObjectMeta'), spec: withType('TemplateSpec') },
  CronJobSpec: { jobTemplate: withType('JobTemplateSpec') },
  ServiceSpec: {
    ports: PORT_KEYS('port'),
  },
  /** The status of every built-in kind that has conditions. */
  Status: { conditions: byKey('type') },
  PodStatus: { conditions: byKey('type'), podIPs: byKey('ip'), hostIPs: byKey('ip') },
  Object: { metadata: withType('ObjectMeta'), status: withType('Status') },
  Pod: { metadata: withType('ObjectMeta'), spec: withType('PodSpec'), status: withType('PodStatus') },
  Workload: { metadata: withType('ObjectMeta'), spec: withType('TemplateSpec'), status: withType('Status') },
  CronJob: { metadata: withType('ObjectMeta'), spec: withType('CronJobSpec'), status: withType('Status') },
  PodTemplate: { metadata: withType('ObjectMeta'), template: withType('PodTemplateSpec') },
  Service: { metadata: withType('ObjectMeta'), spec: withType('ServiceSpec'), status: withType('Status') },
  ServiceAccount: { metadata: withType('ObjectMeta'), secrets: byKey('name'), imagePullSecrets: byKey('name') },
};

const ROOTS: Readonly<Record<string, string>> = {
  Pod: 'Pod',
  Deployment: 'Workload',
  ReplicaSet: 'Workload',
  ReplicationController: 'Workload',
  DaemonSet: 'Workload',
  StatefulSet: 'Workload',
  Job: 'Workload',
  CronJob: 'CronJob',
  PodTemplate: 'PodTemplate',
  Service: 'Service',
  ServiceAccount: 'ServiceAccount',
};

/** The type of an object's root: its kind's, or the metadata-only type every object shares. */
export function rootType(kind: unknown): string {
  return (typeof kind === 'string' && ROOTS[kind]) || 'Object';
}

/** The type of a map field of a map of type `type`, undefined where the table does not follow. */
export function fieldType(type: string | undefined, field: string): string | undefined {
  return type === undefined ? undefined : TYPES[type]?.[field]?.type;
}

/** How a list field of a map of type `type` merges; unknown lists are replaced. */
export function listRule(type: string | undefined, field: string): ListRule {
  return (type !== undefined && TYPES[type]?.[field]?.list) || { kind: 'replace' };
}

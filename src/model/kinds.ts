import type { Kind } from './types.js';

/** What berth knows about each supported kind; the CLI, validator and planner all read this table. */
export interface KindInfo {
  kind: Kind;
  apiVersion: string;
  /** Legacy apiVersions accepted with a deprecation warning and converted. */
  legacyApiVersions: readonly string[];
  namespaced: boolean;
  plural: string;
  singular: string;
  shortNames: readonly string[];
  /** Schema file name under schemas/. */
  schema: string;
}

export const KINDS: readonly KindInfo[] = [
  k('Namespace', 'v1', [], false, 'namespaces', ['ns']),
  k('ConfigMap', 'v1', [], true, 'configmaps', ['cm']),
  k('Secret', 'v1', [], true, 'secrets', []),
  k('PersistentVolumeClaim', 'v1', [], true, 'persistentvolumeclaims', ['pvc']),
  k('Service', 'v1', [], true, 'services', ['svc']),
  k('Pod', 'v1', [], true, 'pods', ['po']),
  k('ReplicationController', 'v1', [], true, 'replicationcontrollers', ['rc']),
  k('ReplicaSet', 'apps/v1', ['extensions/v1beta1', 'apps/v1beta2'], true, 'replicasets', ['rs']),
  k('Deployment', 'apps/v1', ['extensions/v1beta1', 'apps/v1beta1', 'apps/v1beta2'], true, 'deployments', ['deploy']),
  k('Job', 'batch/v1', [], true, 'jobs', []),
  k('CronJob', 'batch/v1', ['batch/v1beta1', 'batch/v2alpha1'], true, 'cronjobs', ['cj']),
  k('ServiceAccount', 'v1', [], true, 'serviceaccounts', ['sa']),
  k('Role', 'rbac.authorization.k8s.io/v1', [], true, 'roles', []),
  k('ClusterRole', 'rbac.authorization.k8s.io/v1', [], false, 'clusterroles', []),
  k('RoleBinding', 'rbac.authorization.k8s.io/v1', [], true, 'rolebindings', []),
  k('ClusterRoleBinding', 'rbac.authorization.k8s.io/v1', [], false, 'clusterrolebindings', []),
  k('PodDisruptionBudget', 'policy/v1', ['policy/v1beta1'], true, 'poddisruptionbudgets', ['pdb']),
  k('DaemonSet', 'apps/v1', ['extensions/v1beta1', 'apps/v1beta2'], true, 'daemonsets', ['ds']),
  k('StatefulSet', 'apps/v1', ['apps/v1beta1', 'apps/v1beta2'], true, 'statefulsets', ['sts']),
  k('StorageClass', 'storage.k8s.io/v1', ['storage.k8s.io/v1beta1'], false, 'storageclasses', ['sc']),
  k('PersistentVolume', 'v1', [], false, 'persistentvolumes', ['pv']),
  k('Ingress', 'networking.k8s.io/v1', ['extensions/v1beta1', 'networking.k8s.io/v1beta1'], true, 'ingresses', ['ing']),
  k('IngressClass', 'networking.k8s.io/v1', ['networking.k8s.io/v1beta1'], false, 'ingressclasses', []),
  k('GatewayClass', 'gateway.networking.k8s.io/v1', ['gateway.networking.k8s.io/v1beta1'], false, 'gatewayclasses', ['gc']),
  k('Gateway', 'gateway.networking.k8s.io/v1', ['gateway.networking.k8s.io/v1beta1'], true, 'gateways', ['gtw']),
  k('HTTPRoute', 'gateway.networking.k8s.io/v1', ['gateway.networking.k8s.io/v1beta1'], true, 'httproutes', []),
  k('Issuer', 'cert-manager.io/v1', [], true, 'issuers', []),
  k('ClusterIssuer', 'cert-manager.io/v1', [], false, 'clusterissuers', []),
  k('Certificate', 'cert-manager.io/v1', [], true, 'certificates', ['cert', 'certs']),
];

function k(
  kind: Kind,
  apiVersion: string,
  legacyApiVersions: string[],
  namespaced: boolean,
  plural: string,
  shortNames: string[],
): KindInfo {
  const singular = kind.toLowerCase();
  return { kind, apiVersion, legacyApiVersions, namespaced, plural, singular, shortNames, schema: `${singular}.json` };
}

const byKind = new Map<string, KindInfo>(KINDS.map((i) => [i.kind, i]));

export function kindInfo(kind: string): KindInfo | undefined {
  return byKind.get(kind);
}

/** Kinds with numbered revisions and `rollout status|history|undo|restart` (plan/rollouts/). */
export const ROLLOUT_KINDS: ReadonlySet<string> = new Set(['Deployment', 'DaemonSet', 'StatefulSet']);

/** The kinds with `spec.replicas` berth scales (kubectl's scale subresource): `berth scale` and the web UI's scale action. */
export const SCALABLE_KINDS: readonly Kind[] = ['Deployment', 'ReplicaSet', 'ReplicationController', 'StatefulSet'];

export const SUPPORTED_KIND_NAMES: readonly string[] = KINDS.map((i) => i.kind);

/**
 * Resolve what a user types on the CLI (`po`, `pods`, `Pod`, `deploy`, `deployments.apps`)
 * to a kind, the way kubectl does.
 */
export function resolveKindAlias(input: string): KindInfo | undefined {
  const name = input.toLowerCase().replace(/\.(apps|batch|extensions|rbac\.authorization\.k8s\.io|policy|storage\.k8s\.io|networking\.k8s\.io|gateway\.networking\.k8s\.io|cert-manager\.io)$/, '');
  return KINDS.find(
    (i) => i.singular === name || i.plural === name || i.shortNames.includes(name) || i.kind.toLowerCase() === name,
  );
}

/**
 * Kubernetes kinds users commonly put in a repo that berth does not run. Named so the error
 * says "not supported by berth" rather than "unknown kind" (which suggests a typo).
 */
export const KNOWN_UNSUPPORTED_KINDS: ReadonlySet<string> = new Set([
  'NetworkPolicy',
  'HorizontalPodAutoscaler',
  'LimitRange',
  'ResourceQuota',
  'CustomResourceDefinition',
  'Endpoints',
  'EndpointSlice',
  'PriorityClass',
  'PodTemplate',
  'ControllerRevision',
  'Lease',
  'Node',
  'Event',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'APIService',
  'CSIDriver',
  'VolumeAttachment',
  'RuntimeClass',
]);

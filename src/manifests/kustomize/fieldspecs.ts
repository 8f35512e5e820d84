import { kindInfo } from '../../model/kinds.js';
import type { Obj } from './types.js';

/**
 * Where kustomize's builtin transformers write, as data (kustomize's default fieldSpecs,
 * api/konfig/builtinpluginconsts: commonlabels, metadatalabels, commonannotations). A path
 * segment ending in `[]` walks every item of a list.
 */
export interface FieldSpec {
  path: readonly string[];
  kinds?: readonly string[];
  /** API group the kind must have ('' for the core group); any group when unset. */
  group?: string;
  /** API version (after the group) the object must have; any when unset. */
  version?: string;
  /** Create the path (maps along it) when absent. */
  create: boolean;
}

const WORKLOADS = ['Deployment', 'ReplicaSet', 'DaemonSet'];
const AFFINITY_PATHS = [
  ['spec', 'template', 'spec', 'affinity', 'podAffinity', 'preferredDuringSchedulingIgnoredDuringExecution[]', 'podAffinityTerm', 'labelSelector', 'matchLabels'],
  ['spec', 'template', 'spec', 'affinity', 'podAffinity', 'requiredDuringSchedulingIgnoredDuringExecution[]', 'labelSelector', 'matchLabels'],
  ['spec', 'template', 'spec', 'affinity', 'podAntiAffinity', 'preferredDuringSchedulingIgnoredDuringExecution[]', 'podAffinityTerm', 'labelSelector', 'matchLabels'],
  ['spec', 'template', 'spec', 'affinity', 'podAntiAffinity', 'requiredDuringSchedulingIgnoredDuringExecution[]', 'labelSelector', 'matchLabels'],
  ['spec', 'template', 'spec', 'topologySpreadConstraints[]', 'labelSelector', 'matchLabels'],
];

export const METADATA_LABELS: readonly FieldSpec[] = [{ path: ['metadata', 'labels'], create: true }];

/** Pod template labels, part of commonLabels (kustomize's metadataLabelsFieldSpecs). */
export const TEMPLATE_LABELS: readonly FieldSpec[] = [
  { path: ['spec', 'template', 'metadata', 'labels'], kinds: ['ReplicationController'], group: '', create: true },
  { path: ['spec', 'template', 'metadata', 'labels'], kinds: WORKLOADS, create: true },
  { path: ['spec', 'template', 'metadata', 'labels'], kinds: ['StatefulSet'], group: 'apps', create: true },
  { path: ['spec', 'volumeClaimTemplates[]', 'metadata', 'labels'], kinds: ['StatefulSet'], group: 'apps', create: true },
  { path: ['spec', 'template', 'metadata', 'labels'], kinds: ['Job'], group: 'batch', create: true },
  { path: ['spec', 'jobTemplate', 'metadata', 'labels'], kinds: ['CronJob'], group: 'batch', create: true },
  { path: ['spec', 'jobTemplate', 'spec', 'template', 'metadata', 'labels'], kinds: ['CronJob'], group: 'batch', create: true },
];

/**
 * `labels` with includeTemplates: metadata and the pod templates, created where absent, as
 * commonLabels writes templates (kustomize #4805, which re-did #4751 after the #4209 revert; its
 * labels reference page prints a template created on a Deployment that had none). So, as in
 * kustomize, a StatefulSet's volumeClaimTemplates get the labels too (kustomize #5389).
 */
export const INCLUDE_TEMPLATES: readonly FieldSpec[] = [...METADATA_LABELS, ...TEMPLATE_LABELS];

/** Selectors (commonLabels; `labels` with includeSelectors), then the template labels. */
export const COMMON_LABELS: readonly FieldSpec[] = [
  ...METADATA_LABELS,
  { path: ['spec', 'selector'], kinds: ['Service', 'ReplicationController'], group: '', create: true },
  { path: ['spec', 'selector', 'matchLabels'], kinds: ['Deployment', 'ReplicaSet', 'DaemonSet'], create: true },
  { path: ['spec', 'selector', 'matchLabels'], kinds: ['StatefulSet'], group: 'apps', create: true },
  ...AFFINITY_PATHS.map((path) => ({ path, kinds: ['Deployment', 'StatefulSet'], group: 'apps', create: false })),
  { path: ['spec', 'selector', 'matchLabels'], kinds: ['Job'], group: 'batch', create: false },
  { path: ['spec', 'jobTemplate', 'spec', 'selector', 'matchLabels'], kinds: ['CronJob'], group: 'batch', create: false },
  { path: ['spec', 'selector', 'matchLabels'], kinds: ['PodDisruptionBudget'], group: 'policy', create: false },
  { path: ['spec', 'podSelector', 'matchLabels'], kinds: ['NetworkPolicy'], group: 'networking.k8s.io', create: false },
  { path: ['spec', 'ingress[]', 'from[]', 'podSelector', 'matchLabels'], kinds: ['NetworkPolicy'], group: 'networking.k8s.io', create: false },
  { path: ['spec', 'egress[]', 'to[]', 'podSelector', 'matchLabels'], kinds: ['NetworkPolicy'], group: 'networking.k8s.io', create: false },
  ...TEMPLATE_LABELS,
];

export const COMMON_ANNOTATIONS: readonly FieldSpec[] = [
  { path: ['metadata', 'annotations'], create: true },
  { path: ['spec', 'template', 'metadata', 'annotations'], kinds: ['ReplicationController'], group: '', create: true },
  { path: ['spec', 'template', 'metadata', 'annotations'], kinds: WORKLOADS, create: true },
  { path: ['spec', 'template', 'metadata', 'annotations'], kinds: ['StatefulSet'], group: 'apps', create: true },
  { path: ['spec', 'template', 'metadata', 'annotations'], kinds: ['Job'], group: 'batch', create: true },
  { path: ['spec', 'jobTemplate', 'metadata', 'annotations'], kinds: ['CronJob'], group: 'batch', create: true },
  { path: ['spec', 'jobTemplate', 'spec', 'template', 'metadata', 'annotations'], kinds: ['CronJob'], group: 'batch', create: true },
];

/** Kinds whose `spec.replicas` the `replicas` field sets (kustomize's replicas fieldSpecs). */
export const REPLICA_KINDS: ReadonlySet<string> = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'ReplicationController']);

/** Kinds a name prefix or suffix never touches (kustomize's prefixSuffixFieldSpecsToSkip). */
export const UNPREFIXED_KINDS: ReadonlySet<string> = new Set(['Namespace', 'CustomResourceDefinition', 'APIService']);

/**
 * Cluster-scoped kinds berth does not run but kustomize knows (they keep no namespace). Kinds of
 * model/kinds.ts say for themselves; any other kind is namespaced, as kustomize assumes.
 */
const OTHER_CLUSTER_SCOPED = new Set([
  'APIService', 'CertificateSigningRequest', 'ComponentStatus', 'CSIDriver', 'CSINode',
  'CustomResourceDefinition', 'MutatingWebhookConfiguration', 'Node',
  'PodSecurityPolicy', 'PriorityClass', 'RuntimeClass', 'ValidatingWebhookConfiguration', 'VolumeAttachment',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
]);

export function isNamespaced(kind: string): boolean {
  const info = kindInfo(kind);
  return info ? info.namespaced : !OTHER_CLUSTER_SCOPED.has(kind);
}

export function kindOf(o: Obj): string {
  return typeof o['kind'] === 'string' ? o['kind'] : '';
}

export function groupOf(o: Obj): string {
  const api = typeof o['apiVersion'] === 'string' ? o['apiVersion'] : '';
  const i = api.indexOf('/');
  return i < 0 ? '' : api.slice(0, i);
}

export function appliesTo(spec: FieldSpec, o: Obj): boolean {
  if (spec.kinds && !spec.kinds.includes(kindOf(o))) return false;
  if (spec.version !== undefined) {
    const api = typeof o['apiVersion'] === 'string' ? o['apiVersion'] : '';
    if (api.slice(api.indexOf('/') + 1) !== spec.version) return false;
  }
  return spec.group === undefined || spec.group === groupOf(o);
}

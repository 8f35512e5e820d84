import type { ClusterRole, ClusterRoleBinding, PodDisruptionBudget, Role, RoleBinding, ServiceAccount } from './types/access.js';
import type { ConfigMap, Namespace, PersistentVolumeClaim, Secret } from './types/config.js';
import type { Service } from './types/services.js';
import type { PersistentVolume, StorageClass } from './types/storage.js';
import type { Gateway, GatewayClass, HTTPRoute, Ingress, IngressClass } from './types/edge.js';
import type { Certificate, ClusterIssuer, Issuer } from './types/certificates.js';
import type { CronJob, DaemonSet, Deployment, Job, Pod, ReplicaSet, ReplicationController, StatefulSet } from './types/workloads.js';

/**
 * Kubernetes object shapes for the kinds berth supports, with Kubernetes field names.
 * schemas/ is the single definition of what a manifest may contain; these types describe the
 * validated, converted and defaulted objects the engine works on (see defaults.ts). The shapes
 * live in types/ by family (meta, pods, workloads, services, config); this file ties them
 * together as AnyObject and Resource, and is what the rest of the code imports.
 */

export type * from './types/meta.js';
export type * from './types/pods.js';
export type * from './types/workloads.js';
export type * from './types/services.js';
export type * from './types/config.js';
export type * from './types/access.js';
export type * from './types/scheduling.js';
export type * from './types/storage.js';
export type * from './types/edge.js';
export type * from './types/certificates.js';

export type AnyObject =
  | Namespace
  | ConfigMap
  | Secret
  | PersistentVolumeClaim
  | Service
  | Pod
  | ReplicaSet
  | ReplicationController
  | Deployment
  | Job
  | CronJob
  | ServiceAccount
  | Role
  | ClusterRole
  | RoleBinding
  | ClusterRoleBinding
  | PodDisruptionBudget
  | DaemonSet
  | StatefulSet

  | StorageClass
  | PersistentVolume
  | Ingress
  | IngressClass
  | GatewayClass
  | Gateway
  | HTTPRoute
  | Issuer
  | ClusterIssuer
  | Certificate;

export type Kind = AnyObject['kind'];

/** Controllers whose pods come from a template. */
export type WorkloadObject = Pod | ReplicaSet | ReplicationController | Deployment | Job | CronJob | DaemonSet | StatefulSet;

// ---------------------------------------------------------------- resources

export interface SourceLocation {
  file: string;
  /** 1-based line of the document's first node. */
  line: number;
  column: number;
}

/**
 * A validated manifest document: converted from legacy apiVersions and defaulted.
 * `key` identifies it across revisions: `Kind/namespace/name` ('' namespace for cluster scope).
 */
export interface Resource<T extends AnyObject = AnyObject> {
  key: string;
  object: T;
  source: SourceLocation;
}

export function resourceKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

import type { IntOrString, KubeObject, LabelSelector } from './meta.js';

// Kinds that are benign on one host: stored and shown, with no Kubernetes API for them to act
// on (ServiceAccount, RBAC); and the PodDisruptionBudget, which berth's own rollouts honour.

export interface ServiceAccount extends KubeObject {
  kind: 'ServiceAccount';
  automountServiceAccountToken?: boolean;
  secrets?: Array<{ name?: string; namespace?: string }>;
}

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Role extends KubeObject {
  kind: 'Role';
  rules?: PolicyRule[];
}

export interface ClusterRole extends KubeObject {
  kind: 'ClusterRole';
  rules?: PolicyRule[];
  aggregationRule?: { clusterRoleSelectors?: LabelSelector[] };
}

export interface RoleRef {
  apiGroup: string;
  kind: string;
  name: string;
}

export interface Subject {
  kind: string;
  apiGroup?: string;
  name: string;
  namespace?: string;
}

export interface RoleBinding extends KubeObject {
  kind: 'RoleBinding';
  roleRef: RoleRef;
  subjects?: Subject[];
}

export interface ClusterRoleBinding extends KubeObject {
  kind: 'ClusterRoleBinding';
  roleRef: RoleRef;
  subjects?: Subject[];
}

/**
 * policy/v1. No selector selects no pods; an empty one selects every pod of the namespace
 * (policy/v1beta1's empty selector selected none: convert.ts drops it).
 */
export interface PodDisruptionBudget extends KubeObject {
  kind: 'PodDisruptionBudget';
  spec: {
    minAvailable?: IntOrString;
    maxUnavailable?: IntOrString;
    selector?: LabelSelector;
    unhealthyPodEvictionPolicy?: 'IfHealthyBudget' | 'AlwaysAllow';
  };
}

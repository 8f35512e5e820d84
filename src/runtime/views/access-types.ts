import type { PolicyRule, RoleRef, Subject } from '../../model/types.js';
import type { ItemMeta } from './types.js';

// API-shaped items of the kinds that are stored and shown (ServiceAccount, RBAC) and of the
// PodDisruptionBudget, whose status berth computes as the disruption controller would.

export interface ServiceAccountItem {
  apiVersion: 'v1';
  kind: 'ServiceAccount';
  metadata: ItemMeta;
  automountServiceAccountToken?: boolean;
  secrets?: Array<{ name?: string; namespace?: string }>;
}

export interface RoleItem {
  apiVersion: string;
  kind: 'Role' | 'ClusterRole';
  metadata: ItemMeta;
  rules: PolicyRule[];
  aggregationRule?: Record<string, unknown>;
}

export interface RoleBindingItem {
  apiVersion: string;
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  metadata: ItemMeta;
  roleRef: RoleRef;
  subjects?: Subject[];
}

export interface PdbItem {
  apiVersion: string;
  kind: 'PodDisruptionBudget';
  metadata: ItemMeta;
  spec: Record<string, unknown> & { minAvailable?: number | string; maxUnavailable?: number | string };
  status: { currentHealthy: number; desiredHealthy: number; disruptionsAllowed: number; expectedPods: number; observedGeneration: number };
}

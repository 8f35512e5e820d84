import type { StringMap } from './meta.js';

// Where a pod may run: evaluated for DaemonSets against the one node berth has, this host
// (model/node-scheduling.ts). Kubernetes field names.

export type NodeSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';

export interface NodeSelectorRequirement {
  key: string;
  operator: NodeSelectorOperator;
  values?: string[];
}

/** Terms are ORed; the requirements inside one term are ANDed. */
export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  /** Only `metadata.name` is a field a node selector may match. */
  matchFields?: NodeSelectorRequirement[];
}

export interface NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] };
  /** With one node there is nothing to prefer between; kept so the template hashes as written. */
  preferredDuringSchedulingIgnoredDuringExecution?: Array<{ weight: number; preference: NodeSelectorTerm }>;
}

export interface Affinity {
  nodeAffinity?: NodeAffinity;
}

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: TaintEffect;
  tolerationSeconds?: number;
}

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
}

/** The pod-placement fields of a pod spec. */
export interface PodScheduling {
  nodeSelector?: StringMap;
  affinity?: Affinity;
  tolerations?: Toleration[];
}

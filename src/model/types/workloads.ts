import type { IntOrString, KubeObject, LabelSelector, StringMap } from './meta.js';
import type { PodSpec, PodTemplateSpec } from './pods.js';
import type { PersistentVolumeClaim } from './config.js';

// The kinds that run pods: bare pods, their controllers, Jobs and CronJobs.

export interface Pod extends KubeObject {
  kind: 'Pod';
  spec: PodSpec;
}

export interface ReplicaSet extends KubeObject {
  kind: 'ReplicaSet';
  spec: {
    replicas: number;
    selector: LabelSelector;
    template: PodTemplateSpec;
    minReadySeconds: number;
  };
}

/** ReplicationController's selector is a plain equality map, not a LabelSelector. */
export interface ReplicationController extends KubeObject {
  kind: 'ReplicationController';
  spec: {
    replicas: number;
    selector: StringMap;
    template: PodTemplateSpec;
    minReadySeconds: number;
  };
}

export interface RollingUpdateDeployment {
  maxSurge: IntOrString;
  maxUnavailable: IntOrString;
}

export interface Deployment extends KubeObject {
  kind: 'Deployment';
  spec: {
    replicas: number;
    selector: LabelSelector;
    template: PodTemplateSpec;
    strategy: { type: 'RollingUpdate'; rollingUpdate: RollingUpdateDeployment } | { type: 'Recreate' };
    minReadySeconds: number;
    revisionHistoryLimit: number;
    progressDeadlineSeconds: number;
    paused: boolean;
  };
}

export interface JobSpec {
  parallelism: number;
  completions: number;
  backoffLimit: number;
  activeDeadlineSeconds?: number;
  ttlSecondsAfterFinished?: number;
  selector?: LabelSelector;
  template: PodTemplateSpec;
}

export interface Job extends KubeObject {
  kind: 'Job';
  spec: JobSpec;
}

export interface CronJob extends KubeObject {
  kind: 'CronJob';
  spec: {
    schedule: string;
    timeZone?: string;
    concurrencyPolicy: 'Allow' | 'Forbid' | 'Replace';
    suspend: boolean;
    startingDeadlineSeconds?: number;
    successfulJobsHistoryLimit: number;
    failedJobsHistoryLimit: number;
    jobTemplate: { metadata?: { labels?: StringMap; annotations?: StringMap }; spec: JobSpec };
  };
}

export interface RollingUpdateDaemonSet {
  maxSurge: IntOrString;
  maxUnavailable: IntOrString;
}

/**
 * One pod per node; here the node is this host. The template's nodeSelector, required node
 * affinity and tolerations decide whether the host runs it (model/node-scheduling.ts).
 */
export interface DaemonSet extends KubeObject {
  kind: 'DaemonSet';
  spec: {
    selector: LabelSelector;
    template: PodTemplateSpec;
    updateStrategy: { type: 'RollingUpdate'; rollingUpdate: RollingUpdateDaemonSet } | { type: 'OnDelete' };
    minReadySeconds: number;
    revisionHistoryLimit: number;
  };
}

/** A claim template of a StatefulSet: one PersistentVolumeClaim per pod, `<name>-<set>-<ordinal>`. */
export interface PersistentVolumeClaimTemplate {
  metadata: { name: string; labels?: StringMap; annotations?: StringMap };
  spec: PersistentVolumeClaim['spec'];
}

export type StatefulSetUpdateStrategy =
  | { type: 'RollingUpdate'; rollingUpdate: { partition: number; maxUnavailable: IntOrString } }
  | { type: 'OnDelete' };

export interface StatefulSet extends KubeObject {
  kind: 'StatefulSet';
  spec: {
    replicas: number;
    selector: LabelSelector;
    template: PodTemplateSpec;
    serviceName: string;
    podManagementPolicy: 'OrderedReady' | 'Parallel';
    updateStrategy: StatefulSetUpdateStrategy;
    revisionHistoryLimit: number;
    minReadySeconds: number;
    volumeClaimTemplates: PersistentVolumeClaimTemplate[];
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain' | 'Delete'; whenScaled: 'Retain' | 'Delete' };
    /** `spec.ordinals.start`: the first ordinal (Kubernetes 1.31 GA). */
    ordinals: { start: number };
  };
}

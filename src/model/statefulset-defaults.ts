import type { StatefulSet } from './types.js';

/**
 * apps/v1 SetDefaults_StatefulSet: OrderedReady, RollingUpdate from partition 0 one pod at a
 * time, 10 revisions kept, claims retained on deletion and scale-down, ordinals from 0. The
 * legacy apps/v1beta1 default of OnDelete is applied by the conversion before this.
 */
export function defaultStatefulSet(sts: StatefulSet, defaultPodTemplate: (t: StatefulSet['spec']['template']) => void): void {
  const spec = sts.spec;
  spec.replicas ??= 1;
  spec.podManagementPolicy ??= 'OrderedReady';
  spec.revisionHistoryLimit ??= 10;
  spec.minReadySeconds ??= 0;
  spec.serviceName ??= '';
  spec.volumeClaimTemplates ??= [];
  const strategy = (spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 1 } }) as {
    type?: string;
    rollingUpdate?: Partial<{ partition: number; maxUnavailable: number | string }>;
  };
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    strategy.rollingUpdate ??= {};
    strategy.rollingUpdate.partition ??= 0;
    strategy.rollingUpdate.maxUnavailable ??= 1;
  }
  const retention = (spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' }) as Partial<StatefulSet['spec']['persistentVolumeClaimRetentionPolicy']>;
  retention.whenDeleted ??= 'Retain';
  retention.whenScaled ??= 'Retain';
  spec.ordinals ??= { start: 0 };
  spec.ordinals.start ??= 0;
  for (const t of spec.volumeClaimTemplates) {
    t.metadata.labels ??= {};
    t.metadata.annotations ??= {};
    t.spec.volumeMode ??= 'Filesystem';
  }
  defaultPodTemplate(spec.template);
}

import type { StatefulSet } from '../../model/types.js';
import type { ViewOf } from '../../runtime/views/index.js';
import { writePodTemplate } from './describe-containers.js';
import type { DescribeWriter } from './describe.js';
import { annotationLines, describeTime, labelLines } from './describe.js';
import { accessModes, labelSelectorText } from './table.js';

/** `kubectl describe statefulset`: replicas, update strategy, pod states, template, claim templates. */
export function describeStatefulSet(w: DescribeWriter, view: ViewOf<'StatefulSet'>, pods: readonly ViewOf<'Pod'>[]): void {
  const o = view.object;
  const spec = o.spec as unknown as StatefulSet['spec'];
  const mine = pods.filter((p) => p.controller === view.key);
  const phase = (p: string) => mine.filter((x) => x.object.status.phase === p).length;
  w.kv(0, 'Name', view.name);
  w.kv(0, 'Namespace', view.namespace);
  w.kv(0, 'CreationTimestamp', describeTime(o.metadata.creationTimestamp));
  w.kv(0, 'Selector', labelSelectorText(spec.selector));
  w.list(0, 'Labels', labelLines(o.metadata.labels));
  w.list(0, 'Annotations', annotationLines(o.metadata.annotations));
  w.kv(0, 'Replicas', `${spec.replicas} desired | ${o.status.replicas} total`);
  w.kv(0, 'Update Strategy', spec.updateStrategy.type);
  if (spec.updateStrategy.type === 'RollingUpdate') w.kv(1, 'Partition', spec.updateStrategy.rollingUpdate.partition);
  w.kv(0, 'Pod Management Policy', spec.podManagementPolicy);
  w.kv(0, 'Service Name', spec.serviceName || '<none>');
  w.kv(0, 'Pods Status', `${phase('Running')} Running / ${phase('Pending')} Waiting / ${phase('Succeeded')} Succeeded / ${phase('Failed')} Failed`);
  writePodTemplate(w, spec.template);
  w.line(0, 'Volume Claims:');
  if (spec.volumeClaimTemplates.length === 0) w.line(1, '<none>');
  for (const t of spec.volumeClaimTemplates) {
    w.kv(1, 'Name', t.metadata.name);
    w.kv(1, 'StorageClass', t.spec.storageClassName ?? '');
    w.list(1, 'Labels', labelLines(t.metadata.labels));
    w.list(1, 'Annotations', annotationLines(t.metadata.annotations));
    w.kv(1, 'Capacity', t.spec.resources?.requests?.['storage'] ?? '');
    w.kv(1, 'Access Modes', accessModes(t.spec.accessModes));
  }
  const retention = spec.persistentVolumeClaimRetentionPolicy;
  w.kv(0, 'Claim Retention', `whenDeleted: ${retention.whenDeleted}, whenScaled: ${retention.whenScaled}`);
  w.kv(0, 'Revisions', `current ${o.status.currentRevision || '<none>'}, update ${o.status.updateRevision || '<none>'}`);
}

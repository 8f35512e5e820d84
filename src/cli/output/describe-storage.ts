import type { ViewOf } from '../../runtime/views/index.js';
import type { DescribeWriter } from './describe.js';
import { annotationLines, labelLines } from './describe.js';
import { accessModes } from './table.js';

/** `kubectl describe pv`: where the data lives on this host, and who holds it. */
export function describeVolume(w: DescribeWriter, view: ViewOf<'PersistentVolume'>): void {
  const o = view.object;
  const s = o.spec;
  w.kv(0, 'Name', view.name);
  w.list(0, 'Labels', labelLines(o.metadata.labels));
  w.list(0, 'Annotations', annotationLines(o.metadata.annotations));
  w.kv(0, 'StorageClass', s.storageClassName);
  w.kv(0, 'Status', o.status.phase);
  w.kv(0, 'Claim', s.claimRef ? `${s.claimRef.namespace}/${s.claimRef.name}` : '');
  w.kv(0, 'Reclaim Policy', s.persistentVolumeReclaimPolicy);
  w.kv(0, 'Access Modes', accessModes(s.accessModes));
  w.kv(0, 'VolumeMode', s.volumeMode);
  w.kv(0, 'Capacity', s.capacity['storage'] ?? '');
  w.kv(0, 'Message', o.status.message ?? '');
  w.kv(0, 'Source', '');
  if (s.hostPath) {
    w.kv(1, 'Type', 'HostPath (bare host directory volume)');
    w.kv(1, 'Path', s.hostPath.path);
    w.kv(1, 'HostPathType', s.hostPath.type ?? '');
  } else if (s.local) {
    w.kv(1, 'Type', 'LocalVolume (a persistent volume backed by local storage on a node)');
    w.kv(1, 'Path', s.local.path);
  } else {
    w.kv(1, 'Type', 'Docker volume (provisioned by berth.dev/local)');
    w.kv(1, 'Volume', view.dockerVolume ?? '');
  }
}

/** `kubectl describe sc`. */
export function describeStorageClass(w: DescribeWriter, view: ViewOf<'StorageClass'>): void {
  const o = view.object;
  w.kv(0, 'Name', view.name);
  w.kv(0, 'IsDefaultClass', view.isDefault ? 'Yes' : 'No');
  w.list(0, 'Annotations', annotationLines(o.metadata.annotations));
  w.kv(0, 'Provisioner', o.provisioner);
  w.kv(0, 'Parameters', Object.entries(o.parameters ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>');
  w.kv(0, 'AllowVolumeExpansion', o.allowVolumeExpansion === undefined ? '<unset>' : String(o.allowVolumeExpansion));
  w.kv(0, 'ReclaimPolicy', o.reclaimPolicy);
  w.kv(0, 'VolumeBindingMode', o.volumeBindingMode);
}

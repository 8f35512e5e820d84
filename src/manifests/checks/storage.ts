import { hostPathAllowed } from '../../model/policy.js';
import type { HostPolicy } from '../../model/policy.js';
import { ACCEPTED_PROVISIONERS, BUILTIN_CLASS_NAME } from '../../model/storage.js';
import { quote } from '../../model/excerpt.js';
import type { Reporter } from '../report.js';
import { checkQuantity } from './resources.js';
import type { Rec } from './values.js';
import { arr, rec, str } from './values.js';

/** A StorageClass must name a provisioner berth can run (model/storage.ts). */
export function checkStorageClass(object: Rec, r: Reporter): void {
  const provisioner = str(object.provisioner);
  if (provisioner === undefined || ACCEPTED_PROVISIONERS.includes(provisioner)) return;
  r.report(
    'unsupported-provisioner',
    ['provisioner'],
    `provisioner ${quote(provisioner)} cannot provision volumes on a Docker host; use berth.dev/local (a Docker volume; rancher.io/local-path and the other local provisioners are read as it) or kubernetes.io/no-provisioner (static PersistentVolumes only)`,
  );
}

/**
 * A PersistentVolume is a directory of this host: a `hostPath` or a `local` path, each held to
 * the host policy's hostPath prefixes exactly as a pod's hostPath volume is (a PV is as hostile
 * as a pod volume: whoever writes the manifest picks the path). A local volume needs the node
 * affinity Kubernetes requires; whether it names this host is decided when it binds.
 */
export function checkPersistentVolume(object: Rec, r: Reporter, policy: HostPolicy): void {
  const spec = rec(object.spec);
  if (!spec) return;
  const capacity = rec(spec.capacity);
  for (const [name, value] of Object.entries(capacity ?? {})) {
    if (name !== 'storage') r.report('invalid-resource-name', ['spec', 'capacity', name], `${quote(name)} is not a volume resource; use storage`, { at: 'key' });
    else checkQuantity(value, ['spec', 'capacity', name], r);
  }
  const sources = (['hostPath', 'local'] as const).filter((s) => spec[s] !== undefined);
  if (sources.length !== 1) {
    const message = sources.length === 0 ? 'a PersistentVolume on this host needs a hostPath or local source' : 'a PersistentVolume has exactly one source; hostPath and local are both set';
    r.report('invalid-persistent-volume', ['spec'], message, { at: 'key' });
    return;
  }
  const source = sources[0]!;
  const path = str(rec(spec[source])?.path);
  const at = ['spec', source, 'path'];
  if (path !== undefined && !path.startsWith('/')) r.report('invalid-path', at, `${source} path ${quote(path)} must be an absolute path`);
  else if (path !== undefined && !hostPathAllowed(policy, path)) {
    const allowed = policy.hostPathPrefixes.length > 0 ? policy.hostPathPrefixes.join(', ') : 'none';
    r.report('policy-host-path', at, `${source} path ${quote(path)} is outside the paths this host's policy allows (${allowed}); allow it with --host-path-prefix <dir> (host policy hostPathPrefixes)`);
  }
  if (source === 'local' && arr(rec(rec(spec.nodeAffinity)?.required)?.nodeSelectorTerms).length === 0)
    r.report('invalid-persistent-volume', ['spec', 'local'], 'a local PersistentVolume needs spec.nodeAffinity.required naming the host it is on (kubernetes.io/hostname)', { at: 'key' });
  if (spec.volumeMode === 'Block')
    r.report('invalid-persistent-volume', ['spec', 'volumeMode'], 'volumeMode Block is not supported: berth mounts a volume as a directory (Filesystem)');
}

/**
 * A claim naming a StorageClass the revision does not define (nor the host's `local`) stays
 * Pending: berth has no other classes. A warning, not an error: Kubernetes accepts the claim,
 * and a claim an older berth made keeps the Docker volume it has. A class name only
 * PersistentVolumes carry is fine: Kubernetes binds static volumes by class name alone (the
 * `manual` class of its PersistentVolume tutorial is defined nowhere).
 */
export function checkClaimClasses(entries: readonly { info: { kind: string }; object: Rec; r: Reporter }[]): void {
  const classes = new Set([
    BUILTIN_CLASS_NAME,
    ...entries.filter((e) => e.info.kind === 'StorageClass').flatMap((e) => str(rec(e.object.metadata)?.name) ?? []),
    ...entries.filter((e) => e.info.kind === 'PersistentVolume').flatMap((e) => str(rec(e.object.spec)?.storageClassName) ?? []),
  ]);
  for (const e of entries) {
    if (e.info.kind !== 'PersistentVolumeClaim') continue;
    const name = str(rec(e.object.spec)?.storageClassName);
    if (name === undefined || name === '' || classes.has(name)) continue;
    e.r.report(
      'unknown-storage-class',
      ['spec', 'storageClassName'],
      `storageClassName ${quote(name)} names no StorageClass of this revision (the host has ${BUILTIN_CLASS_NAME}); the claim stays Pending until one is defined`,
    );
  }
}

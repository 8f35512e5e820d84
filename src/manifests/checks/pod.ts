import { isIP } from 'node:net';
import { checkDns1123Label } from '../../model/names.js';
import { podSpecPolicyViolations } from '../../model/pod-policy.js';
import type { Path } from '../path.js';
import type { PodScope } from './container.js';
import { checkAnnotatedProfiles, checkContainer, checkPodSecurityContext } from './container.js';
import type { CheckContext, ReferenceKind } from './context.js';
import { checkQuantity } from './resources.js';
import { checkDownwardVolume, checkItemPath } from './downward.js';
import { checkProjectedVolume } from './projected.js';
import type { Rec } from './values.js';
import { arr, has, rec, str } from './values.js';
import { quote } from '../../model/excerpt.js';
import { noteServiceAccount } from './service-accounts.js';

const VOLUME_SOURCES = ['emptyDir', 'persistentVolumeClaim', 'configMap', 'secret', 'hostPath', 'downwardAPI', 'projected'] as const;

/**
 * One pod spec (a Pod's, or a controller's template) at `path`, with its metadata (the
 * sibling of `path`, for the legacy profile annotations). Returns the pod's port names, which
 * Services' named targetPorts resolve against.
 */
export function checkPodSpec(value: unknown, path: Path, ctx: CheckContext, metadata?: unknown, claimVolumes?: ReadonlySet<string>): Set<string> {
  const spec = rec(value);
  if (!spec) return new Set();
  const { r } = ctx;
  const containers = new Set([...arr(spec.initContainers), ...arr(spec.containers)].map((c) => str(rec(c)?.name)).filter((n): n is string => n !== undefined));
  // A StatefulSet's volumeClaimTemplates are volumes of each pod too (`claimVolumes`).
  const volumes = new Set([...checkVolumes(spec, path, ctx, containers), ...(claimVolumes ?? [])]);
  const scope: PodScope = { volumes, portNames: new Map(), containers };
  const names = new Map<string, string>();
  for (const list of ['initContainers', 'containers'] as const) {
    arr(spec[list]).forEach((c, i) => {
      const at = [...path, list, i];
      const name = str(rec(c)?.name);
      if (name !== undefined) {
        const first = names.get(name);
        if (first !== undefined) r.report('duplicate-container-name', [...at, 'name'], `container name ${quote(name)} is already used by ${first}`);
        else names.set(name, `${list}[${i}]`);
      }
      checkContainer(c, at, list === 'initContainers', ctx, scope);
    });
  }
  for (const field of ['hostname', 'subdomain'] as const) {
    const v = str(spec[field]);
    const err = v === undefined ? undefined : checkDns1123Label(v);
    if (err) r.report('invalid-name', [...path, field], `${field} ${quote(v)} is invalid: ${err}`);
  }
  arr(spec.hostAliases).forEach((a, i) => {
    const ip = str(rec(a)?.ip);
    if (ip !== undefined && isIP(ip) === 0) r.report('invalid-ip', [...path, 'hostAliases', i, 'ip'], `${quote(ip)} is not an IP address`);
  });
  if (spec.dnsPolicy === 'None')
    r.report('invalid-value', [...path, 'dnsPolicy'], 'dnsPolicy None requires dnsConfig, which berth does not implement; use ClusterFirst or Default');
  checkPodSecurityContext(spec, path, ctx);
  noteServiceAccount(spec, path, ctx);
  const metadataPath = [...path.slice(0, -1), 'metadata'];
  checkAnnotatedProfiles(metadata, metadataPath, spec, ctx);
  // The host policy, one function shared with the run time's re-check of stored templates.
  for (const v of podSpecPolicyViolations(spec, ctx.policy, metadata)) r.report(v.code, [...(v.scope === 'metadata' ? metadataPath : path), ...v.path], v.message);
  return new Set(scope.portNames.keys());
}

/** The pod's volume names (also those with problems, so mounts are not reported twice). */
function checkVolumes(spec: Rec, path: Path, ctx: CheckContext, containers: ReadonlySet<string>): Set<string> {
  const { r } = ctx;
  const names = new Set<string>();
  arr(spec.volumes).forEach((v, i) => {
    const vol = rec(v);
    if (!vol) return;
    const at = [...path, 'volumes', i];
    const name = str(vol.name);
    if (name !== undefined) {
      const err = checkDns1123Label(name);
      if (err) r.report('invalid-name', [...at, 'name'], `volume name ${quote(name)} is invalid: ${err}`);
      if (names.has(name)) r.report('duplicate-volume-name', [...at, 'name'], `volume name ${quote(name)} is defined twice`);
      names.add(name);
    }
    // No source at all is an emptyDir, as Kubernetes defaults it (model/defaults.ts); a source
    // berth cannot run is refused by the schema (x-berth-refused), never also reported here.
    const sources = VOLUME_SOURCES.filter((s) => has(vol, s));
    if (sources.length > 1) r.report('invalid-volume', at, `volume ${quote(name ?? i)} has more than one source (${sources.join(', ')})`);
    checkVolumeSource(vol, at, ctx);
    checkDownwardVolume(vol.downwardAPI, [...at, 'downwardAPI'], containers, ctx);
    checkProjectedVolume(vol.projected, [...at, 'projected'], containers, ctx, projected);
  });
  return names;
}

function checkVolumeSource(vol: Rec, at: Path, ctx: CheckContext): void {
  const { r } = ctx;
  const emptyDir = rec(vol.emptyDir);
  if (emptyDir && emptyDir.sizeLimit !== undefined) checkQuantity(emptyDir.sizeLimit, [...at, 'emptyDir', 'sizeLimit'], r);
  const claim = rec(vol.persistentVolumeClaim);
  const claimName = str(claim?.claimName);
  if (claimName) ctx.facts.refs.push({ kind: 'PersistentVolumeClaim', name: claimName, optional: false, path: [...at, 'persistentVolumeClaim', 'claimName'] });
  projected(vol.configMap, [...at, 'configMap'], 'name', 'ConfigMap', ctx);
  projected(vol.secret, [...at, 'secret'], 'secretName', 'Secret', ctx);
  const hostPath = rec(vol.hostPath);
  const hp = str(hostPath?.path);
  if (hp !== undefined && !hp.startsWith('/')) r.report('invalid-path', [...at, 'hostPath', 'path'], `hostPath ${quote(hp)} must be an absolute path`);
}

/** configMap and secret volumes: the object they read and the keys their items pick. */
function projected(value: unknown, path: Path, nameField: string, kind: ReferenceKind, ctx: CheckContext): void {
  const src = rec(value);
  if (!src) return;
  const name = str(src[nameField]);
  const optional = src.optional === true;
  if (name) ctx.facts.refs.push({ kind, name, optional, path: [...path, nameField] });
  arr(src.items).forEach((it, i) => {
    const item = rec(it);
    if (!item) return;
    const at = [...path, 'items', i];
    // Kubernetes does not check an item's key syntax: a key no ConfigMap or Secret can have is
    // simply missing (missing-reference-key, unless optional), as any other absent key.
    const key = str(item.key);
    if (key !== undefined && key !== '' && name) ctx.facts.refs.push({ kind, name, key, optional, path: [...path, nameField], keyPath: [...at, 'key'] });
    const p = str(item.path);
    const bad = p === undefined ? undefined : checkItemPath(p);
    if (bad) ctx.r.report('invalid-path', [...at, 'path'], `items path ${quote(p)} ${bad}`);
  });
}

import type { KindInfo } from '../../model/kinds.js';
import { checkDns1035Label, checkDns1123Label, checkDns1123Subdomain, checkLabelKey, checkLabelValue } from '../../model/names.js';
import { checkRbacName } from './rbac-names.js';
import { MAX_ANNOTATIONS_BYTES } from '../../model/limits.js';
import type { Path } from '../path.js';
import type { Reporter } from '../report.js';
import type { Rec } from './values.js';
import { isRecord, rec, str } from './values.js';
import { quote } from '../../model/excerpt.js';

/**
 * Name rules per kind, as Kubernetes validates them (pkg/apis/{core,apps,batch}/validation): Services are
 * DNS-1035 labels (they become DNS names), Namespaces DNS-1123 labels, everything else DNS-1123
 * subdomains; Jobs are capped at 63 characters (the job-name label) and CronJobs at 52 (room
 * for the 11-character suffix of the Jobs they create). RBAC objects are path segments
 * (`system:metrics-reader` is a usual ClusterRole name).
 */
export function checkObjectName(info: KindInfo, name: string): string | undefined {
  switch (info.kind) {
    case 'Service':
      return checkDns1035Label(name);
    case 'Namespace':
      return checkDns1123Label(name);
    case 'Job':
      return name.length > 63 ? `must be no more than 63 characters (is ${name.length})` : checkDns1123Subdomain(name);
    case 'CronJob':
      return name.length > 52 ? `must be no more than 52 characters (is ${name.length})` : checkDns1123Subdomain(name);
    case 'Role':
    case 'ClusterRole':
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      return checkRbacName(name);
    default:
      return checkDns1123Subdomain(name);
  }
}

/** metadata: name, namespace, labels, annotations. Returns the paths to strip (namespace on a cluster-scoped kind). */
export function checkMetadata(info: KindInfo, object: Rec, r: Reporter): Path[] {
  const meta = rec(object.metadata);
  if (!meta) return [];
  const name = str(meta.name);
  if (name !== undefined) {
    const err = name === '' ? 'must not be empty' : checkObjectName(info, name);
    if (err) r.report('invalid-name', ['metadata', 'name'], `${info.kind} name ${quote(name)} is invalid: ${err}`);
  }
  const strip: Path[] = [];
  const ns = str(meta.namespace);
  if (ns !== undefined) {
    if (!info.namespaced) {
      r.report('namespace-ignored', ['metadata', 'namespace'], `${info.kind} is cluster-scoped; metadata.namespace is ignored`, { at: 'key' });
      strip.push(['metadata', 'namespace']);
    } else {
      const err = ns === '' ? 'must not be empty (omit it for "default")' : checkDns1123Label(ns);
      if (err) r.report('invalid-name', ['metadata', 'namespace'], `namespace ${quote(ns)} is invalid: ${err}`);
    }
  }
  checkLabels(meta.labels, ['metadata', 'labels'], r);
  checkAnnotations(meta.annotations, ['metadata', 'annotations'], r);
  return strip;
}

export function checkLabels(labels: unknown, path: Path, r: Reporter): void {
  if (!isRecord(labels)) return;
  for (const [key, value] of Object.entries(labels)) {
    const keyErr = checkLabelKey(key);
    if (keyErr) r.report('invalid-label', [...path, key], `label key ${quote(key)} is invalid: ${keyErr}`, { at: 'key' });
    if (typeof value !== 'string') continue;
    const valueErr = checkLabelValue(value);
    if (valueErr) r.report('invalid-label', [...path, key], `label value ${quote(value)} is invalid: ${valueErr}`);
  }
}

export function checkAnnotations(annotations: unknown, path: Path, r: Reporter): void {
  if (!isRecord(annotations)) return;
  let size = 0;
  for (const [key, value] of Object.entries(annotations)) {
    size += Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
    const err = checkLabelKey(key);
    if (err) r.report('invalid-annotation', [...path, key], `annotation key ${quote(key)} is invalid: ${err}`, { at: 'key' });
  }
  if (size > MAX_ANNOTATIONS_BYTES)
    r.report('invalid-annotation', path, `annotations total ${size} bytes; Kubernetes allows at most ${MAX_ANNOTATIONS_BYTES} (256 KiB)`);
}

/** Pod/Job template metadata: labels and annotations only. */
export function checkTemplateMetadata(meta: unknown, path: Path, r: Reporter): void {
  const m = rec(meta);
  if (!m) return;
  checkLabels(m.labels, [...path, 'labels'], r);
  checkAnnotations(m.annotations, [...path, 'annotations'], r);
}

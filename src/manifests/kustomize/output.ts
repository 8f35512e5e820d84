import { dump } from 'js-yaml';
import { KUBERNETES_YAML_SCHEMA } from '../yaml-schema.js';
import type { ManifestDoc } from '../report.js';
import type { Provenance } from './provenance.js';
import type { KResource, Obj } from './types.js';
import { isObj } from './kustomization.js';

/**
 * kustomize's default ("legacy") output order (api/resid/gvk.go): these kinds first, in this
 * order, the webhook configurations last, every other kind between; within one rank by
 * group/version/kind, then namespace and name.
 */
const ORDER_FIRST = [
  'Namespace', 'ResourceQuota', 'StorageClass', 'CustomResourceDefinition', 'ServiceAccount', 'PodSecurityPolicy',
  'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ConfigMap', 'Secret', 'Endpoints', 'Service',
  'LimitRange', 'PriorityClass', 'PersistentVolume', 'PersistentVolumeClaim', 'Deployment', 'StatefulSet',
  'CronJob', 'PodDisruptionBudget',
];
const ORDER_LAST = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

/** The first kinds rank below zero in their order, the last above it, every other kind zero. */
function rank(kind: string, first: readonly string[], last: readonly string[]): number {
  const f = first.indexOf(kind);
  if (f >= 0) return f - first.length;
  const l = last.indexOf(kind);
  return l >= 0 ? 1 + l : 0;
}

/** kustomize's Gvk.String(): `group_version_kind`, `~G`/`~V`/`~K` for an empty part. */
function gvkString(o: Obj): string {
  const api = typeof o['apiVersion'] === 'string' ? o['apiVersion'] : '';
  const i = api.indexOf('/');
  const group = i < 0 ? '' : api.slice(0, i);
  const version = i < 0 ? api : api.slice(i + 1);
  const kind = typeof o['kind'] === 'string' ? o['kind'] : '';
  return `${group || '~G'}_${version || '~V'}_${kind || '~K'}`;
}

function nsName(o: Obj): string {
  const meta = isObj(o['metadata']) ? o['metadata'] : {};
  const ns = typeof meta['namespace'] === 'string' && meta['namespace'] !== '' ? meta['namespace'] : '~X';
  return `${ns}|${typeof meta['name'] === 'string' && meta['name'] !== '' ? meta['name'] : '~N'}`;
}

/** `sortOptions.legacySortOptions` replace the two kind lists. */
export function legacyOrder(resources: readonly KResource[], first: readonly string[] = ORDER_FIRST, last: readonly string[] = ORDER_LAST): KResource[] {
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return [...resources].sort((x, y) => {
    const a = x.object;
    const b = y.object;
    return (
      rank(String(a['kind'] ?? ''), first, last) - rank(String(b['kind'] ?? ''), first, last) ||
      cmp(gvkString(a), gvkString(b)) ||
      cmp(nsName(a), nsName(b))
    );
  });
}

/** The built objects as documents validation reads: each locates its paths through provenance. */
export function toDocs(resources: readonly KResource[], prov: Provenance): ManifestDoc[] {
  return resources.map((r) => ({
    parsed: { file: r.origin.doc.file, index: r.origin.doc.index, value: r.object, locator: prov.locator(r.object) },
    base: [],
    value: r.object,
  }));
}

/**
 * The YAML `kustomize build` prints: documents separated by `---`, two-space indentation, list
 * items at their key's indentation, keys sorted (kustomize marshals each object as a map, so
 * `metadata` reads `labels` before `name`), strings that would read as something else quoted
 * under the YAML rules Kubernetes reads with (`"yes"`, `"n"`, `"0644"`).
 */
export function renderYaml(objects: readonly unknown[]): string {
  return objects.map((o) => dump(o, { sortKeys: true, seqNoIndent: true, lineWidth: -1, noRefs: true, skipInvalid: true, quoteStyle: 'double', schema: KUBERNETES_YAML_SCHEMA })).join('---\n');
}

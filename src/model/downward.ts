import { parseQuantity } from './quantity.js';
import type { StringMap } from './types.js';

/**
 * The downward API (Kubernetes' pkg/fieldpath and the validation of ObjectFieldSelector and
 * ResourceFieldSelector): which pod fields and container resources a container may read, in
 * env or in a downwardAPI volume, and how their values are written. Pure: manifests/ checks
 * with it, plan/ resolves with it, apply/ fills in what only exists once the pod runs.
 */

/** Fields env `fieldRef` may name (validEnvDownwardAPIFieldPathExpressions), besides labels['k'] and annotations['k']. */
export const ENV_FIELD_PATHS: readonly string[] = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];

/** Fields a downwardAPI volume item may name (validVolumeDownwardAPIFieldPathExpressions): whole maps too. */
export const VOLUME_FIELD_PATHS: readonly string[] = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];

/** `resourceFieldRef.resource` values, besides `limits.hugepages-<size>` and `requests.hugepages-<size>`. */
export const RESOURCE_FIELDS: readonly string[] = [
  'limits.cpu',
  'limits.ephemeral-storage',
  'limits.memory',
  'requests.cpu',
  'requests.ephemeral-storage',
  'requests.memory',
];

/** Fields only the running pod knows (its sandbox's id and addresses): apply/ fills them in. */
export type RuntimeField = 'metadata.uid' | 'status.podIP' | 'status.podIPs' | 'status.hostIP' | 'status.hostIPs';
/** A resource a resourceFieldRef may read (validateContainerResourceFieldSelector: the list, or a hugepages prefix). */
export function isResourceField(resource: string): boolean {
  return RESOURCE_FIELDS.includes(resource) || /^(limits|requests)\.hugepages-./.test(resource);
}

export const RUNTIME_FIELDS: readonly RuntimeField[] = ['metadata.uid', 'status.podIP', 'status.podIPs', 'status.hostIP', 'status.hostIPs'];

export function isRuntimeField(path: string): path is RuntimeField {
  return (RUNTIME_FIELDS as readonly string[]).includes(path);
}

/** A field path split as fieldpath.SplitMaybeSubscriptedPath does: `metadata.labels['app']` → path and key. */
export function splitFieldPath(fieldPath: string): { path: string; key?: string } {
  const m = /^([^[]+)\['(.*)'\]$/s.exec(fieldPath);
  if (!m) return { path: fieldPath };
  return { path: m[1]!, key: m[2]! };
}

/** `spec.host` is what old v1 clients sent for spec.nodeName (ConvertDownwardAPIFieldLabel). */
export function canonicalFieldPath(fieldPath: string): string {
  return fieldPath === 'spec.host' ? 'spec.nodeName' : fieldPath;
}

/**
 * Why a fieldPath is not one Kubernetes accepts where it is used; undefined when it is. A
 * subscript is allowed on labels and annotations only, and must be a label key.
 */
export function fieldPathProblem(fieldPath: string, where: 'env' | 'volume', checkKey: (key: string) => string | undefined): string | undefined {
  const { path, key } = splitFieldPath(canonicalFieldPath(fieldPath));
  if (key !== undefined) {
    if (path !== 'metadata.labels' && path !== 'metadata.annotations') return `${path} does not support a subscript; only metadata.labels['<key>'] and metadata.annotations['<key>'] do`;
    const err = checkKey(path === 'metadata.annotations' ? key.toLowerCase() : key);
    return err ? `the key ${JSON.stringify(key)} is not a valid ${path === 'metadata.labels' ? 'label' : 'annotation'} key: ${err}` : undefined;
  }
  const allowed = where === 'env' ? ENV_FIELD_PATHS : VOLUME_FIELD_PATHS;
  if (allowed.includes(path)) return undefined;
  const whole = where === 'env' && (path === 'metadata.labels' || path === 'metadata.annotations');
  return whole
    ? `env can hold one ${path === 'metadata.labels' ? 'label' : 'annotation'}, not the whole map: use ${path}['<key>'] (a downwardAPI volume can hold the whole map)`
    : `supported: ${[...allowed, "metadata.labels['<key>']", "metadata.annotations['<key>']"].join(', ')}`;
}

/** Divisors Kubernetes accepts (validateContainerResourceDivisor), by value. */
const CPU_DIVISORS = [1e-3, 1];
const BYTE_DIVISORS = [1, 1e3, 1e6, 1e9, 1e12, 1e15, 1e18, 2 ** 10, 2 ** 20, 2 ** 30, 2 ** 40, 2 ** 50, 2 ** 60];

/** Why `divisor` cannot go with `resource`; undefined when it can (or is unset, or not a quantity). */
export function divisorProblem(resource: string, divisor: string | number | undefined): string | undefined {
  if (divisor === undefined) return undefined;
  const value = parseQuantity(divisor);
  if (value === undefined || value === 0) return undefined;
  const isCpu = resource.endsWith('.cpu');
  const allowed = isCpu ? CPU_DIVISORS : BYTE_DIVISORS;
  if (allowed.some((d) => Math.abs(d - value) <= d * 1e-12)) return undefined;
  return isCpu
    ? "only divisor's values 1m and 1 are supported with the cpu resource"
    : `only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the ${resource.endsWith('.memory') ? 'memory' : resource.includes('.hugepages-') ? 'hugepages' : 'local ephemeral storage'} resource`;
}

/** What the node has to give: Kubernetes' allocatable, which a resource without a limit reads. */
export interface NodeAllocatable {
  /** Cores. */
  cpu: number;
  /** Bytes. */
  memory: number;
  /** Bytes of the disk Docker keeps containers on. */
  ephemeralStorage: number;
}

/**
 * A resourceFieldRef's value (ExtractContainerResourceValue), after the kubelet's defaulting:
 * a limit not set is the node's allocatable, a request not set is its limit as written (the API
 * server's defaulting), else 0. cpu counts in millicores and rounds UP to the divisor (250m with
 * divisor 1 is "1"); bytes round up too.
 */
export function resourceFieldValue(
  resource: string,
  divisor: string | number | undefined,
  resources: { limits?: StringMap; requests?: StringMap } | undefined,
  node: NodeAllocatable,
): string {
  const dot = resource.indexOf('.');
  const kind = resource.slice(0, dot);
  const name = resource.slice(dot + 1);
  const limit = own(resources?.limits, name);
  const request = own(resources?.requests, name) ?? limit;
  // hugepages: Docker gives none, so the node has none to give a container without a limit.
  const fromNode = name === 'cpu' ? node.cpu : name === 'memory' ? node.memory : name === 'ephemeral-storage' ? node.ephemeralStorage : 0;
  const written = kind === 'limits' ? limit : request;
  const value = written !== undefined ? (parseQuantity(written) ?? 0) : kind === 'limits' ? fromNode : 0;
  const d = divisor === undefined ? 1 : (parseQuantity(divisor) ?? 1) || 1;
  if (name === 'cpu') return String(Math.ceil(milli(value) / milli(d)));
  return String(Math.ceil(bytes(value) / bytes(d)));
}

/** Quantity.MilliValue: millicores, rounded up (through nanos, so 0.25 is exactly 250). */
function milli(cores: number): number {
  return Math.ceil(Math.round(cores * 1e9) / 1e6);
}

/** Quantity.Value: rounded up, without the float's last-digit noise (1.1G is 1100000000). */
function bytes(n: number): number {
  return Math.ceil(Number(n.toPrecision(15)));
}

function own(map: StringMap | undefined, key: string): string | undefined {
  return map !== undefined && Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
}

/**
 * A whole labels/annotations map as a downwardAPI volume file (fieldpath.FormatMap): one
 * `key="value"` line per entry, sorted by key, the value quoted as Go's %q does, no final newline.
 */
export function formatMap(map: StringMap): string {
  return Object.keys(map)
    .sort()
    .map((k) => `${k}=${goQuote(map[k]!)}`)
    .join('\n');
}

const NAMED_ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 34: '\\"', 92: '\\\\' };

/** Go's strconv.Quote: printable characters as they are, the rest escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const named = NAMED_ESCAPES[cp];
    if (named !== undefined) out += named;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp !== 0x20 && /[\p{C}\p{Z}]/u.test(ch)) out += cp < 0x10000 ? `\\u${cp.toString(16).padStart(4, '0')}` : `\\U${cp.toString(16).padStart(8, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** A UUID-shaped id from 32 hex digits. */
export function uuidFromHex(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A pod's uid is its sandbox container's id: it lives exactly as long as the pod (a pod made
 * again under the same name gets a new one, as in Kubernetes), needs no record, and every
 * reader (the container's env and volume, `get pod -o yaml`) derives the same value.
 */
export function podUid(sandboxId: string): string {
  return uuidFromHex(sandboxId.padEnd(32, '0'));
}

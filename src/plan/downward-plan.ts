import type { NodeAllocatable, RuntimeField } from '../model/downward.js';
import { canonicalFieldPath, formatMap, isRuntimeField, resourceFieldValue, splitFieldPath } from '../model/downward.js';
import { specHash } from '../model/hash.js';
import type { Container, DownwardAPIVolumeSource, EnvVar, PodSpec, PodTemplateSpec, ResourceFieldSelector, StringMap } from '../model/types.js';
import { annotatedProfiles } from '../model/legacy-profiles.js';
import { own } from '../model/own.js';

/**
 * The downward API resolved for one pod: what env and downwardAPI volumes read of the pod, its
 * containers and its node. Everything known when planning is filled in here (pure); what only
 * the running pod knows (its uid, which is its sandbox's id, and its addresses) stays a field
 * name that apply/ fills in as the container or volume is made.
 */

/** The host as a Kubernetes node: its name (`spec.nodeName`) and what a container without a limit may use. */
export interface NodeFacts {
  name: string;
  allocatable: NodeAllocatable;
}

/** Planning without a host to ask (views, intents): values no pod is created with. */
export const NO_NODE: NodeFacts = { name: '', allocatable: { cpu: 0, memory: 0, ephemeralStorage: 0 } };

/** What the pod's fields are while its template is resolved. */
export interface PodFields {
  name: string;
  namespace: string;
  labels: StringMap;
  annotations: StringMap;
  spec: PodSpec;
  node: NodeFacts;
}

/** A downward env value: known now, or a field apply/ fills in. */
export type DownwardValue = { value: string } | { fieldRef: RuntimeField };

/** An env var's downward value (fieldRef or resourceFieldRef); undefined when it reads neither. */
export function downwardEnvValue(e: EnvVar, c: Container, pod: PodFields): DownwardValue | undefined {
  const vf = e.valueFrom;
  if (vf?.fieldRef) {
    const path = canonicalFieldPath(vf.fieldRef.fieldPath);
    if (isRuntimeField(path)) return { fieldRef: path };
    const v = podField(path, pod);
    return v === undefined ? undefined : { value: v };
  }
  if (vf?.resourceFieldRef) return { value: resourceValue(vf.resourceFieldRef, c, pod) };
  return undefined;
}

/** A field known when planning (ExtractFieldPathAsString); a label or annotation not set is "". */
function podField(fieldPath: string, pod: PodFields): string | undefined {
  const { path, key } = splitFieldPath(fieldPath);
  if (key !== undefined) {
    if (path === 'metadata.labels') return own(pod.labels, key) ?? '';
    if (path === 'metadata.annotations') return own(pod.annotations, key) ?? '';
    return undefined;
  }
  switch (path) {
    case 'metadata.name':
      return pod.name;
    case 'metadata.namespace':
      return pod.namespace;
    case 'metadata.labels':
      return formatMap(pod.labels);
    case 'metadata.annotations':
      return formatMap(pod.annotations);
    case 'spec.nodeName':
      return pod.node.name;
    case 'spec.serviceAccountName':
      return serviceAccountName(pod.spec);
    default:
      return undefined;
  }
}

/**
 * Kubernetes defaults serviceAccountName to "default" (and reads the deprecated
 * serviceAccount when only it is set). Read loosely: the field belongs to the ServiceAccount
 * work, which types it on PodSpec.
 */
function serviceAccountName(spec: PodSpec): string {
  const s = spec as PodSpec & { serviceAccountName?: string; serviceAccount?: string };
  return s.serviceAccountName || s.serviceAccount || 'default';
}

/** containerName defaults to the reading container (env); a volume's always names one. */
function resourceValue(ref: ResourceFieldSelector, reader: Container | undefined, pod: PodFields): string {
  const c = ref.containerName ? [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((x) => x.name === ref.containerName) : reader;
  return resourceFieldValue(ref.resource, ref.divisor, c?.resources, pod.node.allocatable);
}

/** One file of a downwardAPI volume: its content, or metadata.uid (filled in by apply/). */
export interface DownwardFile {
  path: string;
  mode: number;
  /** base64 */
  content: string;
  field?: 'metadata.uid';
}

/**
 * The files of a downwardAPI volume and their version: a hash of what they hold (the uid as a
 * field name: it is the same for the pod's whole life). Written under `..<version>` with
 * `..data` pointing at it (apply/downward-volume.ts); a pod whose `..data` points elsewhere
 * has older files, which a bare Pod's label or annotation change causes, and gets them anew.
 */
export function downwardFiles(src: DownwardAPIVolumeSource, pod: PodFields): { files: DownwardFile[]; version: string } {
  const files: DownwardFile[] = (src.items ?? []).map((item) => {
    const mode = item.mode ?? src.defaultMode;
    if (item.fieldRef) {
      const path = canonicalFieldPath(item.fieldRef.fieldPath);
      if (path === 'metadata.uid') return { path: item.path, mode, content: '', field: 'metadata.uid' };
      return { path: item.path, mode, content: Buffer.from(podField(path, pod) ?? '', 'utf8').toString('base64') };
    }
    const value = item.resourceFieldRef ? resourceValue(item.resourceFieldRef, undefined, pod) : '';
    return { path: item.path, mode, content: Buffer.from(value, 'utf8').toString('base64') };
  });
  return { files, version: specHash(files) };
}

/**
 * What of a bare Pod's template replaces the pod when it changes: all but its labels and
 * annotations, which Kubernetes changes on the running pod. The legacy seccomp/AppArmor
 * annotations stay: berth reads them as the containers' profiles (model/legacy-profiles.ts).
 */
export function inPlaceTemplate(template: PodTemplateSpec): PodTemplateSpec {
  const profiles = Object.fromEntries(annotatedProfiles(template.metadata.annotations).map((p) => [p.key, p.value]));
  return { metadata: { annotations: profiles }, spec: template.spec };
}

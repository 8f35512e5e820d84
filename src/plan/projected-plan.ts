import { specHash } from '../model/hash.js';
import type { ConfigMap, KeyToPath, ProjectedVolumeSource, Secret } from '../model/types.js';
import type { DownwardFile, PodFields } from './downward-plan.js';
import { downwardFiles } from './downward-plan.js';

// Shapes of pod-plan.ts's ConfigIndex, FilePlan and VolumePlan, written out: pod-plan.ts imports this file.
type FilePlan = DownwardFile;
interface Configs {
  configMaps: ReadonlyMap<string, ConfigMap>;
  secrets: ReadonlyMap<string, Secret>;
}
export interface ProjectedVolumePlan {
  name: string;
  type: 'files';
  from: { kind: 'Projected'; name: string };
  secret: boolean;
  files: FilePlan[];
  version: string;
}

/**
 * `items` selects and renames keys; without it every key becomes a file named after it. A Map:
 * keys are the manifest's (`__proto__` and `constructor` are valid ConfigMap keys).
 */
export function projectFiles(data: ReadonlyMap<string, Buffer>, items: KeyToPath[] | undefined, defaultMode: number): FilePlan[] {
  const chosen: KeyToPath[] = items ?? [...data.keys()].sort().map((key) => ({ key, path: key }));
  return chosen
    .filter((i) => data.has(i.key))
    .map((i) => ({ path: i.path, content: data.get(i.key)!.toString('base64'), mode: i.mode ?? defaultMode }));
}

/**
 * A projected volume: the files of its configMap, secret and downwardAPI sources in one
 * directory, in source order, written as the kubelet writes them (atomically, under `..data`).
 * It holds secrets in memory only when a source is a Secret. Its version covers the downward
 * content only: the configs' content is in the pod's template hash, and a change to it replaces
 * the pod (and an unkeyed hash of a short Secret would give it away).
 */
export function projectedVolume(name: string, src: ProjectedVolumeSource, ns: string, configs: Configs, pod: PodFields): ProjectedVolumePlan {
  const files: FilePlan[] = [];
  const downward: FilePlan[] = [];
  for (const p of src.sources ?? []) {
    if (p.configMap) files.push(...projectFiles(configMapData(configs, ns, p.configMap.name), p.configMap.items, src.defaultMode));
    // Secret files are never world-readable, as in secret volumes (apply/pod-volumes.ts).
    if (p.secret) files.push(...projectFiles(secretData(configs, ns, p.secret.name), p.secret.items, src.defaultMode).map((f) => ({ ...f, mode: f.mode & 0o770 })));
    if (p.downwardAPI) {
      const d = downwardFiles({ items: p.downwardAPI.items ?? [], defaultMode: src.defaultMode }, pod).files;
      files.push(...d);
      downward.push(...d);
    }
  }
  const shape = files.map((f) => ({ path: f.path, mode: f.mode }));
  return {
    name,
    type: 'files',
    from: { kind: 'Projected', name },
    secret: (src.sources ?? []).some((p) => p.secret),
    files,
    version: specHash({ shape, downward }),
  };
}

function configMapData(configs: Configs, ns: string, name: string): Map<string, Buffer> {
  const cm = configs.configMaps.get(`${ns}/${name}`);
  const data = new Map<string, Buffer>();
  for (const [k, val] of Object.entries(cm?.data ?? {})) data.set(k, Buffer.from(val, 'utf8'));
  for (const [k, val] of Object.entries(cm?.binaryData ?? {})) data.set(k, Buffer.from(val, 'base64'));
  return data;
}

function secretData(configs: Configs, ns: string, name: string): Map<string, Buffer> {
  const data = new Map<string, Buffer>();
  for (const [k, val] of Object.entries(configs.secrets.get(`${ns}/${name}`)?.data ?? {})) data.set(k, Buffer.from(val, 'base64'));
  return data;
}

import type { PodSpec } from './types.js';

/** The config objects a pod spec refers to, `ConfigMap/ns/name` → data; for the hash and for effects. */
export function referencedConfigs(namespace: string, spec: PodSpec): { configMaps: string[]; secrets: string[] } {
  const cms = new Set<string>();
  const secrets = new Set<string>();
  for (const v of spec.volumes ?? []) {
    if (v.configMap) cms.add(v.configMap.name);
    if (v.secret) secrets.add(v.secret.secretName);
    for (const p of v.projected?.sources ?? []) {
      if (p.configMap) cms.add(p.configMap.name);
      if (p.secret) secrets.add(p.secret.name);
    }
  }
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    for (const e of c.envFrom ?? []) {
      if (e.configMapRef) cms.add(e.configMapRef.name);
      if (e.secretRef) secrets.add(e.secretRef.name);
    }
    for (const e of c.env ?? []) {
      if (e.valueFrom?.configMapKeyRef) cms.add(e.valueFrom.configMapKeyRef.name);
      if (e.valueFrom?.secretKeyRef) secrets.add(e.valueFrom.secretKeyRef.name);
    }
  }
  return { configMaps: [...cms].sort().map((n) => `${namespace}/${n}`), secrets: [...secrets].sort().map((n) => `${namespace}/${n}`) };
}

import type { PodTemplateSpec } from '../model/types.js';

/**
 * Pod spec fields that change nothing in a pod berth runs: the ServiceAccount (no token is
 * mounted, there is no Kubernetes API to call). They are left out of the pod-template-hash, so
 * naming another ServiceAccount restarts no pod, and the berth that started keeping them (they
 * were dropped as unimplemented before) does not restart every pod that names one, nor re-run
 * a finished Job, on upgrade. Unless the pod reads its ServiceAccount through the downward API
 * (`fieldPath: spec.serviceAccountName`): then the name is in what the pod runs, and a change
 * must roll it.
 */
const INERT = ['serviceAccountName', 'serviceAccount', 'automountServiceAccountToken'] as const;

export function withoutInertFields(template: PodTemplateSpec): PodTemplateSpec {
  const spec = template.spec as unknown as Record<string, unknown>;
  if (!INERT.some((f) => spec[f] !== undefined) || JSON.stringify(spec).includes('"spec.serviceAccountName"')) return template;
  const rest = { ...spec };
  for (const f of INERT) delete rest[f];
  return { ...template, spec: rest as unknown as PodTemplateSpec['spec'] };
}

import type { AnyObject } from '../../model/types.js';
import type { FieldChange } from '../resource-diff.js';
import type { Effect, EffectKind } from './types.js';

// How effect messages name resources and count pods, and which fields a change touches.

export function effect(kind: EffectKind, message: string, destructive = false): Effect {
  return { kind, message, destructive };
}

const SHORT: Record<string, string> = {
  Deployment: 'deploy/',
  ReplicaSet: 'rs/',
  ReplicationController: 'rc/',
  Pod: 'pod/',
  Job: 'job/',
  CronJob: 'cronjob/',
  Service: 'service ',
  ConfigMap: 'configmap ',
  Secret: 'secret ',
  PersistentVolumeClaim: 'volume ',
  Namespace: 'namespace ',
  StatefulSet: 'sts/',
};

/** `deploy/web`, `configmap web-config`, `volume data`: how effect messages name a resource. */
export function describe(kind: string, name: string): string {
  return `${SHORT[kind] ?? `${kind.toLowerCase()} `}${name}`;
}

export function replicasOf(o: AnyObject): number {
  const spec = (o as { spec?: { replicas?: unknown } }).spec;
  return typeof spec?.replicas === 'number' ? spec.replicas : 1;
}

export function allPods(n: number): string {
  return n === 1 ? 'its pod' : `all ${n} pods`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function touches(fields: readonly FieldChange[], prefix: string): boolean {
  return fields.some((f) => isUnder(f.path, prefix) || isUnder(prefix, f.path));
}

/** `path` is `prefix` or lies beneath it (`spec.template.spec...`, `spec.template[...]`). */
export function isUnder(path: string, prefix: string): boolean {
  if (prefix === '') return true;
  return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
}

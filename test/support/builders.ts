import type { ObservedContainer, ObservedPod, ObservedState } from '../../src/plan/observed.js';
import type { PodPlan } from '../../src/plan/pod-plan.js';
import { withDefaults } from '../../src/model/defaults.js';
import type { AnyObject, Resource } from '../../src/model/types.js';
import { resourceKey } from '../../src/model/types.js';

/** A validated-looking resource: defaulted, keyed, located. */
export function res<T extends AnyObject>(obj: unknown, file = 'test.yaml', line = 1): Resource<T> {
  const o = withDefaults(obj as AnyObject) as AnyObject;
  if (o.kind !== 'Namespace') o.metadata.namespace ??= 'default';
  return { key: resourceKey(o.kind, o.kind === 'Namespace' ? '' : o.metadata.namespace, o.metadata.name), object: o as T, source: { file, line, column: 1 } };
}

export function deployment(name: string, spec: { replicas?: number; image?: string; strategy?: unknown; env?: unknown[]; volumes?: unknown[]; minReadySeconds?: number; paused?: boolean } = {}): Resource {
  return res({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: spec.replicas ?? 3,
      selector: { matchLabels: { app: name } },
      ...(spec.strategy ? { strategy: spec.strategy } : {}),
      ...(spec.minReadySeconds !== undefined ? { minReadySeconds: spec.minReadySeconds } : {}),
      ...(spec.paused !== undefined ? { paused: spec.paused } : {}),
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: 'app', image: spec.image ?? 'img:1', ...(spec.env ? { env: spec.env } : {}) }],
          ...(spec.volumes ? { volumes: spec.volumes } : {}),
        },
      },
    },
  });
}

let seq = 0;
/** Deterministic stand-in for Math.random: names are stable across runs and unique. */
export function sequence(): () => number {
  let i = 0;
  return () => ((i++ * 7 + 3) % 27) / 27 + 0.0001;
}

export interface PodShape {
  ready?: boolean;
  readySince?: number;
  createdAt?: number;
  containerState?: ObservedContainer['state'];
  exitCode?: number;
  restartCount?: number;
  withoutContainer?: boolean;
  withoutSandbox?: boolean;
  /** Extra observed fields for every app container (crash-loop tests). */
  container?: Partial<ObservedContainer>;
}

/** What observation would report for a pod created from `plan`, in the given shape. */
export function observedFrom(plan: PodPlan, shape: PodShape = {}): ObservedPod {
  const n = ++seq;
  const containers: ObservedContainer[] = shape.withoutContainer
    ? []
    : plan.containers.map((c) => ({
        id: `c-${plan.name}-${c.name}`,
        dockerName: `berth_t_${plan.namespace}_${plan.name}_${c.name}`,
        name: c.name,
        role: 'container' as const,
        image: c.image,
        state: shape.containerState ?? 'running',
        restartCount: shape.restartCount ?? 0,
        restarting: false,
        ...(shape.exitCode !== undefined ? { exitCode: shape.exitCode, finishedAt: 1000 } : {}),
        ...shape.container,
      }));
  return {
    namespace: plan.namespace,
    name: plan.name,
    key: `${plan.namespace}/${plan.name}`,
    owner: plan.owner,
    controller: plan.controller,
    specHash: plan.specHash,
    labels: plan.labels,
    restartPolicy: plan.restartPolicy,
    createdAt: shape.createdAt ?? n,
    ...(shape.withoutSandbox ? {} : { sandbox: { id: `s-${plan.name}`, dockerName: `berth_t_${plan.namespace}_${plan.name}`, state: 'running' as const, ip: `10.0.0.${n % 250}` } }),
    initContainers: [],
    containers,
    expectedContainers: plan.containers.map((c) => c.name),
    expectedInitContainers: plan.initContainers.map((c) => c.name),
    ready: shape.ready ?? true,
    ...(shape.readySince !== undefined ? { readySince: shape.readySince } : {}),
  };
}

export function observedState(pods: ObservedPod[], extra: Partial<ObservedState> = {}): ObservedState {
  return {
    app: 't',
    networks: [{ namespace: 'default', id: 'net-default', name: 'berth_t_default' }],
    volumes: [],
    pods,
    services: [],
    inventory: [],
    ...extra,
  };
}

/**
 * A fixed pod-template-hash key for unit tests: hashes are stable from run to run, as on one
 * host; the host's real key is 32 random bytes in its state store (runtime/host-key.ts).
 */
export const TEST_HASH_KEY: Buffer = Buffer.alloc(32, 0x5a);

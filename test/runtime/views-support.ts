import type { VolumeBindingRecord } from '../../src/model/storage.js';
import type { PodTemplateSpec } from '../../src/model/types.js';
import type { ContainerProbes } from '../../src/apply/observe.js';
import { buildDesiredState } from '../../src/plan/desired.js';
import type { ObservedContainer, ObservedNetwork, ObservedPod, ObservedService, ObservedVolume } from '../../src/plan/observed.js';
import type { Resource } from '../../src/model/types.js';
import type { CronState, InventoryEntry, JobRecord, LeaseHolder, PodStatusRecord, RolloutRecord } from '../../src/runtime/store/index.js';
import type { LiveState } from '../../src/runtime/views/index.js';
import { assembleObservation } from '../../src/runtime/observe.js';
import { withStoredStatus } from '../../src/plan/stored-status.js';
import { createHash } from 'node:crypto';
import { hostNode } from '../../src/model/node-scheduling.js';
import { specHash } from '../../src/model/hash.js';
import { res, TEST_HASH_KEY } from '../support/builders.js';
import type { Divergence } from '../../src/plan/rollouts/state.js';

/**
 * Fixtures for the view, table and describe tests: inventory entries from manifests (defaulted
 * like validation does) and observed pods consistent with them (names, hashes, owners as the
 * planner would have made them), at fixed times.
 */
export const NOW = Date.parse('2026-03-01T12:00:00Z');
export const APPLIED = NOW - 2 * 3600_000;

export function entry(obj: unknown, appliedAt = APPLIED): InventoryEntry {
  const r = res(obj);
  return { key: r.key, kind: r.object.kind, namespace: r.object.kind === 'Namespace' ? '' : (r.object.metadata.namespace ?? 'default'), name: r.object.metadata.name, specHash: specHash(r.object), object: r.object, sourceRevision: 'rev1', appliedAt };
}

export interface PodFixture {
  name?: string;
  createdAt?: number;
  ip?: string;
  state?: ObservedContainer['state'];
  exitCode?: number;
  restartCount?: number;
  finishedAt?: number;
  /** Override the template hash (an old ReplicaSet's pod). */
  specHash?: string;
  withoutSandbox?: boolean;
  /** Drop this app container (removed by hand). */
  missing?: string;
}

/** A pod the controller `key` of `inventory` would have created, observed in the given shape. */
export function podOf(inventory: readonly InventoryEntry[], key: string, f: PodFixture = {}): ObservedPod {
  const resources: Resource[] = inventory.map((e) => ({ key: e.key, object: e.object as Resource['object'], source: { file: '', line: 0, column: 0 } }));
  const w = buildDesiredState(resources, { hashKey: TEST_HASH_KEY }).workloads.find((x) => x.key === key);
  if (!w) throw new Error(`no workload ${key} in the fixture inventory`);
  const hash = f.specHash ?? w.template.hash;
  const name = f.name ?? (w.kind === 'Pod' ? w.name : `${w.kind === 'Deployment' ? `${w.name}-${hash}` : w.name}-abcde`);
  const plan = w.template.build(name);
  const owner = f.specHash ? plan.owner.replace(w.template.hash, f.specHash) : plan.owner;
  const created = f.createdAt ?? NOW - 3600_000;
  const containers: ObservedContainer[] = plan.containers
    .filter((c) => c.name !== f.missing)
    .map((c) => ({
      id: hex(`${name}/${c.name}`),
      dockerName: `berth_t_${plan.namespace}_${name}_${c.name}`,
      name: c.name,
      role: 'container',
      image: c.image,
      imageId: 'sha256:feedface',
      state: f.state ?? 'running',
      restartCount: f.restartCount ?? 0,
      restarting: false,
      startedAt: created + 2000,
      ...(f.exitCode !== undefined ? { exitCode: f.exitCode } : {}),
      ...(f.finishedAt !== undefined ? { finishedAt: f.finishedAt } : {}),
    }));
  return {
    namespace: plan.namespace,
    name,
    key: `${plan.namespace}/${name}`,
    owner,
    controller: plan.controller,
    specHash: hash,
    labels: { ...plan.labels, ...(f.specHash && plan.labels['pod-template-hash'] ? { 'pod-template-hash': f.specHash } : {}) },
    restartPolicy: plan.restartPolicy,
    createdAt: created,
    ...(f.withoutSandbox ? {} : { sandbox: { id: hex(name), dockerName: `berth_t_${plan.namespace}_${name}`, state: 'running' as const, ip: f.ip ?? '172.20.0.5', startedAt: created + 1000 } }),
    initContainers: [],
    containers,
    expectedContainers: plan.containers.map((c) => c.name),
    expectedInitContainers: [],
    ready: false,
  };
}

/** A container-id-like hex string, stable per seed. */
export function hex(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

export interface StateFixture {
  inventory?: InventoryEntry[];
  pods?: ObservedPod[];
  networks?: ObservedNetwork[];
  volumes?: ObservedVolume[];
  services?: ObservedService[];
  podStatuses?: PodStatusRecord[];
  jobs?: JobRecord[];
  cronStates?: Array<[string, CronState]>;
  rollouts?: Array<[string, RolloutRecord[]]>;
  probes?: Array<[string, ContainerProbes]>;
  effectiveTemplates?: Array<[string, PodTemplateSpec]>;
  divergences?: Divergence[];
  paused?: string[];
  /** PersistentVolume bindings the store holds. */
  volumeBindings?: VolumeBindingRecord[];
  /** Who drives the app (a live lease); default a daemon, `null` for nobody. */
  controller?: LeaseHolder | null;
}

/** The holder of a live lease in fixtures: a daemon drives the app. */
export const DAEMON: LeaseHolder = { id: 'daemon-1', pid: 4242, hostname: 'dockerhost', kind: 'daemon' };

export function liveState(f: StateFixture): LiveState {
  const inventory = f.inventory ?? [];
  const podStatuses = new Map((f.podStatuses ?? []).map((s) => [s.podKey, s]));
  // The pure half of runtime/observe.ts: stored restarts merged and readiness by the one rule.
  const host = assembleObservation({
    app: 't',
    pods: (f.pods ?? []).map((p) => withStoredStatus(p, podStatuses.get(p.key))),
    networks: f.networks ?? [{ namespace: 'default', id: 'net1', name: 'berth_t_default', createdAt: NOW - 5 * 86400_000, gateway: '172.20.0.1' }],
    volumes: f.volumes ?? [],
    services: f.services ?? [],
    probes: new Map((f.probes ?? []).map(([id, p]) => [id, { ...p, ports: [] }])),
    inventory,
    podStatuses,
  });
  return {
    templateHashKey: TEST_HASH_KEY,
    effectiveTemplates: new Map(f.effectiveTemplates ?? []),
    divergences: new Map((f.divergences ?? []).map((d) => [d.deployment, d])),
    paused: new Set(f.paused ?? []),
    app: 't',
    now: NOW,
    host,
    inventory,
    podStatuses,
    jobs: new Map((f.jobs ?? []).map((j) => [j.jobKey, j])),
    cronStates: new Map(f.cronStates ?? []),
    rollouts: new Map(f.rollouts ?? []),
    nodePorts: [],
    ...(f.volumeBindings ? { volumeBindings: f.volumeBindings } : {}),
    node: hostNode({ name: 'dockerhost', arch: 'amd64' }),
    ...(f.controller === null ? {} : { controller: f.controller ?? DAEMON }),
  };
}

export const WEB = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web', tier: 'front' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web', tier: 'front' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'shop/web:1.0',
            ports: [{ name: 'http', containerPort: 8080 }],
            env: [
              { name: 'MODE', value: 'prod' },
              { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } },
              { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'greeting' } } },
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            ],
            resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '50m', memory: '64Mi' } },
            readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 2 },
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
          },
        ],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
      },
    },
  },
};

export const CREDS = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, type: 'Opaque', data: { token: Buffer.from('s3cr3t-value').toString('base64') } };
export const CFG = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { greeting: 'hello', 'app.properties': 'a=1\nb=2\n' } };

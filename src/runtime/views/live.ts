import type { AcmeAccountRecord, CertificateRecord } from '../../model/certificate-state.js';
import type { DockerClient } from '../../apply/docker.js';
import type { ContainerDetail } from '../../apply/observe.js';
import { edgeOf } from '../edge.js';
import { edgeSettings } from '../../model/policy.js';
import type { Observation } from '../observe.js';
import { observe } from '../observe.js';
import type { Clock } from '../../model/clock.js';
import { buildDesiredState, hasRollouts } from '../../plan/desired.js';
import type { NodeInfo } from '../../model/node-scheduling.js';
import { readHostNode } from '../node-facts.js';
import { replicaOverrides, withReplicaOverrides } from '../../plan/overrides.js';
import type { HashKey } from '../../model/hash.js';
import type { VolumeBindingRecord } from '../../model/storage.js';
import type { AnyObject, PodTemplateSpec } from '../../model/types.js';
import { appHashKeys } from '../host-key.js';
import { sourceRevisionOf } from '../../model/source-revision.js';
import { effectiveDesired } from '../../plan/rollouts/effective.js';
import type { Divergence } from '../../plan/rollouts/state.js';
import { deploymentKeys, readRolloutState } from '../rollout-state.js';
import type { CronState, InventoryEntry, JobRecord, NodePortAllocation, PodStatusRecord, RolloutRecord, Store, LeaseHolder } from '../store/index.js';
import { ROLLOUT_KINDS } from '../../model/kinds.js';

/**
 * Everything `get`, `describe`, `delete`, `logs` and `exec` read: the app's Docker objects
 * (observed in detail: restart counts, start times) and what the store remembers about them.
 * Plain data once read, so the Kubernetes-shaped views built from it are pure functions.
 */
export interface LiveState {
  app: string;
  /**
   * Key of the app's pod-template-hash (runtime/host-key.ts), so the views name ReplicaSets as
   * the pass does. Secret: views read it, never output it.
   */
  templateHashKey: HashKey;
  /** When this was read (ms); AGE columns count from here. */
  now: number;
  /** The one observation (runtime/observe.ts): pods carry restarts and readiness by the one rule. */
  host: Observation;
  inventory: InventoryEntry[];
  /** Last readiness a prober recorded, by pod key `namespace/name`. */
  podStatuses: ReadonlyMap<string, PodStatusRecord>;
  /** Job outcomes by `Job/ns/name`. */
  jobs: ReadonlyMap<string, JobRecord>;
  /** CronJob state by `CronJob/ns/name`. */
  cronStates: ReadonlyMap<string, CronState>;
  /** Rollout history by `Deployment/ns/name`, oldest first. */
  rollouts: ReadonlyMap<string, RolloutRecord[]>;
  nodePorts: NodePortAllocation[];
  /**
   * Deployments running another template than their manifest's (undo pin, automatic rollback,
   * restart stamp): the template they really run, so ReplicaSets are labelled truthfully.
   */
  effectiveTemplates: ReadonlyMap<string, PodTemplateSpec>;
  /** Why those Deployments diverge from their source (pinned by undo, rolled back), by key. */
  divergences: ReadonlyMap<string, Divergence>;
  /** Deployments paused by `rollout pause` (an override, not in the manifest). */
  paused: ReadonlySet<string>;
  /**
   * The one node this host is (runtime/node-facts.ts readHostNode, with the applied policy's
   * labels and taints): the NODE column, DaemonSet placement and local volumes' binding read it,
   * as a pass does. Absent in views built without a host.
   */
  node?: NodeInfo;
  /** PersistentVolume bindings the store holds (runtime/store/volume-bindings.ts); absent: none read. */
  volumeBindings?: VolumeBindingRecord[];
  /** Issued certificates and ACME accounts (runtime/store/certificates.ts); absent: none read. */
  certificates?: CertificateRecord[];
  acmeAccounts?: AcmeAccountRecord[];
  /**
   * Who drives the app right now (a live lease: a daemon, or an apply in progress). Absent:
   * nothing heals or rolls out between commands, and the views say so (NoController).
   */
  controller?: LeaseHolder;
  /** The edge of the app's applied policy (runtime/edge.ts edgeOf): Ingress ADDRESS and PORTS; absent in views built without a host. */
  edge?: { ports: { http: number; https: number }; address?: string; running: boolean; listening?: boolean };
}

export interface ReadLiveOptions {
  app: string;
  /** The asker's host name: a lease of a dead process on it drives nothing (store liveLease). */
  hostname?: string;
  /**
   * The containers whose details (start times, restart counts, exit details) the views to be
   * built show (views/detail.ts); absent: every container's. Others read as a pass reads them.
   */
  detail?: ContainerDetail;
}

export async function readLiveState(deps: { docker: DockerClient; store: Store; clock: Clock }, options: ReadLiveOptions): Promise<LiveState> {
  const { docker, store, clock } = deps;
  const { app } = options;
  const [host, { node }, edge] = await Promise.all([observe(deps, { app, detail: options.detail ?? true }), readHostNode(docker, store.getAppliedPolicy(app)), edgeOf(docker, edgeSettings(store.getAppliedPolicy(app)))]);
  // Objects as they run: with the replica counts `berth scale` set (the inventory keeps the source's).
  const inventory = withReplicaOverrides(host.inventory, replicaOverrides(store.listDeploymentOverrides(app)));
  const templateHashKey = appHashKeys(store, app).template;
  const rollouts = new Map<string, RolloutRecord[]>();
  for (const e of inventory) if (ROLLOUT_KINDS.has(e.kind)) rollouts.set(e.key, store.listRollouts(app, e.key));
  const { templates: effectiveTemplates, divergences, paused } = effectiveDeployments(store, app, inventory);
  const cronStates = new Map<string, CronState>();
  for (const e of inventory) {
    if (e.kind !== 'CronJob') continue;
    const s = store.getCronState(app, e.key);
    if (s) cronStates.set(e.key, s);
  }
  return {
    app,
    templateHashKey,
    now: clock.now(),
    host,
    inventory,
    podStatuses: host.podStatuses,
    jobs: new Map(store.listJobs(app).map((j) => [j.jobKey, j])),
    cronStates,
    rollouts,
    effectiveTemplates,
    divergences: new Map(divergences.map((d) => [d.deployment, d])),
    paused,
    nodePorts: store.listNodePorts(app),
    volumeBindings: store.listVolumeBindings(app),
    certificates: store.listCertificates(app),
    acmeAccounts: store.listAcmeAccounts(app),
    node,
    edge,
    ...controllerOf(store, app, clock.now(), options.hostname),
  };
}

/** The holder of the app's lease while it is live; an expired lease, or a dead holder on this host, drives nothing. */
function controllerOf(store: Store, app: string, now: number, hostname: string | undefined): { controller?: LeaseHolder } {
  const lease = hostname === undefined ? store.getLease(app) : store.liveLease(app, hostname);
  return lease && lease.expiresAt > now ? { controller: lease.holder } : {};
}


/**
 * What the app's Deployments really run, as a pass decides it (plan/rollouts/effective.ts, whose
 * store changes a view ignores): the template of each one that diverges from its source, and
 * why. Status and views ask here, so none of them reports a pinned or rolled-back Deployment as
 * running its source.
 */
export function effectiveDeployments(
  store: Store,
  app: string,
  inventory: readonly InventoryEntry[] = store.getInventory(app),
): { templates: Map<string, PodTemplateSpec>; divergences: Divergence[]; paused: Set<string>; hashes: Map<string, string> } {
  const templates = new Map<string, PodTemplateSpec>();
  const paused = new Set<string>();
  /** The hash of the template each Deployment, DaemonSet and StatefulSet runs, diverging or not (the live diff compares it). */
  const hashes = new Map<string, string>();
  if (!inventory.some((e) => ROLLOUT_KINDS.has(e.kind))) return { templates, divergences: [], paused, hashes };
  const desired = buildDesiredState(
    inventory.map((e) => ({ key: e.key, object: e.object as AnyObject, source: { file: '', line: 0, column: 0 } })),
    { hashKey: appHashKeys(store, app).template },
  );
  const state = readRolloutState(store, app, deploymentKeys(desired));
  const effective = effectiveDesired(desired, state, { sourceRevision: sourceRevisionOf(store.getSourceStatus(app), inventory) });
  for (const w of effective.desired.workloads) {
    const source = desired.workloads.find((x) => x.key === w.key);
    if ((hasRollouts(w) || w.kind === 'StatefulSet') && source && source.template.hash !== w.template.hash) templates.set(w.key, w.podTemplate);
    if (w.kind === 'Deployment' && w.paused) paused.add(w.key);
    if (hasRollouts(w) || w.kind === 'StatefulSet') hashes.set(w.key, w.template.hash);
  }
  return { templates, divergences: effective.divergences, paused, hashes };
}

import type { DockerClient } from '../apply/docker.js';
import type { ContainerProbes, ObservedHost, ObserveOptions } from '../apply/observe.js';
import { observeDocker } from '../apply/observe.js';
import type { PodStatusRecord } from '../model/state.js';
import type { ObservedPod, ObservedState } from '../plan/observed.js';
import type { ProberOpinion } from '../plan/readiness.js';
import { podReadiness } from '../plan/readiness.js';
import type { ManagedInspection } from '../plan/stored-status.js';
import { managedNeedingInspect, withStoredStatus } from '../plan/stored-status.js';
import type { InventoryEntry, Store } from './store/index.js';

import { withAppliedLabels } from '../plan/controllers/in-place.js';

/**
 * Readiness as a prober running in this process sees it (runtime/readiness.ts): an opinion on
 * a pod once it has probed it, nothing before. The rule that turns opinions, the store's
 * records and the pods' probes into `ready` is plan/readiness.ts.
 */
export interface ReadinessSource {
  /** undefined: this source has no opinion on the pod (yet). */
  opinion(pod: ObservedPod): ProberOpinion | undefined;
  /** Called with every observation so the source can start/stop probing pods. */
  track?(host: ProbedPods): void;
  /** Resolves when readiness of some pod changed (or after `ms`), to re-plan promptly. */
  changed?(ms: number, signal?: AbortSignal): Promise<void>;
}

/** What a prober needs of an observation: the pods and their containers' probes. */
export interface ProbedPods {
  readonly pods: readonly ObservedPod[];
  readonly probes: ReadonlyMap<string, ContainerProbes & { ports?: unknown[] }>;
}

/**
 * The app as observed for one plan step: Docker's objects, the store's pod status merged in,
 * readiness decided by the one rule, and the inventory. Frozen once built: the planner, the
 * views and the live diff all read the same data, and nobody patches it afterwards.
 */
export interface Observation extends Omit<ObservedHost, 'probes'>, ObservedState {
  readonly probes: ReadonlyMap<string, ContainerProbes & { ports: unknown[] }>;
  readonly inventory: InventoryEntry[];
  /** The store's pod status records by pod key, as read for this observation. */
  readonly podStatuses: ReadonlyMap<string, PodStatusRecord>;
}

export interface ObserveRequest {
  app: string;
  /** See ObserveOptions.detail: `true` for views (start times, restart counts), `'probed'` when this process probes, a ContainerDetail for views of a few pods. */
  detail?: ObserveOptions['detail'];
  /** See ObserveOptions.inspectPods: pods Docker just reported dying. */
  inspectPods?: ReadonlySet<string>;
  /** Look for lost secret-volume files (passes that may write them again). */
  volumeFiles?: boolean;
  /** The prober of this process, when one runs here. */
  readiness?: ReadinessSource;
  /** The inventory to plan against, when not the store's current one (a pass that recorded its revision first). */
  inventory?: readonly InventoryEntry[];
}

/** Observes the app once: the one function behind a pass, the live diff, the views and delete. */
export async function observe(deps: { docker: DockerClient; store: Store }, req: ObserveRequest): Promise<Observation> {
  // Docker first, then the store's marks. Read the other way round, a pod deleted in full and made
  // again under its name (a bare Pod, a StatefulSet ordinal) between the two reads wore the old
  // pod's Terminating mark, and another berth process finishing terminations killed the new pod.
  // This order has the opposite window (a pod removed by a background termination between the
  // reads shows without its mark until the next observation); marks that name the pod instance
  // (its sandbox) would close both.
  const host = await observeDocker(deps.docker, { app: req.app, detail: req.detail ?? false, ...(req.volumeFiles ? { volumeFiles: true } : {}), ...(req.inspectPods?.size ? { inspectPods: req.inspectPods } : {}) });
  const podStatuses = new Map(deps.store.getPodStatuses(req.app).map((s) => [s.podKey, s]));
  const inspected = await inspectManaged(deps.docker, managedNeedingInspect(host.pods, podStatuses));
  const inventory = [...(req.inventory ?? deps.store.getInventory(req.app))];
  const pods = host.pods.map((p) => withAppliedLabels(withStoredStatus(p, podStatuses.get(p.key), inspected), inventory));
  const merged = freeze({ ...host, pods, inventory, podStatuses });
  // The prober learns which pods to probe from the host as merged (managed restarts' start times).
  // Only the pods and their probes: a daemon's prober keeps what it was last told until the
  // next pass, and the whole observation would keep the previous revision's inventory (every
  // object of it, parsed) alive for as long as the daemon idles (issue 13 #7).
  req.readiness?.track?.({ pods: merged.pods, probes: merged.probes });
  return assembleObservation(merged, (pod) => req.readiness?.opinion(pod));
}

/**
 * The pure half of `observe`: readiness of every pod by the one rule (plan/readiness.ts), from
 * the prober's opinions, the store's records and the pods' probes. Views' test fixtures build
 * their state through it too.
 */
export function assembleObservation(base: Omit<Observation, 'pods'> & { pods: readonly ObservedPod[] }, opinion: (pod: ObservedPod) => ProberOpinion | undefined = () => undefined): Observation {
  const pods = base.pods.map((pod) => {
    const probed = new Set(pod.containers.filter((c) => base.probes.get(c.id)?.readinessProbe).map((c) => c.name));
    const prober = opinion(pod);
    const r = podReadiness({ pod, probed, ...(prober ? { prober } : {}), ...(base.podStatuses.has(pod.key) ? { record: base.podStatuses.get(pod.key)! } : {}) });
    const { readySince: _since, probeMessages: _messages, ...rest } = pod;
    return { ...rest, ready: r.ready, containersReady: r.containers, ...(r.readySince !== undefined ? { readySince: r.readySince } : {}), ...(r.probeMessages ? { probeMessages: r.probeMessages } : {}) };
  });
  return freeze({ ...base, pods });
}

/** Start time and restart policy of the containers whose restarts berth manages (the hand-back check). */
async function inspectManaged(docker: DockerClient, ids: readonly string[]): Promise<Map<string, ManagedInspection>> {
  const out = new Map<string, ManagedInspection>();
  await Promise.all(
    ids.map(async (id) => {
      const info = await docker.api.getContainer(id).inspect().catch(() => undefined);
      if (!info) return;
      const started = Date.parse(info.State.StartedAt);
      out.set(id, { ...(Number.isNaN(started) ? {} : { startedAt: started }), dockerRestartPolicy: info.HostConfig?.RestartPolicy?.Name || 'no' });
    }),
  );
  return out;
}

/** Deep-freezes plain objects and arrays (Maps stay as they are; their types are read-only). */
function freeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value) || value instanceof Map || value instanceof Set) return value;
  for (const v of Object.values(value)) freeze(v);
  return Object.freeze(value);
}

/**
 * A copy runtime/services.ts may complete in place (NodePorts, what each proxy and DNS server
 * runs, readiness holds): those are still written into the observation there, so it gets its own
 * service records rather than the frozen ones.
 */
export function forServices(o: Observation): Observation & { services: ObservedState['services']; dns?: ObservedState['dns'] } {
  return {
    ...o,
    services: o.services.map((s) => ({ ...s, ...(s.hostRules ? { hostRules: { ...s.hostRules } } : {}) })),
    ...(o.dns ? { dns: o.dns.map((d) => ({ ...d })) } : {}),
  };
}

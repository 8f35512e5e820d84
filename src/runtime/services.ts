import type { DockerClient } from '../apply/docker.js';
import { dockerError } from '../apply/docker.js';
import { L, ownedFilter } from '../apply/labels.js';
import type { ContainerProbes } from '../apply/observe.js';
import type { DeletePodHooks, PodContext } from '../apply/pod.js';
import { readConfig, readStatus, waitForStatus } from '../apply/services/config-writer.js';
import { hostDirOf, type MountInfo } from '../apply/services/host-status.js';
import { PROXY_CONFIG_DIR } from '../apply/images/dataplane.js';
import type { DataplaneState } from '../apply/services/dataplane-state.js';
import type { DataplaneStatus, ProxyConfig } from '../dataplane/protocol.js';
import type { ObservedPod, ObservedState } from '../plan/observed.js';
import { CLUSTER_DOMAIN } from '../plan/services.js';
import type { Clock } from '../model/clock.js';
import type { Logger } from './log.js';
import type { Store } from './store/index.js';
import { drainFromEdges } from './edge.js';

/**
 * The runtime half of Services (docs/services.md): what planning needs beyond Docker's
 * container list (what each proxy and DNS server runs, which pods' readiness this process
 * does not know yet), the DNS settings of new pods, and the drain that takes a pod out of
 * every Service before it is stopped.
 */
export interface ServicesRuntime {
  /**
   * Completes an observation for planning; reads, never writes. `probing` (a prober decides
   * readiness in this process) holds the readiness of pods it only just met (see holds).
   * Node ports are planned apart (runtime/node-ports.ts).
   */
  observe(observed: ObservedState & { probes?: ReadonlyMap<string, ContainerProbes> }, options: { probing: boolean }): Promise<void>;
  /** PodContext.dns: the namespace's DNS server and Kubernetes' search domains. */
  dns(namespace: string): { servers: string[]; search: string[] };
  /** `base` plus the drain before a pod's containers get SIGTERM. */
  hooks(base?: DeletePodHooks): DeletePodHooks;
  /** Takes a pod out of every Service of its namespace and waits until the proxies confirm (beforeStop). */
  drain(pod: ObservedPod): Promise<void>;
}

export interface ServicesDeps {
  docker: DockerClient;
  store: Store;
  clock: Clock;
  log: Logger;
  /** The app's data-plane memory, shared with the PodContext of every pass (runtime/compose.ts). */
  dataplane: DataplaneState;
}

/** How long a proxy may take to confirm a new endpoint set before a pod is stopped anyway. */
export const DRAIN_ACK_TIMEOUT_MS = 10_000;
/** How long a removed endpoint's open connections may finish before its pod is stopped. */
export const DRAIN_QUIET_MAX_MS = 3_000;
/**
 * How long a pod's sandbox waits, after its containers stopped, for the host fast paths to
 * delete the pod's closed flows (kernel-forwarder.ts): they delete every 500 ms.
 */
export const SANDBOX_FLOWS_MAX_MS = 3_000;
/** Longest readiness hold: the most a prober needs to decide about a pod it just met. */
const HOLD_MAX_MS = 120_000;

/**
 * One runtime per app for the life of its composition root (runtime/compose.ts), so the daemon,
 * whose prober lives across passes, also keeps what it knows about pods across passes.
 */
export function createServices(deps: ServicesDeps, app: string): ServicesRuntime {
  const { docker, store, clock, log } = deps;
  const { writer, dns: dnsDirectory } = deps.dataplane;
  const firstSeen = new Map<string, number>();
  const startedAt = clock.now();

  async function observe(observed: ObservedState & { probes?: ReadonlyMap<string, ContainerProbes> }, options: { probing: boolean }): Promise<void> {
    await Promise.all([
      ...observed.services.map(async (s) => {
        if (s.state === 'running' || s.state === 'restarting') s.config = writer.appliedConfig(s.containerId, await statusOf(s.containerId, 'proxy', s.hostDir));
      }),
      ...observed.services.map(async (s) => {
        const h = s.hostRules;
        if (h && (h.state === 'running' || h.state === 'restarting')) h.config = writer.appliedConfig(h.containerId, await statusOf(h.containerId, 'proxy', h.hostDir));
      }),
      ...(observed.dns ?? []).map(async (d) => {
        dnsDirectory.remember(d.namespace, d.ip);
        if (d.state === 'running' || d.state === 'restarting') d.config = writer.appliedConfig(d.containerId, await statusOf(d.containerId, 'dns', d.hostDir));
      }),
    ]);
    if (options.probing) observed.endpointHolds = holds(observed);
  }

  async function statusOf(containerId: string, kind: 'proxy' | 'dns', hostDir?: string): Promise<DataplaneStatus | undefined> {
    // Where its config dir is on the host: this pass's writes to it go there (config-writer.ts).
    writer.noteHostDir(containerId, hostDir);
    try {
      return await readStatus(docker, containerId, kind, hostDir);
    } catch (err) {
      log.warn({ err, containerId }, 'could not read data-plane status');
      return undefined;
    }
  }

  /**
   * Pods this process met less than a probe cycle ago and does not see ready yet: its prober
   * starts every pod as not ready, so without the hold each `berth apply` would take every
   * probed pod out of rotation until its first probe. A pod leaves a hold once the prober
   * calls it ready, or once the probe has had time to fail for real. A pod created since this
   * process started has no earlier readiness to keep (Docker's creation time has 1 s resolution).
   */
  function holds(observed: ObservedState & { probes?: ReadonlyMap<string, ContainerProbes> }): string[] {
    const now = clock.now();
    const out: string[] = [];
    const present = new Set<string>();
    for (const pod of observed.pods) {
      present.add(pod.key);
      if (!firstSeen.has(pod.key)) firstSeen.set(pod.key, now);
      if (pod.ready || pod.createdAt >= startedAt - 2_000) continue;
      const window = Math.min(HOLD_MAX_MS, Math.max(0, ...pod.containers.map((c) => decisionMs(observed.probes?.get(c.id)?.readinessProbe))));
      if (now - firstSeen.get(pod.key)! < window) out.push(pod.key);
    }
    for (const key of firstSeen.keys()) if (!present.has(key)) firstSeen.delete(key);
    return out;
  }

  function dns(namespace: string): { servers: string[]; search: string[] } {
    const ip = dnsDirectory.get(namespace);
    if (!ip) return { servers: [], search: [] };
    return { servers: [ip], search: [`${namespace}.svc.${CLUSTER_DOMAIN}`, `svc.${CLUSTER_DOMAIN}`, CLUSTER_DOMAIN] };
  }

  async function drain(pod: ObservedPod): Promise<void> {
    let proxies: Array<{ Id: string; Mounts?: MountInfo[] }>;
    try {
      proxies = await docker.api.listContainers({ filters: ownedFilter(app, `${L.role}=proxy`, `${L.namespace}=${pod.namespace}`) });
    } catch (err) {
      throw dockerError(err, `listing the service proxies of namespace ${pod.namespace}`);
    }
    // The edge's routes too (runtime/edge.ts): the same pod leaves both at once.
    await Promise.all([...proxies.map((p) => drainFrom(p.Id, hostDirOf(p.Mounts, PROXY_CONFIG_DIR), pod)), drainFromEdges({ docker, clock, log, store, writer }, app, pod)]);
  }

  /** Removes the pod from one proxy's endpoints (unless already gone) and waits until it is out and quiet. */
  async function drainFrom(containerId: string, hostDir: string | undefined, pod: ObservedPod): Promise<void> {
    const target = await writer.serialized(containerId, async () => {
      const status = await statusOf(containerId, 'proxy', hostDir);
      const statusGen = status?.generation ?? 0;
      const pending = writer.lastWritten(containerId);
      let current: ProxyConfig | undefined;
      if (pending && pending.generation > statusGen) current = pending.payload as ProxyConfig;
      else if (status?.kind === 'proxy' && status.endpoints.some((e) => e.name === pod.name && e.state !== 'draining'))
        current = (await readConfig(docker, containerId, 'proxy', statusGen, undefined, hostDir).catch(() => undefined)) as ProxyConfig | undefined;
      const listed = current?.endpoints.some((e) => (e.name ?? e.ip) === pod.name) ?? false;
      if (current && listed) {
        const without = { ...current, endpoints: current.endpoints.filter((e) => (e.name ?? e.ip) !== pod.name) };
        return writer.writeNow({ docker, clock }, containerId, 'proxy', without, Math.max(statusGen, pending?.generation ?? 0));
      }
      if (pending && pending.generation > statusGen) return pending.generation;
      // Still draining connections from an earlier removal: wait for those.
      return status?.kind === 'proxy' && status.endpoints.some((e) => e.name === pod.name) ? statusGen : undefined;
    });
    if (target === undefined) return;
    const applied = await waitForStatus({ docker, clock }, containerId, 'proxy', (s) => s.generation >= target, DRAIN_ACK_TIMEOUT_MS, { hostDir });
    if (!applied) {
      log.warn({ pod: pod.key, containerId }, 'proxy did not confirm the endpoint removal in time; stopping the pod anyway');
      store.addEvent({ app, type: 'Warning', reason: 'DrainTimeout', objectKey: `Pod/${pod.key}`, message: `service proxy ${containerId.slice(0, 12)} did not confirm removing the pod within ${DRAIN_ACK_TIMEOUT_MS / 1000} s` });
      return;
    }
    const quiet = (s: DataplaneStatus) => s.kind !== 'proxy' || !s.endpoints.some((e) => e.name === pod.name && e.active > 0);
    if (!quiet(applied)) await waitForStatus({ docker, clock }, containerId, 'proxy', quiet, DRAIN_QUIET_MAX_MS, { pollMs: 200, hostDir });
  }

  /**
   * Waits until no proxy of the namespace reports flows to the pod's address, at most
   * SANDBOX_FLOWS_MAX_MS (for a single-container pod before its stop, see hooks). Removing the
   * sandbox makes dockerd purge every host conntrack entry
   * of that address, racing with clients that reuse a closed flow's source port: its delete can
   * hit the live flow that replaced it on the host fast path (conntrack.ts departedClosedFlows,
   * issue 13 #4). The fast path deletes those closed flows itself first and reports them until
   * then, so there is nothing left for dockerd to get wrong.
   */
  async function flowsGone(pod: ObservedPod): Promise<void> {
    const ip = pod.sandbox?.ip;
    if (!ip) return;
    let proxies: Array<{ Id: string; Mounts?: MountInfo[] }>;
    try {
      proxies = await docker.api.listContainers({ filters: ownedFilter(app, `${L.role}=proxy`, `${L.namespace}=${pod.namespace}`) });
    } catch (err) {
      throw dockerError(err, `listing the service proxies of namespace ${pod.namespace}`);
    }
    // Only the fast paths matter (dockerd purges the host's table, not a proxy's), and only a
    // status read after this point: after the stop, their last connections closed as they
    // stopped; before it (a single pod), the drain has ended every flow it could wait for.
    const stoppedAt = clock.now();
    const gone = (s: DataplaneStatus) =>
      s.kind !== 'proxy' || s.flowsAt === undefined || (Date.parse(s.flowsAt) > stoppedAt && !s.endpoints.some((e) => e.ip === ip && e.active > 0));
    await Promise.all(proxies.map((p) => waitForStatus({ docker, clock }, p.Id, 'proxy', gone, SANDBOX_FLOWS_MAX_MS, { pollMs: 200, hostDir: hostDirOf(p.Mounts, PROXY_CONFIG_DIR) }).catch(() => false)));
  }

  return {
    observe,
    dns,
    drain,
    hooks: (base) => ({
      ...base,
      beforeStop: async (pod) => {
        await base?.beforeStop?.(pod);
        await drain(pod);
        // A single-container pod's address is held by its one container, not by a sandbox that
        // outlives the stop: dockerd purges the address's conntrack entries as that container
        // stops, before afterStop could wait. Its pod shape was chosen when it was made, so a
        // NodePort or LoadBalancer Service added since can route host fast-path flows to it
        // (plan/pod-shape.ts). The wait goes here instead: after the drain (the pod is out of
        // every endpoint, so no new flow comes) and before the stop signal.
        if (pod.sandbox?.shape === 'single') await flowsGone(pod);
      },
      afterStop: async (pod) => {
        await base?.afterStop?.(pod);
        if (pod.sandbox?.shape !== 'single') await flowsGone(pod);
      },
    }),
  };
}

/** Time for a readiness probe to reach a verdict from scratch: delay, then failureThreshold periods. */
function decisionMs(probe: { initialDelaySeconds?: number; periodSeconds?: number; timeoutSeconds?: number; failureThreshold?: number } | undefined): number {
  if (!probe) return 0;
  return ((probe.initialDelaySeconds ?? 0) + (probe.periodSeconds ?? 10) * (probe.failureThreshold ?? 3) + (probe.timeoutSeconds ?? 1)) * 1000;
}

import type Dockerode from 'dockerode';
import type { DockerClient } from '../apply/docker.js';
import { dockerError } from '../apply/docker.js';
import { EL } from '../apply/edge/container.js';
import { L } from '../apply/labels.js';
import type { ConfigWriter } from '../apply/services/config-writer.js';
import { readConfig, readStatus, waitForStatus } from '../apply/services/config-writer.js';
import { hostDirOf } from '../apply/services/host-status.js';
import { DEFAULT_EDGE_CONFIG_DIR } from '../dataplane/protocol.js';
import type { DataplaneStatus, EdgeConfig, EdgeStatus } from '../dataplane/protocol.js';
import type { Clock } from '../model/clock.js';
import type { EdgeSettings } from '../model/policy.js';
import { edgeName } from '../plan/edge/plan.js';
import type { DockerState, ObservedEdge, ObservedPod } from '../plan/observed.js';
import type { Logger } from './log.js';
import type { Store } from './store/index.js';

/**
 * The runtime half of the edge (docs/ingress.md): what planning needs beyond Docker's container
 * list (what each edge runs for this app, which hosts other apps hold there), and the drain that
 * takes a pod out of this app's routes before it is stopped. The edges are shared: every app
 * sees all of them, and reads and writes only its own fragment.
 */
export interface EdgeDeps {
  docker: DockerClient;
  clock: Clock;
  log: Logger;
  writer: ConfigWriter;
}

/** How long an edge may take to confirm a fragment without a pod before the pod is stopped anyway (the proxies' figure). */
export const EDGE_DRAIN_ACK_TIMEOUT_MS = 10_000;
/** How long a removed endpoint's requests in flight and tunnels may finish before its pod is stopped. */
export const EDGE_DRAIN_QUIET_MAX_MS = 3_000;

async function listEdges(docker: DockerClient, all: boolean): Promise<Dockerode.ContainerInfo[]> {
  try {
    const found = await docker.api.listContainers({ all, filters: { label: [`${L.managed}=true`, `${L.role}=edge`] } });
    return found.filter((c) => c.Labels[L.app] === undefined);
  } catch (err) {
    throw dockerError(err, 'listing the edge containers');
  }
}

/**
 * The edge of these settings as `get ingress` shows it: its ports, whether it runs, and whether it
 * listens on all of them (a container that runs but cannot bind serves nothing: no ADDRESS).
 */
export async function edgeOf(docker: DockerClient, settings: EdgeSettings): Promise<{ ports: { http: number; https: number }; address?: string; running: boolean; listening: boolean }> {
  // What get shows is never worth failing get for: an engine that cannot say reads as no edge.
  const info = await (async () => docker.api.getContainer(edgeName(settings)).inspect())().catch(() => undefined);
  const running = info?.Config?.Labels?.[L.role] === 'edge' && (info.State?.Running === true || info.State?.Restarting === true);
  const status = running && info ? await readStatus(docker, info.Id, 'edge', hostDirOf(info.Mounts, DEFAULT_EDGE_CONFIG_DIR)).catch(() => undefined) : undefined;
  // No status read (just started, or unreadable): not known to listen, so no address is claimed.
  const listening = status?.kind === 'edge' && (status.listening ?? []).every((l) => l.state === 'listening');
  return { ports: { http: settings.httpPort, https: settings.httpsPort }, ...(settings.address ? { address: settings.address } : {}), running, listening };
}

/** Every edge on the host, with this app's fragment as applied and what every app holds there. */
export async function observeEdges(deps: EdgeDeps, app: string): Promise<ObservedEdge[]> {
  const out: ObservedEdge[] = [];
  for (const c of await listEdges(deps.docker, true)) {
    const [http, https] = (c.Labels[EL.ports] ?? '').split(',').map(Number);
    const edge: ObservedEdge = {
      containerId: c.Id,
      name: c.Names[0]?.replace(/^\//, '') ?? c.Id,
      state: c.State as DockerState,
      specHash: c.Labels[L.specHash] ?? '',
      ports: { http: http ?? 0, https: https ?? 0 },
    };
    const layout = Number(c.Labels[EL.layout]);
    if (Number.isInteger(layout) && layout > 0) edge.layout = layout;
    if (edge.state === 'running' || edge.state === 'restarting') {
      const status = await statusOf(deps, c.Id, hostDirOf(c.Mounts, DEFAULT_EDGE_CONFIG_DIR));
      edge.config = deps.writer.appliedConfig(c.Id, status, app);
      if (status?.kind === 'edge') {
        edge.apps = Object.fromEntries(Object.entries(status.apps).map(([a, s]) => [a, { hosts: s.hosts, conflicts: s.conflicts, errors: s.errors.map((e) => ({ code: e.code, message: e.message })) }]));
        edge.errors = status.errors.map((e) => ({ code: e.code, message: e.message }));
        edge.listening = (status.listening ?? []).map((l) => ({ name: l.name, port: l.port, state: l.state, ...(l.error === undefined ? {} : { error: l.error }) }));
        edge.acknowledged = status.apps[app]?.generation ?? 0;
      }
    }
    out.push(edge);
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

async function statusOf(deps: Pick<EdgeDeps, 'docker' | 'log'>, containerId: string, hostDir: string | undefined): Promise<DataplaneStatus | undefined> {
  try {
    return await readStatus(deps.docker, containerId, 'edge', hostDir);
  } catch (err) {
    deps.log.warn({ err, containerId }, 'could not read the edge status');
    return undefined;
  }
}

/**
 * Takes a pod out of this app's fragment on every running edge that has it, and waits until the
 * edge confirms and the pod's requests in flight are done (beforeStop, beside the proxies'
 * drain): a rollout behind an Ingress fails no request. The pass has normally written the
 * fragment without the pod already (write-edge runs before pod deletions); then this only waits.
 */
export async function drainFromEdges(deps: EdgeDeps & { store: Store }, app: string, pod: ObservedPod): Promise<void> {
  const edges = await listEdges(deps.docker, false);
  await Promise.all(edges.map((c) => drainFrom(deps, app, c.Id, hostDirOf(c.Mounts, DEFAULT_EDGE_CONFIG_DIR), pod)));
}

const inPod = (pod: ObservedPod) => (e: { name: string }) => e.name === pod.name;

async function drainFrom(deps: EdgeDeps & { store: Store }, app: string, containerId: string, hostDir: string | undefined, pod: ObservedPod): Promise<void> {
  const { docker, clock, writer } = deps;
  const generationOf = (s: DataplaneStatus | undefined) => (s?.kind === 'edge' ? (s.apps[app]?.generation ?? 0) : 0);
  const listedIn = (s: DataplaneStatus | undefined): s is EdgeStatus => s?.kind === 'edge' && s.endpoints.some((e) => e.app === app && inPod(pod)(e));
  const target = await writer.serialized(containerId, async () => {
    const status = await statusOf(deps, containerId, hostDir);
    if (status?.kind !== 'edge' || !status.apps[app]) return undefined;
    const statusGen = generationOf(status);
    const pending = writer.lastWritten(containerId);
    let current: EdgeConfig | undefined;
    if (pending && pending.generation > statusGen) current = pending.payload as EdgeConfig;
    else if (listedIn(status) && status.endpoints.some((e) => e.app === app && inPod(pod)(e) && e.state !== 'draining'))
      current = (await readConfig(docker, containerId, 'edge', statusGen, app).catch(() => undefined)) as EdgeConfig | undefined;
    const ours = (b: EdgeConfig['backends'][number]) => b.service.namespace === pod.namespace;
    const listed = current?.backends.some((b) => ours(b) && b.endpoints.some(inPod(pod))) ?? false;
    if (current && listed) {
      const without: EdgeConfig = { ...current, backends: current.backends.map((b) => (ours(b) ? { ...b, endpoints: b.endpoints.filter((e) => !inPod(pod)(e)) } : b)) };
      return writer.writeNow({ docker, clock }, containerId, 'edge', without, Math.max(statusGen, pending?.generation ?? 0));
    }
    if (pending && pending.generation > statusGen) return pending.generation;
    // Still draining requests from an earlier removal: wait for those.
    return listedIn(status) ? statusGen : undefined;
  });
  if (target === undefined) return;
  const applied = await waitForStatus({ docker, clock }, containerId, 'edge', (s) => generationOf(s) >= target, EDGE_DRAIN_ACK_TIMEOUT_MS, { hostDir });
  if (!applied) {
    deps.log.warn({ pod: pod.key, containerId }, 'edge did not confirm the endpoint removal in time; stopping the pod anyway');
    deps.store.addEvent({ app, type: 'Warning', reason: 'DrainTimeout', objectKey: `Pod/${pod.key}`, message: `edge ${containerId.slice(0, 12)} did not confirm removing the pod within ${EDGE_DRAIN_ACK_TIMEOUT_MS / 1000} s` });
    return;
  }
  const quiet = (s: DataplaneStatus) => s.kind !== 'edge' || !s.endpoints.some((e) => e.app === app && inPod(pod)(e) && e.active > 0);
  if (!quiet(applied)) await waitForStatus({ docker, clock }, containerId, 'edge', quiet, EDGE_DRAIN_QUIET_MAX_MS, { pollMs: 200, hostDir });
}

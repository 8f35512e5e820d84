import { readFile } from 'node:fs/promises';
import type { DockerClient } from '../apply/docker.js';
import { dockerError, isNotFound } from '../apply/docker.js';
import type { Clock } from '../model/clock.js';
import type { NodeInfo } from '../model/node-scheduling.js';
import type { DockerStats, HostCpuSample, Usage } from '../model/resource-usage.js';
import { containerUsage, hostNanocores, hostWorkingSetBytes, parseProcStat } from '../model/resource-usage.js';
import type { ObservedPod } from '../plan/observed.js';

/** A pod's usage as the Metrics API's PodMetrics holds it: one entry per running container. */
export interface PodUsage {
  namespace: string;
  name: string;
  containers: Array<{ name: string; usage: Usage }>;
}

/**
 * Docker answers a stats request without streaming only after its next sample (about a
 * second): requests run side by side so 30 pods take about as long as one, bounded so a large
 * host does not open hundreds of connections at once.
 */
const STATS_CONCURRENCY = 24;

/**
 * The usage of each pod's running containers, app and init (a running init container is a
 * sidecar, and kubelet reports it). The sandbox holding the pod's network namespace is left out,
 * as kubelet leaves out the pause container: a pod's figure is the sum of its containers' lines.
 * Pods with no container measured (none running, or all started within Docker's last sample)
 * are absent, as metrics-server omits them.
 */
export async function readPodUsage(docker: DockerClient, pods: readonly ObservedPod[]): Promise<PodUsage[]> {
  const jobs = pods.flatMap((pod) => [...pod.initContainers, ...pod.containers].filter((c) => c.state === 'running').map((c) => ({ pod, container: c })));
  const usages = await mapBounded(jobs, STATS_CONCURRENCY, async ({ container }) => readContainerUsage(docker, container.id));
  const byPod = new Map<ObservedPod, PodUsage>();
  jobs.forEach(({ pod, container }, i) => {
    const usage = usages[i];
    if (!usage) return;
    let entry = byPod.get(pod);
    if (!entry) byPod.set(pod, (entry = { namespace: pod.namespace, name: pod.name, containers: [] }));
    entry.containers.push({ name: container.name, usage });
  });
  return pods.flatMap((p) => byPod.get(p) ?? []);
}

async function readContainerUsage(docker: DockerClient, id: string): Promise<Usage | undefined> {
  try {
    const stats = (await docker.api.getContainer(id).stats({ stream: false })) as DockerStats;
    return containerUsage(stats);
  } catch (err) {
    // Removed since it was observed: no figure, as for a pod that is gone.
    if (isNotFound(err)) return undefined;
    throw dockerError(err, `reading the resource usage of container ${id.slice(0, 12)}`);
  }
}

/** The host as `top node` shows it: the node `get` names, its capacity, and its usage when berth can measure it. */
export interface NodeUsage {
  node: NodeInfo;
  /** CPUs (cores) and memory (bytes) as Docker reports them. berth reserves nothing, so allocatable is the same. */
  capacity: { cores: number; bytes: number };
  allocatable: { cores: number; bytes: number };
  /** Absent when the Docker host is another machine: its /proc is out of berth's reach. */
  usage?: Usage;
}

export interface ReadNodeUsageOptions {
  /** The node as runtime/node-facts.ts reads it (name, labels). */
  node: NodeInfo;
  capacity: { cores: number; bytes: number };
  /** Docker runs on this machine (a unix socket): its /proc/stat and /proc/meminfo are the node's. */
  local: boolean;
  /** Sampling window for the CPU rate (ms); metrics-server's is longer, a second is steady enough for a look. */
  windowMs?: number;
  /** Where /proc is (tests). */
  procRoot?: string;
}

/**
 * The node's usage as kubelet reports it for the node's root cgroup: CPU busy time over a
 * window from /proc/stat, and the working set from /proc/meminfo.
 */
export async function readNodeUsage(clock: Pick<Clock, 'sleep'>, options: ReadNodeUsageOptions): Promise<NodeUsage> {
  const base = { node: options.node, capacity: options.capacity, allocatable: options.capacity };
  if (!options.local) return base;
  const proc = options.procRoot ?? '/proc';
  const sampleCpu = async (): Promise<HostCpuSample | undefined> => parseProcStat(await readFile(`${proc}/stat`, 'utf8').catch(() => ''));
  const before = await sampleCpu();
  await clock.sleep(options.windowMs ?? 1000);
  const [after, meminfo] = await Promise.all([sampleCpu(), readFile(`${proc}/meminfo`, 'utf8').catch(() => '')]);
  const nanocores = before && after ? hostNanocores(before, after) : undefined;
  const bytes = hostWorkingSetBytes(meminfo);
  return nanocores === undefined || bytes === undefined ? base : { ...base, usage: { nanocores, bytes } };
}

/** `fn` over `items` with at most `limit` calls in flight; results in the items' order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

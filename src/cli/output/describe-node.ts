import { parseQuantity } from '../../model/quantity.js';
import type { ViewOf } from '../../runtime/views/index.js';
import { age } from './age.js';
import { DescribeWriter, describeTime, labelLines } from './describe.js';
import type { NodeObject } from './node-object.js';
import { nodeRoles } from './node-object.js';

/**
 * `berth describe node`: kubectl's layout for the Docker host. Pods are the app's (berth
 * reads one app's state at a time), so the pods table says whose they are; pods of other apps
 * on the same host use it too but are not counted.
 */
export interface DescribeNodeInput {
  node: NodeObject;
  /** The app's pods (all namespaces). */
  pods: readonly ViewOf<'Pod'>[];
  app: string;
  now: number;
}

interface PodResources {
  cpuRequests: number;
  cpuLimits: number;
  memoryRequests: number;
  memoryLimits: number;
}

type Resources = { requests?: Record<string, string>; limits?: Record<string, string> } | undefined;

function amount(r: Resources, side: 'requests' | 'limits', name: string): number {
  const text = r?.[side]?.[name];
  return text === undefined ? 0 : (parseQuantity(text) ?? 0);
}

function resourcesOf(c: object): Resources {
  return 'resources' in c ? (c.resources as Resources) : undefined;
}

/** kubectl's pod figure: the containers' sum, or the largest init container's when that is more (they run one at a time, before). */
export function podResources(spec: ViewOf<'Pod'>['object']['spec']): PodResources {
  const sum = (side: 'requests' | 'limits', name: string) => spec.containers.reduce((t, c) => t + amount(resourcesOf(c), side, name), 0);
  const init = (side: 'requests' | 'limits', name: string) => Math.max(0, ...(spec.initContainers ?? []).map((c) => amount(resourcesOf(c), side, name)));
  const eff = (side: 'requests' | 'limits', name: string) => Math.max(sum(side, name), init(side, name));
  return { cpuRequests: eff('requests', 'cpu'), cpuLimits: eff('limits', 'cpu'), memoryRequests: eff('requests', 'memory'), memoryLimits: eff('limits', 'memory') };
}

/** Cores as kubectl prints a CPU quantity: `1`, `250m`, `0`. */
export function cpuText(cores: number): string {
  const milli = Math.round(cores * 1000);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** Bytes in the largest binary unit that divides them: `128Mi`, `1Gi`, `0`. */
export function memoryText(bytes: number): string {
  if (bytes === 0) return '0';
  for (const [unit, size] of [['Ei', 2 ** 60], ['Pi', 2 ** 50], ['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) if (bytes % size === 0) return `${bytes / size}${unit}`;
  return String(bytes);
}

/** `100m (5%)`: the share of allocatable, truncated as kubectl does. */
function share(text: string, value: number, allocatable: number): string {
  return `${text} (${allocatable > 0 ? Math.trunc((value / allocatable) * 100) : 0}%)`;
}

export function describeNode(input: DescribeNodeInput): string {
  const { node, now } = input;
  const w = new DescribeWriter();
  w.kv(0, 'Name', node.metadata.name);
  w.kv(0, 'Roles', nodeRoles(node.metadata.labels));
  w.list(0, 'Labels', labelLines(node.metadata.labels));
  w.kv(0, 'Annotations', '<none>');
  w.kv(0, 'CreationTimestamp', '<unknown>');
  w.list(0, 'Taints', (node.spec.taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`));
  w.kv(0, 'Unschedulable', 'false');
  w.line(0, 'Conditions:');
  w.table(1, [
    ['Type', 'Status', 'LastHeartbeatTime', 'LastTransitionTime', 'Reason', 'Message'],
    ['----', '------', '-----------------', '------------------', '------', '-------'],
    ...node.status.conditions.map((c) => [c.type, c.status, describeTime(c.lastHeartbeatTime), '<unknown>', c.reason, c.message]),
  ]);
  w.line(0, 'Addresses:');
  for (const a of node.status.addresses) w.kv(1, a.type, a.address);
  w.line(0, 'Capacity:');
  for (const [k, v] of Object.entries(node.status.capacity)) w.kv(1, k, v);
  w.line(0, 'Allocatable:');
  for (const [k, v] of Object.entries(node.status.allocatable)) w.kv(1, k, v);
  const info = node.status.nodeInfo;
  w.line(0, 'System Info:');
  w.kv(1, 'Kernel Version', info.kernelVersion);
  w.kv(1, 'OS Image', info.osImage);
  w.kv(1, 'Operating System', info.operatingSystem);
  w.kv(1, 'Architecture', info.architecture);
  w.kv(1, 'Container Runtime Version', info.containerRuntimeVersion);
  w.kv(1, 'Kubelet Version', info.kubeletVersion);
  const cpu = parseQuantity(node.status.allocatable['cpu'] ?? 0) ?? 0;
  const memory = parseQuantity(node.status.allocatable['memory'] ?? 0) ?? 0;
  // kubectl leaves out pods that have finished: they hold no resources.
  const running = input.pods.filter((p) => p.object.status.phase !== 'Succeeded' && p.object.status.phase !== 'Failed');
  w.kv(0, 'Non-terminated Pods', `(${running.length} in total, of app ${input.app})`);
  const figures = running.map((p) => podResources(p.object.spec));
  w.table(1, [
    ['Namespace', 'Name', 'CPU Requests', 'CPU Limits', 'Memory Requests', 'Memory Limits', 'Age'],
    ['---------', '----', '------------', '----------', '---------------', '-------------', '---'],
    ...running.map((p, i) => {
      const f = figures[i]!;
      return [p.namespace, p.name, share(cpuText(f.cpuRequests), f.cpuRequests, cpu), share(cpuText(f.cpuLimits), f.cpuLimits, cpu), share(memoryText(f.memoryRequests), f.memoryRequests, memory), share(memoryText(f.memoryLimits), f.memoryLimits, memory), age(p.createdAt, now)];
    }),
  ]);
  const total = (k: keyof PodResources) => figures.reduce((t, f) => t + f[k], 0);
  w.line(0, 'Allocated resources:');
  w.line(1, '(Total limits may be over 100 percent, i.e., overcommitted.)');
  w.table(1, [
    ['Resource', 'Requests', 'Limits'],
    ['--------', '--------', '------'],
    ['cpu', share(cpuText(total('cpuRequests')), total('cpuRequests'), cpu), share(cpuText(total('cpuLimits')), total('cpuLimits'), cpu)],
    ['memory', share(memoryText(total('memoryRequests')), total('memoryRequests'), memory), share(memoryText(total('memoryLimits')), total('memoryLimits'), memory)],
  ]);
  // berth records no events about the node.
  w.kv(0, 'Events', '<none>');
  return w.render();
}

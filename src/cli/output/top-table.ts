import { BerthError } from '../../model/errors.js';
import type { Usage } from '../../model/resource-usage.js';
import { cpuText, memoryText, percentText, sumUsage } from '../../model/resource-usage.js';
import type { NodeUsage, PodUsage } from '../../runtime/top.js';

/** `--sort-by` of top: kubectl accepts these two and sorts the largest first. */
export type TopSort = 'cpu' | 'memory';

export function parseTopSort(text: string | undefined): TopSort | undefined {
  if (text === undefined || text === '') return undefined;
  if (text === 'cpu' || text === 'memory') return text;
  throw new BerthError('USAGE', '--sort-by accepts only cpu or memory', { value: text });
}

export interface PodTopOptions {
  allNamespaces: boolean;
  containers: boolean;
  sortBy?: TopSort;
  sum: boolean;
  noHeaders: boolean;
}

const byUsage = (sortBy: TopSort) => (a: Usage, b: Usage): number => (sortBy === 'cpu' ? b.nanocores - a.nanocores : b.bytes - a.bytes);

/**
 * `top pod` as kubectl prints it: NAME, CPU(cores), MEMORY(bytes) (NAMESPACE first with -A; POD
 * before NAME with --containers, a line per container); by namespace and name, or largest first
 * with --sort-by (containers within a pod too); --sum adds kubectl's underline and total line.
 */
export function podTopRows(pods: readonly PodUsage[], options: PodTopOptions): string[][] {
  const total = (p: PodUsage): Usage => sumUsage(p.containers.map((c) => c.usage));
  const sorted = [...pods].sort((a, b) => {
    if (options.sortBy) {
      const d = byUsage(options.sortBy)(total(a), total(b));
      if (d !== 0) return d;
    }
    return (options.allNamespaces ? a.namespace.localeCompare(b.namespace) : 0) || a.name.localeCompare(b.name);
  });
  const ns = (p: PodUsage): string[] => (options.allNamespaces ? [p.namespace] : []);
  const cells = (u: Usage): string[] => [cpuText(u.nanocores), memoryText(u.bytes)];
  const rows: string[][] = [];
  const leading = (options.allNamespaces ? ['NAMESPACE'] : []).concat(options.containers ? ['POD'] : []);
  if (!options.noHeaders) rows.push([...leading, 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
  for (const pod of sorted) {
    if (!options.containers) {
      rows.push([...ns(pod), pod.name, ...cells(total(pod))]);
      continue;
    }
    // Without --sort-by containers keep the pod's order (kubectl keeps the Metrics API's).
    const containers = options.sortBy ? [...pod.containers].sort((a, b) => byUsage(options.sortBy!)(a.usage, b.usage)) : pod.containers;
    for (const c of containers) rows.push([...ns(pod), pod.name, c.name, ...cells(c.usage)]);
  }
  if (options.sum) {
    const blank = Array<string>(leading.length).fill('');
    rows.push([...blank, '', '________', '________']);
    rows.push([...blank, '', ...cells(sumUsage(pods.map(total)))]);
  }
  return rows;
}

export interface NodeTopOptions {
  sortBy?: TopSort;
  noHeaders: boolean;
  /** Percentages of capacity instead of allocatable (kubectl's --show-capacity). */
  showCapacity: boolean;
}

/**
 * `top node`: NAME, CPU(cores), CPU(%), MEMORY(bytes), MEMORY(%) of allocatable (or capacity);
 * a node whose usage berth cannot measure reads `<unknown>`, as kubectl prints a node without
 * metrics.
 */
export function nodeTopRows(nodes: readonly NodeUsage[], options: NodeTopOptions): string[][] {
  const sorted = [...nodes].sort((a, b) => {
    if (options.sortBy && a.usage && b.usage) {
      const d = byUsage(options.sortBy)(a.usage, b.usage);
      if (d !== 0) return d;
    }
    return a.node.name.localeCompare(b.node.name);
  });
  const rows: string[][] = options.noHeaders ? [] : [['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']];
  for (const n of sorted) {
    const of = options.showCapacity ? n.capacity : n.allocatable;
    if (!n.usage) {
      rows.push([n.node.name, '<unknown>', '<unknown>', '<unknown>', '<unknown>']);
      continue;
    }
    // kubectl divides the millicores it prints (rounded up) by allocatable's.
    const milli = Math.ceil(n.usage.nanocores / 1e6);
    rows.push([n.node.name, cpuText(n.usage.nanocores), percentText(milli, of.cores * 1000), memoryText(n.usage.bytes), percentText(n.usage.bytes, of.bytes)]);
  }
  return rows;
}

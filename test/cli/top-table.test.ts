import { describe, expect, it } from 'vitest';
import { nodeTopRows, parseTopSort, podTopRows } from '../../src/cli/output/top-table.js';
import { formatColumns } from '../../src/cli/output/table.js';
import { dockerIsLocal } from '../../src/cli/commands/top.js';
import { BerthError } from '../../src/model/errors.js';
import type { NodeUsage, PodUsage } from '../../src/runtime/top.js';

/** `berth top` tables, line for line as kubectl top prints the same figures. */
const Mi = 1024 * 1024;
const m = (milli: number) => milli * 1e6;
const PODS: PodUsage[] = [
  { namespace: 'default', name: 'web-b', containers: [{ name: 'app', usage: { nanocores: m(5), bytes: 40 * Mi } }, { name: 'log', usage: { nanocores: m(300), bytes: 2 * Mi } }] },
  { namespace: 'default', name: 'web-a', containers: [{ name: 'app', usage: { nanocores: m(12), bytes: 90 * Mi } }] },
  { namespace: 'batch', name: 'burn', containers: [{ name: 'main', usage: { nanocores: m(990) + 1, bytes: 1 * Mi } }] },
];
const base = { allNamespaces: false, containers: false, sum: false, noHeaders: false };
const table = (pods: PodUsage[], options: Partial<typeof base> & { sortBy?: 'cpu' | 'memory' }) => formatColumns(podTopRows(pods, { ...base, ...options }));
const DEFAULT = PODS.filter((p) => p.namespace === 'default');

describe('top pod', () => {
  it.each([
    ['by name, a pod the sum of its containers', {}, ['NAME    CPU(cores)   MEMORY(bytes)', 'web-a   12m          90Mi', 'web-b   305m         42Mi']],
    ['--sort-by=cpu: the largest first', { sortBy: 'cpu' as const }, ['NAME    CPU(cores)   MEMORY(bytes)', 'web-b   305m         42Mi', 'web-a   12m          90Mi']],
    ['--sort-by=memory', { sortBy: 'memory' as const }, ['NAME    CPU(cores)   MEMORY(bytes)', 'web-a   12m          90Mi', 'web-b   305m         42Mi']],
    ['--no-headers', { noHeaders: true }, ['web-a   12m    90Mi', 'web-b   305m   42Mi']],
    [
      '--containers: POD and NAME, containers in the pod\'s order',
      { containers: true },
      ['POD     NAME   CPU(cores)   MEMORY(bytes)', 'web-a   app    12m          90Mi', 'web-b   app    5m           40Mi', 'web-b   log    300m         2Mi'],
    ],
    [
      '--containers --sort-by=cpu sorts the containers too',
      { containers: true, sortBy: 'cpu' as const },
      ['POD     NAME   CPU(cores)   MEMORY(bytes)', 'web-b   log    300m         2Mi', 'web-b   app    5m           40Mi', 'web-a   app    12m          90Mi'],
    ],
    ['--sum: kubectl\'s underline and total', { sum: true }, ['NAME    CPU(cores)   MEMORY(bytes)', 'web-a   12m          90Mi', 'web-b   305m         42Mi', '        ________     ________', '        317m         132Mi']],
  ])('%s', (_, options, lines) => {
    expect(table(DEFAULT, options)).toBe(lines.map((l) => l.replace(/ +$/, '')).join('\n') + '\n');
  });

  it('-A: NAMESPACE first, by namespace then name; CPU rounds up to a millicore', () => {
    expect(table(PODS, { allNamespaces: true })).toBe(
      ['NAMESPACE   NAME    CPU(cores)   MEMORY(bytes)', 'batch       burn    991m         1Mi', 'default     web-a   12m          90Mi', 'default     web-b   305m         42Mi', ''].join('\n'),
    );
  });

  it('-A --containers --sum lines the total under the figures', () => {
    const rows = podTopRows(PODS.slice(1), { ...base, allNamespaces: true, containers: true, sum: true });
    expect(rows.at(-2)).toEqual(['', '', '', '________', '________']);
    expect(rows.at(-1)).toEqual(['', '', '', '1003m', '91Mi']);
    expect(rows[0]).toEqual(['NAMESPACE', 'POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
  });
});

describe('--sort-by', () => {
  it.each([
    ['cpu', 'cpu'],
    ['memory', 'memory'],
    [undefined, undefined],
    ['', undefined],
  ])('%s', (text, want) => {
    expect(parseTopSort(text)).toBe(want);
  });

  it('refuses anything else with kubectl\'s words, as a usage error', () => {
    expect(() => parseTopSort('.metadata.name')).toThrow(BerthError);
    expect(() => parseTopSort('name')).toThrow('--sort-by accepts only cpu or memory');
  });
});

describe('top node', () => {
  const node = (name: string, usage?: NodeUsage['usage']): NodeUsage => ({
    node: { name, labels: {}, taints: [] } as unknown as NodeUsage['node'],
    capacity: { cores: 2, bytes: 8192 * Mi },
    allocatable: { cores: 2, bytes: 4096 * Mi },
    ...(usage ? { usage } : {}),
  });

  it.each([
    ['percentages of allocatable', { showCapacity: false }, ['NAME   CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)', 'vm     251m         12%      1024Mi          25%']],
    ['--show-capacity: of capacity', { showCapacity: true }, ['NAME   CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)', 'vm     251m         12%      1024Mi          12%']],
  ])('%s', (_, options, lines) => {
    expect(formatColumns(nodeTopRows([node('vm', { nanocores: m(250) + 5, bytes: 1024 * Mi })], { noHeaders: false, ...options }))).toBe(lines.join('\n') + '\n');
  });

  it('a node berth cannot measure reads <unknown>, as kubectl prints a node without metrics', () => {
    expect(nodeTopRows([node('remote')], { noHeaders: true, showCapacity: false })).toEqual([['remote', '<unknown>', '<unknown>', '<unknown>', '<unknown>']]);
  });

  it('--sort-by orders nodes largest first', () => {
    const rows = nodeTopRows([node('a', { nanocores: 1, bytes: 9 }), node('b', { nanocores: 9, bytes: 1 })], { noHeaders: true, showCapacity: false, sortBy: 'cpu' });
    expect(rows.map((r) => r[0])).toEqual(['b', 'a']);
  });
});

describe('dockerIsLocal: when /proc is the node', () => {
  it.each([
    [undefined, true],
    ['', true],
    ['unix:///var/run/docker.sock', true],
    ['unix:///run/user/1000/docker.sock', true],
    ['tcp://10.0.0.5:2375', false],
    ['ssh://admin@build-host', false],
  ])('DOCKER_HOST=%s → %s', (host, local) => {
    expect(dockerIsLocal(host)).toBe(local);
  });
});

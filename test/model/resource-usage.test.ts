import { describe, expect, it } from 'vitest';
import type { DockerStats } from '../../src/model/resource-usage.js';
import { containerUsage, cpuNanocores, cpuText, hostNanocores, hostWorkingSetBytes, memoryText, parseProcStat, parseTimestampNs, percentText, sumUsage, workingSetBytes } from '../../src/model/resource-usage.js';

/** kubectl top's arithmetic: CPU as a rate over Docker's window, memory as kubelet's working set. */
const stats = (o: { used: number; before: number; read: string; preread: string }): DockerStats => ({
  read: o.read,
  preread: o.preread,
  cpu_stats: { cpu_usage: { total_usage: o.used } },
  precpu_stats: { cpu_usage: { total_usage: o.before } },
});

describe('cpuNanocores', () => {
  it.each([
    ['a busy core over one second', { used: 2_000_000_000, before: 1_000_000_000, read: '2026-12-05T13:52:10.000000000Z', preread: '2026-12-05T13:52:09.000000000Z' }, 1e9],
    ['a quarter core over two seconds', { used: 1_500_000_000, before: 1_000_000_000, read: '2026-12-05T13:52:11.000000000Z', preread: '2026-12-05T13:52:09.000000000Z' }, 250_000_000],
    ['a window across a second boundary, nanosecond digits', { used: 150_700_551, before: 136_658_384, read: '2026-12-05T13:52:10.423440899Z', preread: '2026-12-05T13:52:09.41841249Z' }, 13_971_911],
    ['two cores busy', { used: 3_000_000_000, before: 1_000_000_000, read: '2026-12-05T13:52:10.5Z', preread: '2026-12-05T13:52:09.5Z' }, 2e9],
    ['idle', { used: 5, before: 5, read: '2026-12-05T13:52:10Z', preread: '2026-12-05T13:52:09Z' }, 0],
  ])('%s', (_, sample, nanocores) => {
    expect(cpuNanocores(stats(sample))).toBe(nanocores);
  });

  it.each([
    ['no earlier sample (Go zero time)', { used: 10, before: 0, read: '2026-12-05T13:52:10Z', preread: '0001-01-01T00:00:00Z' }],
    ['the counter went back (restarted)', { used: 10, before: 50, read: '2026-12-05T13:52:10Z', preread: '2026-12-05T13:52:09Z' }],
    ['an empty window', { used: 50, before: 10, read: '2026-12-05T13:52:10Z', preread: '2026-12-05T13:52:10Z' }],
  ])('no figure with %s', (_, sample) => {
    expect(cpuNanocores(stats(sample))).toBeUndefined();
    expect(containerUsage(stats(sample))).toBeUndefined();
  });

  it('is undefined when Docker answers without CPU figures (a stopped container)', () => {
    expect(cpuNanocores({ read: '2026-12-05T13:52:10Z', preread: '0001-01-01T00:00:00Z' })).toBeUndefined();
  });
});

describe('parseTimestampNs', () => {
  it.each([
    ['2026-12-05T13:52:10.423440899Z', { seconds: Date.UTC(2026, 11, 5, 13, 52, 10) / 1000, nanos: 423440899 }],
    ['2026-12-05T13:52:10Z', { seconds: Date.UTC(2026, 11, 5, 13, 52, 10) / 1000, nanos: 0 }],
    ['2026-12-05T14:52:10.5+01:00', { seconds: Date.UTC(2026, 11, 5, 13, 52, 10) / 1000, nanos: 500_000_000 }],
  ])('%s', (text, want) => {
    expect(parseTimestampNs(text)).toEqual(want);
  });

  it('reads Go zero time as before the epoch and refuses what is not a time', () => {
    expect(parseTimestampNs('0001-01-01T00:00:00Z')!.seconds).toBeLessThan(0);
    expect(parseTimestampNs('yesterday')).toBeUndefined();
  });
});

describe('workingSetBytes', () => {
  it.each([
    ['cgroup v1: usage minus total_inactive_file', { usage: 100 << 20, stats: { total_inactive_file: 30 << 20, inactive_file: 1 << 20 } }, 70 << 20],
    ['cgroup v2: usage minus inactive_file', { usage: 100 << 20, stats: { inactive_file: 10 << 20 } }, 90 << 20],
    ['no stats: usage', { usage: 5 << 20 }, 5 << 20],
    ['inactive above usage: zero, as kubelet', { usage: 1 << 20, stats: { inactive_file: 2 << 20 } }, 0],
    ['nothing', undefined, 0],
  ])('%s', (_, memory, bytes) => {
    expect(workingSetBytes(memory)).toBe(bytes);
  });

  it('containerUsage joins both', () => {
    const s = { ...stats({ used: 2e9, before: 1e9, read: '2026-12-05T13:52:10Z', preread: '2026-12-05T13:52:09Z' }), memory_stats: { usage: 4 << 20, stats: { inactive_file: 1 << 20 } } };
    expect(containerUsage(s)).toEqual({ nanocores: 1e9, bytes: 3 << 20 });
  });
});

describe('host usage from /proc', () => {
  const STAT = (user: number, idle: number) => `cpu  ${user} 0 ${user} ${idle} 10 0 5 0 0 0\ncpu0 1 0 1 1 0 0 0 0 0 0\ncpu1 1 0 1 1 0 0 0 0 0 0\nintr 1 2 3\n`;

  it('parses the cpu line: busy excludes idle and iowait; counts the CPUs', () => {
    expect(parseProcStat(STAT(100, 1000))).toEqual({ busy: 205, total: 1215, cpus: 2 });
    expect(parseProcStat('intr 1 2 3\n')).toBeUndefined();
  });

  it.each([
    ['one of two CPUs busy', { busy: 0, total: 0, cpus: 2 }, { busy: 100, total: 200, cpus: 2 }, 1e9],
    ['all four busy', { busy: 0, total: 0, cpus: 4 }, { busy: 400, total: 400, cpus: 4 }, 4e9],
    ['idle', { busy: 50, total: 100, cpus: 2 }, { busy: 50, total: 300, cpus: 2 }, 0],
  ])('hostNanocores: %s', (_, before, after, want) => {
    expect(hostNanocores(before, after)).toBe(want);
  });

  it('has no rate without ticks between the samples', () => {
    expect(hostNanocores({ busy: 1, total: 2, cpus: 1 }, { busy: 1, total: 2, cpus: 1 })).toBeUndefined();
  });

  it.each([
    ['in use minus inactive file pages', 'MemTotal:       1000 kB\nMemFree:         200 kB\nMemAvailable:    700 kB\nInactive(file):  300 kB\n', (1000 - 200 - 300) * 1024],
    ['without Inactive(file)', 'MemTotal: 1000 kB\nMemFree: 400 kB\n', 600 * 1024],
    ['unreadable', 'nothing here', undefined],
  ])('hostWorkingSetBytes: %s', (_, meminfo, want) => {
    expect(hostWorkingSetBytes(meminfo)).toBe(want);
  });
});

describe("kubectl's cells", () => {
  it.each([
    [0, '0m'],
    [1, '1m'],
    [13_971_911, '14m'],
    [1e9, '1000m'],
    [2_500_000_001, '2501m'],
  ])('cpuText(%d) = %s (millicores, rounded up)', (n, text) => {
    expect(cpuText(n)).toBe(text);
  });

  it.each([
    [0, '0Mi'],
    [(1 << 20) - 1, '0Mi'],
    [34.9 * (1 << 20), '34Mi'],
    [3 * (1 << 30), '3072Mi'],
  ])('memoryText(%d) = %s (mebibytes, rounded down)', (n, text) => {
    expect(memoryText(n)).toBe(text);
  });

  it.each([
    [250, 2000, '12%'],
    [2000, 2000, '100%'],
    [1, 0, '0%'],
    [999, 1000, '99%'],
  ])('percentText(%d of %d) = %s (truncated)', (used, of, text) => {
    expect(percentText(used, of)).toBe(text);
  });

  it('sums usages', () => {
    expect(sumUsage([{ nanocores: 1, bytes: 2 }, { nanocores: 3, bytes: 4 }])).toEqual({ nanocores: 4, bytes: 6 });
    expect(sumUsage([])).toEqual({ nanocores: 0, bytes: 0 });
  });
});

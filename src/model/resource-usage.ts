/**
 * Resource usage as `kubectl top` reports it (the Metrics API's `usage`): CPU as a rate in
 * nanocores over a sampling window, memory as the working set in bytes. Pure: computed from
 * samples the runtime read (Docker's stats, the host's /proc/stat and /proc/meminfo), so the
 * arithmetic is tested without Docker.
 */
export interface Usage {
  /** CPU rate in billionths of a core (the Metrics API's unit; kubectl prints it as millicores, rounded up). */
  nanocores: number;
  /** Working set: memory in use minus what the kernel can drop at once (inactive file pages). */
  bytes: number;
}

export const ZERO_USAGE: Usage = Object.freeze({ nanocores: 0, bytes: 0 });

export function addUsage(a: Usage, b: Usage): Usage {
  return { nanocores: a.nanocores + b.nanocores, bytes: a.bytes + b.bytes };
}

export function sumUsage(all: readonly Usage[]): Usage {
  return all.reduce(addUsage, ZERO_USAGE);
}

/**
 * The part of one `GET /containers/{id}/stats?stream=false` answer top reads. With
 * stream=false Docker waits for its next sample, so `precpu_stats` and `preread` hold the sample
 * before it (about a second earlier): the window a rate is measured over.
 */
export interface DockerStats {
  read?: string;
  preread?: string;
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
  precpu_stats?: { cpu_usage?: { total_usage?: number } };
  memory_stats?: { usage?: number; stats?: Record<string, number | undefined> };
}

/**
 * A container's usage from one stats answer, or undefined when Docker has no window yet (the
 * container started after its previous sample: `preread` is Go's zero time) or the counter went
 * backwards (the container restarted in between): metrics-server reports no value then either.
 */
export function containerUsage(stats: DockerStats): Usage | undefined {
  const cpu = cpuNanocores(stats);
  if (cpu === undefined) return undefined;
  return { nanocores: cpu, bytes: workingSetBytes(stats.memory_stats) };
}

/** CPU time used over wall time elapsed, as cadvisor and metrics-server compute it: cores, not a share of the host. */
export function cpuNanocores(stats: DockerStats): number | undefined {
  const used = stats.cpu_stats?.cpu_usage?.total_usage;
  const before = stats.precpu_stats?.cpu_usage?.total_usage;
  const read = stats.read !== undefined ? parseTimestampNs(stats.read) : undefined;
  const preread = stats.preread !== undefined ? parseTimestampNs(stats.preread) : undefined;
  if (used === undefined || before === undefined || read === undefined || preread === undefined) return undefined;
  if (preread.seconds <= 0 || before === 0) return undefined;
  const windowNs = (read.seconds - preread.seconds) * 1e9 + (read.nanos - preread.nanos);
  if (windowNs <= 0 || used < before) return undefined;
  return Math.round(((used - before) * 1e9) / windowNs);
}

/**
 * kubelet's working set: usage minus inactive file pages (cgroup v1 reports them as
 * `total_inactive_file`, counting child cgroups; v2 as `inactive_file`), never below zero.
 */
export function workingSetBytes(memory: DockerStats['memory_stats']): number {
  const usage = memory?.usage ?? 0;
  const inactive = memory?.stats?.total_inactive_file ?? memory?.stats?.inactive_file ?? 0;
  return Math.max(0, usage - inactive);
}

/**
 * An RFC 3339 time with up to nanosecond digits, as seconds since the epoch and nanoseconds: a
 * number of nanoseconds since the epoch does not fit a double exactly. Go's zero time
 * (`0001-01-01T00:00:00Z`) comes out with negative seconds.
 */
export function parseTimestampNs(text: string): { seconds: number; nanos: number } | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return { seconds: ms / 1000, nanos: Number((m[2] ?? '').padEnd(9, '0')) };
}

/** The host's CPU counters from /proc/stat's `cpu` line, in clock ticks, and how many CPUs it lists. */
export interface HostCpuSample {
  busy: number;
  total: number;
  cpus: number;
}

/**
 * `cpu  user nice system idle iowait irq softirq steal guest guest_nice`: guest time is already
 * in user and nice, so the first eight fields are the total; idle and iowait are not busy.
 */
export function parseProcStat(text: string): HostCpuSample | undefined {
  const lines = text.split('\n');
  const line = lines.find((l) => /^cpu\s/.test(l));
  if (!line) return undefined;
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (fields.length < 4 || fields.some((n) => !Number.isFinite(n))) return undefined;
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = fields[3]! + (fields[4] ?? 0);
  return { busy: total - idle, total, cpus: lines.filter((l) => /^cpu\d+\s/.test(l)).length };
}

/** The host's CPU use between two samples, in nanocores: the busy share of all ticks times the CPUs. */
export function hostNanocores(before: HostCpuSample, after: HostCpuSample): number | undefined {
  const total = after.total - before.total;
  const busy = after.busy - before.busy;
  if (total <= 0 || busy < 0) return undefined;
  return Math.round((busy / total) * after.cpus * 1e9);
}

/**
 * The host's memory working set from /proc/meminfo, as kubelet reports a node's: what is in use
 * (page cache included) minus inactive file pages.
 */
export function hostWorkingSetBytes(meminfo: string): number | undefined {
  const field = (name: string): number | undefined => {
    const m = new RegExp(`^${name.replace(/[()]/g, '\\$&')}:\\s+(\\d+)\\s*kB`, 'm').exec(meminfo);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const total = field('MemTotal');
  const free = field('MemFree');
  if (total === undefined || free === undefined) return undefined;
  return Math.max(0, total - free - (field('Inactive(file)') ?? 0));
}

/** kubectl's CPU(cores) cell: millicores, rounded up as Quantity.MilliValue does. */
export function cpuText(nanocores: number): string {
  return `${Math.ceil(nanocores / 1e6)}m`;
}

/** kubectl's MEMORY(bytes) cell: whole mebibytes, rounded down. */
export function memoryText(bytes: number): string {
  return `${Math.floor(bytes / (1024 * 1024))}Mi`;
}

/** kubectl's CPU(%) and MEMORY(%) cells: the share of allocatable, truncated; 0% of nothing. */
export function percentText(used: number, available: number): string {
  return `${available > 0 ? Math.trunc((used / available) * 100) : 0}%`;
}

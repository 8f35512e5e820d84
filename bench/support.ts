import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BERTH = `${ROOT}/bin/berth`;

export interface Timed {
  ms: number;
  code: number;
  stdout: string;
  stderr: string;
}

/** Wall time of one child process, from spawn to exit. */
export function timed(cmd: string, args: string[], env: Record<string, string> = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        ms: Number(process.hrtime.bigint() - started) / 1e6,
        code: code ?? -1,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      }),
    );
  });
}

export function must(t: Timed, what: string): Timed {
  if (t.code !== 0) throw new Error(`${what} failed with exit code ${t.code}:\n${t.stderr.slice(-3000)}`);
  return t;
}

export function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n');
}

/** CPU time of the whole machine so far: busy and idle, summed over every core (ms). */
function cpuTimes(): { busy: number; idle: number } {
  let busy = 0;
  let idle = 0;
  for (const c of cpus()) {
    busy += c.times.user + c.times.nice + c.times.sys + c.times.irq;
    idle += c.times.idle;
  }
  return { busy, idle };
}

/**
 * Waits until the machine is quiet: `samples` one-second windows in a row with at least
 * `idlePct` % of CPU idle, at most `maxMs`. Tearing down a hundred containers goes on after
 * the tool returns (the kernel frees each network namespace in a worker, dockerd its
 * bookkeeping), and whichever tool ran next paid for it: 1–2 s of a ~17 s cold apply in every
 * round (bench:apply, issue 18). Returns how long it waited and the last window's idle share,
 * for the log: a run that never settled says so.
 */
export async function settle(opts: { idlePct?: number; samples?: number; maxMs?: number } = {}): Promise<{ ms: number; idlePct: number; settled: boolean }> {
  const want = opts.idlePct ?? 85;
  const samples = opts.samples ?? 3;
  const maxMs = opts.maxMs ?? 60_000;
  const started = performance.now();
  let quiet = 0;
  let last = 0;
  while (performance.now() - started < maxMs) {
    const a = cpuTimes();
    await new Promise((r) => setTimeout(r, 1000));
    const b = cpuTimes();
    const total = b.busy - a.busy + (b.idle - a.idle);
    last = total > 0 ? ((b.idle - a.idle) / total) * 100 : 100;
    quiet = last >= want ? quiet + 1 : 0;
    if (quiet >= samples) return { ms: performance.now() - started, idlePct: last, settled: true };
  }
  return { ms: performance.now() - started, idlePct: last, settled: false };
}

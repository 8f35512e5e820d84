import { PassThrough, Writable } from 'node:stream';
import type { Readable } from 'node:stream';
import type { DockerClient } from '../apply/docker.js';
import { dockerError } from '../apply/docker.js';
import type { ObservedContainer } from '../plan/observed.js';
import { BerthError } from '../model/errors.js';
import { pump } from './container-io.js';

export interface LogOptions {
  follow: boolean;
  tail?: number;
  timestamps: boolean;
  /** ms epoch: only lines at or after (`--since`, `--since-time`). */
  since?: number;
  /** `--previous`: what the runs before the current one wrote. */
  previous: boolean;
  /** The pod's name, for messages. */
  pod: string;
  signal?: AbortSignal;
}

/**
 * How long before Docker's StartedAt a run's first line may be stamped: the process runs (and
 * writes) a moment before dockerd records the start, while the run before ended at least a
 * container start (runc create, tens of ms) earlier.
 */
const START_SLACK_MS = 20;

/**
 * Where the current run's output begins in a container's log (ms). berth restarts a crashed
 * container in place (Docker's restart policy, or `docker start` under CrashLoopBackOff), so one
 * Docker log holds every run; the kubelet instead keeps one log per container instance, and
 * `kubectl logs` shows the current one, `-p` the one before. A running container still shows
 * how its previous run ended (FinishedAt): the boundary is halfway between that end and the
 * new start, clear of both runs' lines.
 */
export function currentRunStart(state: { startedAt: number; finishedAt: number; running: boolean }): number {
  const { startedAt, finishedAt, running } = state;
  if (running && finishedAt > 0 && finishedAt < startedAt) return Math.max((finishedAt + startedAt) / 2, startedAt - START_SLACK_MS);
  return startedAt - START_SLACK_MS;
}

/** The Docker log window (Unix seconds, fractional) a request reads, or an error when there is nothing to read. */
export function logWindow(restarted: boolean, runStart: number, options: Pick<LogOptions, 'since' | 'previous'>): { since?: number; until?: number } {
  const since = options.since;
  if (options.previous) return { ...(since !== undefined ? { since: since / 1000 } : {}), until: runStart / 1000 };
  // A container that never restarted: its whole log is the current run (no boundary to guess).
  if (!restarted) return since !== undefined ? { since: since / 1000 } : {};
  return { since: Math.max(since ?? 0, runStart) / 1000 };
}

/**
 * The last `n` entries of a log read in full. Docker applies `tail` before `until`, so
 * `--previous --tail N` would keep the current run's last lines and then drop them all: the
 * window is read whole and cut here. Multiplexed logs are frames (8-byte header, one log line
 * each); a TTY's log is plain lines.
 */
export function tailEntries(buffer: Buffer, n: number, tty: boolean): Buffer {
  const starts: number[] = [];
  if (tty) {
    for (let i = 0; i < buffer.length; i = buffer.indexOf(10, i) + 1 || buffer.length) starts.push(i);
  } else {
    for (let i = 0; i + 8 <= buffer.length; i += 8 + buffer.readUInt32BE(i + 4)) starts.push(i);
  }
  if (starts.length <= n) return buffer;
  return n === 0 ? Buffer.alloc(0) : buffer.subarray(starts[starts.length - n]!);
}

/** A budget of bytes shared by a request's stdout and stderr (`--limit-bytes`). */
export interface ByteBudget {
  left: number;
}

/**
 * A writable that passes whole lines to `target`, each with `prefix`, so lines of concurrent
 * streams never mix within a line (kubectl reads each stream line by line too). With a budget,
 * it stops after that many bytes of the container's output (the prefix is berth's, not counted),
 * possibly inside a line, as the kubelet's `limitBytes` does, and calls `exhausted`.
 */
/** Calls `callback` once `target` has drained (or closed: nothing will drain it then). */
export function afterDrain(target: Writable, callback: () => void): void {
  const go = () => {
    target.off('drain', go);
    target.off('close', go);
    callback();
  };
  target.on('drain', go);
  target.on('close', go);
}

/** A line held back for its newline is written out as it is past this size. */
const MAX_PARTIAL_LINE = 64 * 1024;

export function lineSink(target: Writable, prefix: string, budget?: ByteBudget, exhausted?: () => void): Writable {
  let pending: Buffer = Buffer.alloc(0);
  let full = false;
  const emit = (line: Buffer) => {
    if (!target.write(prefix ? Buffer.concat([Buffer.from(prefix), line]) : line)) full = true;
  };
  // Backpressure carries through: a target that is full (a slow reader at the other end) holds
  // the container's stream until it drains, instead of this process buffering it.
  const settle = (callback: () => void) => {
    if (!full || target.destroyed) return callback();
    full = false;
    afterDrain(target, callback);
  };
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      const callback = () => settle(done);
      let data = chunk;
      if (budget) {
        if (budget.left <= 0) return callback();
        if (data.length >= budget.left) {
          data = data.subarray(0, budget.left);
          budget.left = 0;
          pending = Buffer.concat([pending, data]);
          if (pending.length) emit(pending);
          pending = Buffer.alloc(0);
          exhausted?.();
          return callback();
        }
        budget.left -= data.length;
      }
      pending = pending.length ? Buffer.concat([pending, data]) : data;
      for (let nl = pending.indexOf(10); nl >= 0; nl = pending.indexOf(10)) {
        emit(pending.subarray(0, nl + 1));
        pending = pending.subarray(nl + 1);
      }
      // A container that prints without a newline must not grow this buffer (and its copies) without end.
      if (pending.length >= MAX_PARTIAL_LINE) {
        emit(pending);
        pending = Buffer.alloc(0);
      }
      callback();
    },
    final(callback) {
      if (pending.length) emit(pending);
      pending = Buffer.alloc(0);
      callback();
    },
  });
}

/**
 * Copies one container's log (the current run, or with `previous` the runs before it) to
 * `out`/`err`. Docker multiplexes stdout and stderr with 8-byte frame headers unless the
 * container has a TTY; pump() splits them. The output streams are never ended here.
 */
export async function streamLogs(docker: DockerClient, container: ObservedContainer, options: LogOptions, out: Writable, err: Writable): Promise<void> {
  const handle = docker.api.getContainer(container.id);
  let info: Awaited<ReturnType<typeof handle.inspect>>;
  try {
    info = await handle.inspect();
  } catch (e) {
    throw dockerError(e, `inspecting container ${container.dockerName}`);
  }
  const tty = info.Config.Tty;
  const restarted = container.restartCount > 0 || info.RestartCount > 0;
  if (options.previous && !restarted) throw new BerthError('NOT_FOUND', `previous terminated container "${container.name}" in pod "${options.pod}" not found`, { pod: options.pod, container: container.name });
  const runStart = currentRunStart({ startedAt: Date.parse(info.State.StartedAt), finishedAt: Date.parse(info.State.FinishedAt) || 0, running: info.State.Running });
  const window = logWindow(restarted, runStart, options);
  const cutHere = window.until !== undefined && options.tail !== undefined;
  const params = {
    stdout: true,
    stderr: true,
    timestamps: options.timestamps,
    ...(options.tail !== undefined && !cutHere ? { tail: options.tail } : {}),
    ...window,
  };
  let source: Readable;
  try {
    if (options.follow && !options.previous) source = (await handle.logs({ ...params, follow: true })) as Readable;
    else {
      const buffer = (await handle.logs({ ...params, follow: false })) as unknown as Buffer;
      const passed = new PassThrough();
      passed.end(cutHere ? tailEntries(buffer, options.tail!, tty) : buffer);
      source = passed;
    }
  } catch (e) {
    throw dockerError(e, `reading the log of container ${container.dockerName}`);
  }
  await pump(docker, source, tty, out, err, options.signal);
}

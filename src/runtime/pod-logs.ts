import type { Writable } from 'node:stream';
import type { DockerClient } from '../apply/docker.js';
import type { ObservedContainer, ObservedPod } from '../plan/observed.js';
import { BerthError } from '../model/errors.js';
import type { ByteBudget, LogOptions } from './log-streams.js';
import { lineSink, streamLogs } from './log-streams.js';

/** One log stream `logs` reads: a container of a pod. */
export interface LogRequest {
  pod: ObservedPod;
  container: ObservedContainer;
}

export interface PodLogsOptions extends Omit<LogOptions, 'pod'> {
  /** `--prefix`: `[pod/NAME/CONTAINER] ` before every line. */
  prefix: boolean;
  /** `--limit-bytes`: per stream, as the kubelet's `limitBytes`. */
  limitBytes?: number;
  /** `--ignore-errors`: a stream that fails is reported and the others go on. */
  ignoreErrors: boolean;
  /** `--max-log-requests`: how many streams `-f` may follow at once. */
  maxRequests: number;
}

/** kubectl's `--prefix` text for a stream. */
export function logPrefix(r: { pod: { name: string }; container: { name: string } }): string {
  return `[pod/${r.pod.name}/${r.container.name}] `;
}

/** kubectl refuses to follow more streams than `--max-log-requests` rather than open them all. */
export function checkFollowLimit(requests: number, options: Pick<PodLogsOptions, 'follow' | 'maxRequests'>): void {
  if (options.follow && requests > 1 && requests > options.maxRequests)
    throw new BerthError(
      'USAGE',
      `you are attempting to follow ${requests} log streams, but maximum allowed concurrency is ${options.maxRequests}, use --max-log-requests to increase the limit`,
      { flag: '--max-log-requests', value: String(options.maxRequests) },
    );
}

/**
 * Prints the logs of every request as kubectl does: one after the other, or with `-f` all at
 * once, their lines interleaved as they come (whole lines, never mixed within one). An error
 * ends the command unless `ignoreErrors`, when it is printed as `error: …` and the rest goes on.
 */
export async function podLogs(docker: DockerClient, requests: readonly LogRequest[], options: PodLogsOptions, out: Writable, err: Writable, report: (e: unknown) => void): Promise<void> {
  checkFollowLimit(requests.length, options);
  // One failing stream (without --ignore-errors) ends the others too.
  const all = new AbortController();
  const abortAll = () => all.abort();
  options.signal?.addEventListener('abort', abortAll, { once: true });
  if (options.signal?.aborted) all.abort();
  const one = async (r: LogRequest): Promise<void> => {
    const prefix = options.prefix ? logPrefix(r) : '';
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    all.signal.addEventListener('abort', onAbort, { once: true });
    if (all.signal.aborted) stop.abort();
    const budget: ByteBudget | undefined = options.limitBytes !== undefined ? { left: options.limitBytes } : undefined;
    const sinks = [lineSink(out, prefix, budget, onAbort), lineSink(err, prefix, budget, onAbort)] as const;
    try {
      await streamLogs(docker, r.container, { ...options, pod: r.pod.name, signal: stop.signal }, sinks[0], sinks[1]);
    } catch (e) {
      if (!options.ignoreErrors) {
        all.abort();
        throw e;
      }
      report(e);
    } finally {
      all.signal.removeEventListener('abort', onAbort);
      await Promise.all(sinks.map((s) => new Promise<void>((resolve) => s.end(resolve))));
    }
  };
  try {
    if (options.follow) await Promise.all(requests.map(one));
    else for (const r of requests) await one(r);
  } finally {
    options.signal?.removeEventListener('abort', abortAll);
  }
}

import { PassThrough } from 'node:stream';
import type { Duplex, Readable, Writable } from 'node:stream';
import type { DockerClient } from '../apply/docker.js';
import { dockerError } from '../apply/docker.js';
import type { ObservedContainer, ObservedPod } from '../plan/observed.js';
import type { Clock } from '../model/clock.js';
import { BerthError } from '../model/errors.js';

/**
 * The pod `logs`/`exec` mean by `POD` or `KIND/NAME`: for a controller, its best pod for the
 * purpose (kubectl's choice: ready before not ready, running before not, then the oldest).
 * Returns how many pods the controller has so the caller can say which one it chose.
 */
export function findPod(
  pods: readonly ObservedPod[],
  ref: { kind: string; name: string },
  namespace: string,
  /** For `svc/NAME`: the Service's selector (its pods are the ones it selects, not owns). */
  serviceSelector?: Readonly<Record<string, string>>,
): { pod: ObservedPod; of: number } {
  const inNs = pods.filter((p) => p.namespace === namespace);
  if (ref.kind === 'Pod') {
    const pod = inNs.find((p) => p.name === ref.name);
    if (!pod) throw new BerthError('NOT_FOUND', `pods "${ref.name}" not found`, { namespace, pod: ref.name });
    return { pod, of: 1 };
  }
  const key = `${ref.kind}/${namespace}/${ref.name}`;
  const selects = (p: ObservedPod) => serviceSelector !== undefined && Object.keys(serviceSelector).length > 0 && Object.entries(serviceSelector).every(([k, v]) => p.labels[k] === v);
  const owned = inNs.filter((p) => (ref.kind === 'Service' ? selects(p) : p.controller === key || p.owner === key));
  if (owned.length === 0) throw new BerthError('NOT_FOUND', `no pods of ${ref.kind.toLowerCase()} "${ref.name}" found in namespace ${namespace}`, { namespace, key });
  const running = (p: ObservedPod) => p.containers.some((c) => c.state === 'running');
  const ranked = [...owned].sort((a, b) => Number(b.ready) - Number(a.ready) || Number(running(b)) - Number(running(a)) || a.createdAt - b.createdAt || a.name.localeCompare(b.name));
  return { pod: ranked[0]!, of: owned.length };
}

/**
 * The container of a pod a command means: `-c NAME` (app or init container), else the only
 * app container. kubectl's errors word for word where it has them.
 */
export function chooseContainer(pod: ObservedPod, name: string | undefined, onDefault?: 'error' | 'first'): { container: ObservedContainer; defaulted: boolean } {
  const all = [...pod.containers, ...pod.initContainers];
  if (name !== undefined) {
    const c = all.find((x) => x.name === name);
    if (!c) {
      const known = [...pod.expectedContainers, ...pod.expectedInitContainers];
      if (known.includes(name)) throw new BerthError('NOT_FOUND', `container ${name} of pod ${pod.name} does not exist on the host (it was removed; the next apply recreates it)`, { pod: pod.key, container: name });
      throw new BerthError('USAGE', `container ${name} is not valid for pod ${pod.name}`, { pod: pod.key, container: name, containers: pod.expectedContainers });
    }
    return { container: c, defaulted: false };
  }
  if (pod.containers.length === 1 && pod.expectedContainers.length <= 1) return { container: pod.containers[0]!, defaulted: false };
  if (pod.containers.length === 0) throw new BerthError('NOT_FOUND', `pod ${pod.name} has no containers on the host`, { pod: pod.key });
  if (onDefault === 'first') return { container: pod.containers[0]!, defaulted: true };
  const inits = pod.expectedInitContainers.length ? ` or one of the init containers: [${pod.expectedInitContainers.join(' ')}]` : '';
  throw new BerthError('USAGE', `a container name must be specified for pod ${pod.name}, choose one of: [${pod.expectedContainers.join(' ')}]${inits}`, {
    pod: pod.key,
    containers: pod.expectedContainers,
  });
}

export interface LogOptions {
  follow: boolean;
  tail?: number;
  timestamps: boolean;
  /** Unix seconds: only lines at or after. */
  since?: number;
  /** `--previous`: only what earlier runs wrote (Docker keeps one log per container across restarts). */
  previous: boolean;
  /** The pod's name, for messages. */
  pod: string;
  signal?: AbortSignal;
}

/**
 * Copies a container's log to `out`/`err`. Docker multiplexes stdout and stderr into one
 * stream with 8-byte frame headers unless the container has a TTY; `demuxStream` splits it.
 * The output streams are never ended: they are the caller's (process stdout).
 */
export async function streamLogs(docker: DockerClient, container: ObservedContainer, options: LogOptions, out: Writable, err: Writable): Promise<void> {
  const handle = docker.api.getContainer(container.id);
  let tty: boolean;
  let startedAt: string;
  try {
    const info = await handle.inspect();
    tty = info.Config.Tty;
    startedAt = info.State.StartedAt;
  } catch (e) {
    throw dockerError(e, `inspecting container ${container.dockerName}`);
  }
  let until: number | undefined;
  if (options.previous) {
    if (container.restartCount === 0 && container.state === 'running')
      throw new BerthError('NOT_FOUND', `previous terminated container "${container.name}" in pod "${options.pod}" not found`, { pod: options.pod, container: container.name });
    // The current run started at StartedAt: everything before it is what earlier runs wrote.
    if (container.state === 'running') until = Date.parse(startedAt) / 1000;
  }
  const params = {
    stdout: true,
    stderr: true,
    timestamps: options.timestamps,
    ...(options.tail !== undefined ? { tail: options.tail } : {}),
    ...(options.since !== undefined ? { since: options.since } : {}),
    ...(until !== undefined ? { until } : {}),
  };
  let source: Readable;
  try {
    if (options.follow && !options.previous) source = (await handle.logs({ ...params, follow: true })) as Readable;
    else {
      const buffer = await handle.logs({ ...params, follow: false });
      source = new PassThrough();
      (source as PassThrough).end(buffer);
    }
  } catch (e) {
    throw dockerError(e, `reading the log of container ${container.dockerName}`);
  }
  await pump(docker, source, tty, out, err, options.signal);
}

/** Copies (demultiplexing unless TTY) until the source ends or the signal aborts. */
function pump(docker: DockerClient, source: Readable, tty: boolean, out: Writable, err: Writable, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = () => {
      source.destroy();
      done();
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (tty) source.on('data', (chunk: Buffer) => out.write(chunk));
    else docker.api.modem.demuxStream(source, out, err);
    source.once('end', done);
    source.once('close', done);
    source.once('error', (e) => {
      signal?.removeEventListener('abort', onAbort);
      reject(dockerError(e, 'reading a container stream'));
    });
  });
}

export interface ExecOptions {
  command: string[];
  /** `-i`: the caller's stdin goes to the command; its end closes the command's stdin. */
  stdin?: Readable;
  /** `-t`: a pseudo-terminal; output is raw (no multiplexing). */
  tty: boolean;
  stdout: Writable;
  stderr: Writable;
  /** Terminal size now, for `-t`. */
  size?: () => { rows: number; columns: number } | undefined;
  /** Registers a callback for terminal size changes; returns how to unregister. */
  onResize?: (fn: () => void) => () => void;
  signal?: AbortSignal;
}

/**
 * Runs a command in a container through the Docker exec API on a hijacked connection, as
 * `kubectl exec` does through the kubelet. Resolves with the command's exit code.
 */
export async function execInContainer(deps: { docker: DockerClient; clock: Clock }, container: ObservedContainer, options: ExecOptions): Promise<number> {
  const { docker } = deps;
  if (container.state !== 'running')
    throw new BerthError('USAGE', `cannot exec in container ${container.name}: it is not running (state: ${container.state})`, { container: container.name, state: container.state });
  const handle = docker.api.getContainer(container.id);
  const interactive = options.stdin !== undefined;
  let exec: Awaited<ReturnType<typeof handle.exec>>;
  let stream: Duplex;
  try {
    exec = await handle.exec({ Cmd: options.command, AttachStdin: interactive, AttachStdout: true, AttachStderr: true, Tty: options.tty });
    stream = await exec.start({ hijack: true, stdin: interactive, Tty: options.tty });
  } catch (e) {
    throw dockerError(e, `starting ${JSON.stringify(options.command.join(' '))} in container ${container.dockerName}`);
  }
  const resize = async () => {
    const size = options.size?.();
    if (size) await exec.resize({ h: size.rows, w: size.columns }).catch(() => undefined);
  };
  const unsubscribe = options.tty ? options.onResize?.(() => void resize()) : undefined;
  if (options.tty) await resize();
  if (options.stdin) options.stdin.pipe(stream);
  try {
    await pump(docker, stream, options.tty, options.stdout, options.stderr, options.signal);
  } finally {
    unsubscribe?.();
    if (options.stdin) options.stdin.unpipe(stream);
    stream.destroy();
  }
  return exitCodeOf(exec, deps.clock);
}

/** The exec's exit code; dockerd may report it a moment after the stream closed. */
async function exitCodeOf(exec: { inspect(): Promise<{ Running: boolean; ExitCode: number | null }> }, clock: Clock): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const info = await exec.inspect().catch((e: unknown) => {
      throw dockerError(e, 'reading the exit code of the command');
    });
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    await clock.sleep(20);
  }
  throw new BerthError('DOCKER_ERROR', 'the command did not report an exit code');
}

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

/** Copies (demultiplexing unless TTY) until the source ends or the signal aborts. */
export function pump(docker: DockerClient, source: Readable, tty: boolean, out: Writable, err: Writable, signal: AbortSignal | undefined): Promise<void> {
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
    // kubectl's `unable to upgrade connection: container not found`, exit 1: the pod's state, not the command line.
    throw new BerthError('NOT_FOUND', `cannot exec in container ${container.name}: it is not running (state: ${container.state})`, { container: container.name });
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

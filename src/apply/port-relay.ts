import type { Duplex } from 'node:stream';
import { PassThrough } from 'node:stream';
import type { DockerClient } from './docker.js';
import { dockerError, isNotFound } from './docker.js';
import { L } from './labels.js';

/**
 * `berth port-forward`'s relay container: the data-plane image's port-relay.js (node is
 * already there; the sandbox image holds nothing but pause) in the pod's network namespace,
 * so each forwarded connection dials the pod's own localhost as the kubelet does. The sandbox
 * owns the namespace (`container:<sandbox>`); a hostNetwork pod's is the host's.
 *
 * One container per session, talked to over its attached stdin/stdout. Cleanup does not
 * depend on berth exiting cleanly: the attach is StdinOnce, so Docker closes the relay's
 * stdin when berth's connection goes, the relay exits, and AutoRemove removes it.
 * It carries the pod's labels with role port-forward: deleting the pod removes it too
 * (the forward ends, as kubectl's does), and observe ignores the role.
 */
export interface PortRelayTarget {
  app: string;
  namespace: string;
  pod: string;
  sandboxId: string;
  /** The container's name (the caller makes it unique): `docker ps` then says whose relay it is. */
  name: string;
}

export interface PortRelay {
  /** Frames to the relay (its stdin). */
  input: Duplex;
  /** Frames from the relay (its stdout, demultiplexed). */
  output: PassThrough;
  /** What the relay wrote on stderr, for an error message when it ends early. */
  stderr(): string;
  /** Ends the relay and removes its container; safe to call twice. */
  close(): Promise<void>;
}

export async function startPortRelay(docker: DockerClient, image: string, target: PortRelayTarget): Promise<PortRelay> {
  let networkMode: string;
  try {
    const sandbox = await docker.api.getContainer(target.sandboxId).inspect();
    networkMode = sandbox.HostConfig.NetworkMode === 'host' ? 'host' : `container:${target.sandboxId}`;
  } catch (err) {
    throw dockerError(err, `inspecting the sandbox of pod ${target.namespace}/${target.pod}`);
  }
  let container: Awaited<ReturnType<DockerClient['api']['createContainer']>>;
  try {
    container = await docker.api.createContainer({
      name: target.name,
      Image: image,
      Cmd: ['node', '/app/port-relay.js'],
      WorkingDir: '/app',
      User: '65534:65534',
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      OpenStdin: true,
      StdinOnce: true,
      Tty: false,
      Labels: { [L.managed]: 'true', [L.app]: target.app, [L.namespace]: target.namespace, [L.kind]: 'Pod', [L.name]: target.pod, [L.role]: 'port-forward' },
      HostConfig: { NetworkMode: networkMode, AutoRemove: true, RestartPolicy: { Name: 'no' }, CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'] },
    });
  } catch (err) {
    throw dockerError(err, `creating the port-forward relay of pod ${target.namespace}/${target.pod}`);
  }
  // Gone when this resolves, whoever removes it: the relay exits when its stdin closes and
  // Docker's AutoRemove may be under way already (409), which is waited out.
  const remove = () =>
    container.remove({ force: true }).catch(async (err: unknown) => {
      if (isNotFound(err)) return;
      if (!isRemovalInProgress(err)) throw err;
      await container.wait({ condition: 'removed' }).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
    });
  let stream: Duplex;
  try {
    // Attached before start, so no byte of the relay's output is missed.
    stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as Duplex;
    await container.start();
  } catch (err) {
    await remove().catch(() => undefined);
    throw dockerError(err, `starting the port-forward relay of pod ${target.namespace}/${target.pod}`);
  }
  const output = new PassThrough();
  const errors = new PassThrough();
  let stderrText = '';
  errors.on('data', (chunk: Buffer) => {
    if (stderrText.length < 4096) stderrText += chunk.toString('utf8');
  });
  docker.api.modem.demuxStream(stream, output, errors);
  stream.once('end', () => output.end());
  stream.once('close', () => output.end());
  stream.once('error', (err) => output.destroy(err));
  let closing: Promise<void> | undefined;
  return {
    input: stream,
    output,
    stderr: () => stderrText.trim(),
    close: () =>
      (closing ??= (async () => {
        // Removed first: ending stdin first would race the relay's own exit and AutoRemove.
        try {
          await remove();
        } finally {
          stream.destroy();
        }
      })()),
  };
}

function isRemovalInProgress(err: unknown): boolean {
  const e = err as { statusCode?: number; message?: unknown };
  return e.statusCode === 409 && typeof e.message === 'string' && /already in progress/i.test(e.message);
}

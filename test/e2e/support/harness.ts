import { randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Dockerode from 'dockerode';
import type { CliRun } from '../../support/cli.js';
import { runCli } from '../../support/cli.js';
import { isPodOwner } from '../../../src/apply/labels.js';

export interface E2eApp {
  app: string;
  stateDir: string;
  /** Temp directory holding the manifests `write()` puts there. */
  dir: string;
  docker: Dockerode;
  /** Runs `berth <args> --app <app> --state-dir <dir>` in-process. */
  berth(...args: string[]): Promise<CliRun>;
  /** Replaces the manifest directory's content with these files. */
  write(files: Record<string, string>): Promise<void>;
  /** Containers this app owns, by Docker name. */
  containers(): Promise<Dockerode.ContainerInfo[]>;
  cleanup(): Promise<void>;
}

/**
 * One berth app per test file: a unique `--app` name scopes everything berth creates, so
 * cleanup removes exactly that (containers, volumes, networks labelled berth.app=<app>) and
 * never what other tests or other people run on the same engine.
 */
export async function createE2eApp(prefix: string): Promise<E2eApp> {
  const app = `e2e-${prefix}-${randomBytes(3).toString('hex')}`;
  const root = await mkdtemp(join(tmpdir(), `berth-${prefix}-`));
  const stateDir = join(root, 'state');
  const dir = join(root, 'manifests');
  await mkdir(dir, { recursive: true });
  const docker = new Dockerode();
  const label = { label: [`berth.app=${app}`] };
  return {
    app,
    stateDir,
    dir,
    docker,
    berth: (...args) => runCli([...args, '--app', app, '--state-dir', stateDir]),
    async write(files) {
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      for (const [name, content] of Object.entries(files)) {
        await mkdir(dirname(join(dir, name)), { recursive: true });
        await writeFile(join(dir, name), content);
      }
    },
    containers: () => docker.listContainers({ all: true, filters: label }),
    async cleanup() {
      const containers = await docker.listContainers({ all: true, filters: label });
      await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
      const volumes = (await docker.listVolumes({ filters: label })).Volumes ?? [];
      await Promise.all(volumes.map((v) => docker.getVolume(v.Name).remove().catch(() => undefined)));
      const networks = await docker.listNetworks({ filters: label });
      await Promise.all(networks.map((n) => docker.getNetwork(n.Id).remove().catch(() => undefined)));
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Runs `cmd` in a running container and returns its output (busybox/node images). */
export async function execIn(docker: Dockerode, containerId: string, cmd: string[]): Promise<{ code: number; output: string }> {
  const exec = await docker.getContainer(containerId).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const sink = { write: (c: Buffer) => chunks.push(c) } as unknown as NodeJS.WritableStream;
    docker.modem.demuxStream(stream, sink, sink);
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  const info = await exec.inspect();
  return { code: info.ExitCode ?? -1, output: Buffer.concat(chunks).toString('utf8') };
}

export function podNames(containers: Dockerode.ContainerInfo[], owner?: string): string[] {
  return [...new Set(podOwners(containers, owner).map((c) => c.Labels['berth.name']!))].sort();
}

/** The containers owning each pod's network (its sandbox, or a single-container pod's one container: isPodOwner), optionally of one controller. */
export function podOwners(containers: Dockerode.ContainerInfo[], owner?: string): Dockerode.ContainerInfo[] {
  return containers.filter((c) => isPodOwner(c.Labels) && (!owner || c.Labels['berth.controller'] === owner));
}

/**
 * The pods `get pods -o json` shows as terminating (metadata.deletionTimestamp): a replaced or
 * scaled-away pod runs out its grace period in the background (issue 18), as in Kubernetes.
 */
export async function terminatingPods(berth: (...args: string[]) => Promise<CliRun>): Promise<Set<string>> {
  const r = await berth('get', 'pods', '-A', '-o', 'json');
  const items = (JSON.parse(r.stdout) as { items?: Array<{ metadata: { name: string; deletionTimestamp?: string } }> }).items ?? [];
  return new Set(items.filter((p) => p.metadata.deletionTimestamp !== undefined).map((p) => p.metadata.name));
}

/** podNames of the app's pods that are not terminating. */
export async function livePodNames(t: Pick<E2eApp, 'berth' | 'containers'>, owner?: string): Promise<string[]> {
  const leaving = await terminatingPods(t.berth);
  return podNames(await t.containers(), owner).filter((n) => !leaving.has(n));
}

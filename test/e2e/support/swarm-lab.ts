import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';

/**
 * The multi-node Swarm lab of issue 20 (scripts/swarm-lab.sh; docs/swarm.md, "The lab"): one
 * dockerd per node in its own network and UTS namespaces on this machine, and a registry
 * every node pulls from. Tests drive the script for what only root shell work can do
 * (namespaces, links, killing a node) and talk to the engines through dockerode.
 */
export const SWARM_LAB = fileURLToPath(new URL('../../../scripts/swarm-lab.sh', import.meta.url));

export interface LabEnv {
  /** The manager's engine, `unix:///run/berth-lab/node1.sock`. */
  dockerHost: string;
  /** host:port of the registry every node pulls from (insecure, plain HTTP). */
  registry: string;
  /** Node addresses on the lab bridge, node 1 (the manager) first. */
  nodes: string[];
}

const run = promisify(execFile);

async function lab(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run('bash', [SWARM_LAB, ...args], { timeout: 150_000, maxBuffer: 1 << 20 });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`swarm-lab.sh ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`, { cause: err });
  }
}

/** The export line `up` and `env` print: `export DOCKER_HOST=… BERTH_LAB_REGISTRY=… BERTH_LAB_NODES="…"`. */
export function parseLabEnv(stdout: string): LabEnv {
  const m = /DOCKER_HOST=(\S+) BERTH_LAB_REGISTRY=(\S+) BERTH_LAB_NODES="([^"]*)"/.exec(stdout);
  if (!m) throw new Error(`no lab environment in: ${stdout}`);
  return { dockerHost: m[1]!, registry: m[2]!, nodes: m[3]!.split(' ').filter(Boolean) };
}

/** Builds an N-node lab; its progress lines (bring-up time, RAM) go to this process's stderr. */
export async function labUp(nodes = 3): Promise<LabEnv> {
  const { stdout, stderr } = await lab('up', String(nodes));
  process.stderr.write(stderr);
  return parseLabEnv(stdout);
}

export async function labEnv(): Promise<LabEnv> {
  return parseLabEnv((await lab('env')).stdout);
}

/** Removes everything of the lab; safe when nothing is up. */
export async function labDown(): Promise<void> {
  await lab('down');
}

/** Node names, `berthlab-node1` (the manager) first. */
export async function labNodes(): Promise<string[]> {
  return (await lab('nodes')).stdout.split('\n').filter(Boolean);
}

/** Kills the node's engine, containerd and containers at once, as a crashed machine. */
export async function stopNode(name: string): Promise<void> {
  await lab('stop-node', name);
}

/** Boots a stopped node again; returns once the manager sees it Ready. */
export async function startNode(name: string): Promise<void> {
  await lab('start-node', name);
}

/** A dockerode client for one node's engine, by name (`berthlab-node2`). */
export function nodeDocker(name: string): Dockerode {
  const k = /^berthlab-node(\d+)$/.exec(name)?.[1];
  if (k === undefined) throw new Error(`not a lab node name: ${name}`);
  return new Dockerode({ socketPath: `/run/berth-lab/node${k}.sock` });
}

export function managerDocker(env: LabEnv): Dockerode {
  return new Dockerode({ socketPath: env.dockerHost.replace(/^unix:\/\//, '') });
}

/**
 * Copies an image from the host's engine into the lab registry and returns the ref every node
 * can pull (`10.215.0.1:5000/<name>:<tag>`): saved from the host, loaded into the manager,
 * tagged and pushed from there (the nodes, not the host's engine, trust the insecure registry).
 */
export async function pushImage(env: LabEnv, hostImage: string, host: Dockerode = new Dockerode()): Promise<string> {
  const manager = managerDocker(env);
  const [name, tag = 'latest'] = splitRef(hostImage);
  const repo = `${env.registry}/${name}`;
  await follow(manager, await manager.loadImage(await host.getImage(hostImage).get()), `loading ${hostImage}`);
  await manager.getImage(hostImage).tag({ repo, tag });
  // The registry asks for no credentials, but the engine wants an X-Registry-Auth header.
  await follow(manager, await manager.getImage(`${repo}:${tag}`).push({ authconfig: {} }), `pushing ${repo}:${tag}`);
  return `${repo}:${tag}`;
}

function splitRef(ref: string): [string, string | undefined] {
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, undefined];
}

async function follow(docker: Dockerode, stream: NodeJS.ReadableStream, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, events: { error?: string }[]) => {
      const failed = events?.find((e) => e.error);
      if (err) reject(err);
      else if (failed) reject(new Error(`${what}: ${failed.error}`));
      else resolve();
    });
  });
}

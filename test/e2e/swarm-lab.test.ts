import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBusyboxImage } from './support/busybox-image.js';
import { execIn } from './support/harness.js';
import { labDown, labNodes, labUp, managerDocker, nodeDocker, pushImage, startNode, stopNode, type LabEnv } from './support/swarm-lab.js';

// The Swarm lab of issue 20 (scripts/swarm-lab.sh): three engines on this machine, each in its
// own network and UTS namespaces, one registry. It runs its own engines, so it touches nothing
// on the host's engine but reading the shared busybox image. Services use endpoint mode dnsrr:
// this kernel has no IPVS, so Swarm's VIPs and routing mesh cannot work (docs/swarm.md).

const host = new Dockerode(process.env.DOCKER_HOST?.startsWith('unix://') ? { socketPath: process.env.DOCKER_HOST.slice(7) } : {});
const FAILOVER_LIMIT_MS = 90_000;

let env: LabEnv;
let manager: Dockerode;
let image: string;
/** Every container the lab's engines ran, as `node/id`: their shims' sockets must go with the lab. */
const seen = new Set<string>();

async function noteContainers(): Promise<void> {
  for (const node of await labNodes()) {
    const list = await nodeDocker(node).listContainers({ all: true }).catch(() => []);
    for (const c of list) seen.add(`${node}/${c.Id}`);
  }
}

/** Where containerd 1.6 puts a shim's socket: /run/containerd/s/sha256(<address>/<namespace>/<id>). */
function shimSocket(entry: string): string {
  const [node, id] = entry.split('/') as [string, string];
  const k = node.replace('berthlab-node', '');
  return `/run/containerd/s/${createHash('sha256').update(`/run/berth-lab/node${k}/containerd/containerd.sock/moby/${id}`).digest('hex')}`;
}

/** The fields of a Swarm task (GET /tasks) this test reads; dockerode's `Task` is the handle class. */
interface Task {
  ID: string;
  NodeID?: string;
  Status?: { State?: string };
  NetworksAttachments?: Array<{ Addresses?: string[] }>;
}

async function nodeNames(): Promise<Map<string, string>> {
  const nodes = await manager.listNodes();
  return new Map(nodes.map((n) => [n.ID as string, n.Description?.Hostname ?? '']));
}

/** Tasks of a service that run now (desired and actual state running), with their node's hostname. */
async function runningTasks(service: string): Promise<Array<Task & { node: string }>> {
  const names = await nodeNames();
  const tasks = (await manager.listTasks({ filters: { service: [service], 'desired-state': ['running'] } })) as Task[];
  return tasks.filter((t) => t.Status?.State === 'running').map((t) => ({ ...t, node: names.get(t.NodeID ?? '') ?? '' }));
}

async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(500);
  }
}

/** The container of a task, on the engine of the node that runs it. */
async function taskContainer(task: Task & { node: string }): Promise<{ docker: Dockerode; id: string }> {
  const docker = nodeDocker(task.node);
  const [c] = await docker.listContainers({ filters: { label: [`com.docker.swarm.task.id=${task.ID}`] } });
  if (!c) throw new Error(`no container for task ${task.ID} on ${task.node}`);
  return { docker, id: c.Id };
}

function overlayAddress(task: Task): string {
  const addr = task.NetworksAttachments?.flatMap((a) => a.Addresses ?? []).find((a) => a.startsWith('10.218.'));
  if (!addr) throw new Error(`task ${task.ID} has no address on the lab overlay`);
  return addr.split('/')[0]!;
}

/** Everything of the lab that may outlive `down`, one line per leftover. */
function leftovers(): string[] {
  const found: string[] = [];
  if (existsSync('/var/run/netns')) found.push(...readdirSync('/var/run/netns').filter((n) => n.startsWith('berthlab-')).map((n) => `netns ${n}`));
  found.push(...readdirSync('/sys/class/net').filter((n) => n.startsWith('berthlab')).map((n) => `interface ${n}`));
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue; // gone meanwhile
    }
    if (cmd.includes('/berth-lab/')) found.push(`process ${pid}: ${cmd.slice(0, 120)}`);
  }
  found.push(...readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => /berth-lab|netns\/berthlab-/.test(l)).map((l) => `mount ${l}`));
  found.push(...[...seen].map(shimSocket).filter((f) => existsSync(f)).map((f) => `shim socket ${f}`));
  for (const dir of ['/var/lib/berth-lab', '/run/berth-lab', '/sys/fs/cgroup/unified/berthlab', '/sys/fs/cgroup/berthlab', '/sys/fs/cgroup/memory/berthlab']) {
    if (existsSync(dir)) found.push(`directory ${dir}`);
  }
  return found;
}

describe('the Swarm lab', () => {
  beforeAll(async () => {
    await labDown(); // a lab an interrupted run left behind
    env = await labUp(3);
    manager = managerDocker(env);
    image = await pushImage(env, await ensureBusyboxImage(host), host);
  });

  afterAll(async () => {
    await labDown();
  });

  it('has three Ready nodes with hostnames of their own, the first the manager', async () => {
    expect(env.nodes).toEqual(['10.215.0.11', '10.215.0.12', '10.215.0.13']);
    expect(env.registry).toBe('10.215.0.1:5000');
    const nodes = await manager.listNodes();
    expect(nodes.map((n) => n.Status?.State)).toEqual(['ready', 'ready', 'ready']);
    expect(nodes.map((n) => n.Description?.Hostname).sort()).toEqual(await labNodes());
    const leader = nodes.find((n) => n.ManagerStatus?.Leader);
    expect(leader?.Description?.Hostname).toBe('berthlab-node1');
    expect(leader?.Status?.Addr ?? leader?.ManagerStatus?.Addr).toContain('10.215.0.11');
  });

  it('runs a dnsrr service from the registry on several nodes, reachable across them over the overlay', async () => {
    const net = await manager.createNetwork({ Name: 'lab-e2e', Driver: 'overlay', Attachable: true });
    await manager.createService({
      Name: 'lab-web',
      TaskTemplate: {
        ContainerSpec: { Image: image, Command: ['httpd', '-f', '-p', '80', '-h', '/var/www'] },
        Networks: [{ Target: net.id }],
        RestartPolicy: { Condition: 'any', Delay: 1_000_000_000 },
      },
      Mode: { Replicated: { Replicas: 3 } },
      EndpointSpec: { Mode: 'dnsrr' },
    });
    const tasks = await waitFor('3 running lab-web tasks', 120_000, async () => {
      const t = await runningTasks('lab-web');
      return t.length === 3 ? t : undefined;
    });
    const nodes = new Set(tasks.map((t) => t.node));
    expect(nodes.size).toBeGreaterThanOrEqual(2);
    // A worker ran it, so a worker pulled it from the registry (no engine but the manager had it).
    const worker = tasks.find((t) => t.node !== 'berthlab-node1')!;
    expect((await nodeDocker(worker.node).getImage(image).inspect()).RepoDigests.some((d) => d.startsWith(`${env.registry}/`))).toBe(true);

    // From one task, every task's overlay address over plain TCP (busybox nc: its static wget
    // crashes in glibc's resolver), and the dnsrr name tasks.lab-web listing all three.
    const from = tasks.find((t) => t.node !== tasks[0]!.node) ?? tasks[0]!;
    const { docker, id } = await taskContainer(from);
    for (const t of tasks) {
      const r = await execIn(docker, id, ['sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | timeout 5 nc ${overlayAddress(t)} 80`]);
      expect(r.output, `${from.node} → ${t.node} (${overlayAddress(t)})`).toContain('ok');
    }
    const dns = await execIn(docker, id, ['nslookup', 'tasks.lab-web', '127.0.0.11']);
    for (const t of tasks) expect(dns.output).toContain(overlayAddress(t));
  });

  it('publishes a host-mode port on every node, reachable from the host at the node address', async () => {
    await manager.createService({
      Name: 'lab-edge',
      TaskTemplate: { ContainerSpec: { Image: image, Command: ['httpd', '-f', '-p', '80', '-h', '/var/www'] } },
      Mode: { Global: {} },
      EndpointSpec: { Mode: 'dnsrr', Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 18080, PublishMode: 'host' }] },
    });
    await waitFor('lab-edge on 3 nodes', 120_000, async () => ((await runningTasks('lab-edge')).length === 3 ? true : undefined));
    for (const ip of env.nodes) {
      const body = await waitFor(`http://${ip}:18080/`, 30_000, () => fetch(`http://${ip}:18080/`).then((r) => r.text(), () => undefined));
      expect(body).toBe('ok\n');
    }
    await manager.getService('lab-edge').remove();
  });

  it(`re-runs a stopped worker's replicas on the other nodes within ${FAILOVER_LIMIT_MS / 1000} s, and takes the worker back`, async () => {
    const before = await runningTasks('lab-web');
    const victim = before.find((t) => t.node !== 'berthlab-node1')!.node;
    await noteContainers();
    const stoppedAt = Date.now();
    await stopNode(victim);
    const downMs = await waitFor(`${victim} Down`, FAILOVER_LIMIT_MS, async () => {
      const n = (await manager.listNodes()).find((x) => x.Description?.Hostname === victim);
      return n?.Status?.State === 'down' ? Date.now() - stoppedAt : undefined;
    });
    const failoverMs = await waitFor('3 lab-web tasks off the stopped node', FAILOVER_LIMIT_MS, async () => {
      const t = await runningTasks('lab-web');
      return t.length === 3 && t.every((x) => x.node !== victim) ? Date.now() - stoppedAt : undefined;
    });
    process.stderr.write(`swarm-lab e2e: ${victim} stopped; Down after ${downMs} ms, its replicas running elsewhere after ${failoverMs} ms\n`);
    expect(failoverMs).toBeLessThan(FAILOVER_LIMIT_MS);

    await startNode(victim);
    const n = (await manager.listNodes()).find((x) => x.Description?.Hostname === victim);
    expect(n?.Status?.State).toBe('ready');
  }, 240_000);

  it('leaves no namespace, process, interface, mount, cgroup or directory behind after down', async () => {
    await noteContainers();
    expect(seen.size).toBeGreaterThanOrEqual(3);
    await manager.getService('lab-web').remove();
    await labDown();
    expect(leftovers()).toEqual([]);
    await labDown(); // idempotent: nothing to do, no error
  });
});

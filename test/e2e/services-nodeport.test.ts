import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import { runCli } from '../support/cli.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { E2eApp } from './support/harness.js';
import { createE2eApp, podNames } from './support/harness.js';
import type { SvcJson } from './support/services.js';
import { stopDataplane } from './support/services.js';
import { hostAddress, hostGet } from './support/services.js';
import { eventually } from './support/daemon.js';

/**
 * Published Services on a real engine: NodePorts balanced across every ready replica, on the
 * host's address (kernel fast path) and on 127.0.0.1 (Docker's userland proxy to the proxy
 * container), ClientIP affinity, and traffic that keeps flowing with no berth process at all.
 */
const manifests = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: web
        image: berth-examples/web:1.0
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: sticky}
spec:
  type: NodePort
  selector: {app: web}
  sessionAffinity: ClientIP
  ports: [{name: http, port: 80, targetPort: http}]
`;

async function distinctPods(url: string, n: number): Promise<string[]> {
  const pods = new Set<string>();
  for (let i = 0; i < n; i++) pods.add((await hostGet(url)).pod);
  return [...pods].sort();
}

describe('services: NodePort (real Docker)', () => {
  let t: E2eApp;
  let replicas: string[] = [];
  let webPort = 0;
  let stickyPort = 0;
  const host = hostAddress();

  beforeAll(async () => {
    t = await createE2eApp('svc-np');
    await t.write({ 'app.yaml': manifests });
    const applied = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '120s');
    expect(applied.stderr).not.toMatch(/error/);
    expect(applied.code).toBe(0);
    replicas = podNames(await t.containers(), 'Deployment/default/web');
    expect(replicas).toHaveLength(3);
    const port = async (name: string) => (JSON.parse((await t.berth('get', 'svc', name, '-o', 'json')).stdout) as SvcJson).spec.ports[0]!.nodePort!;
    webPort = await port('web');
    stickyPort = await port('sticky');
  });
  afterAll(async () => {
    await stopDataplane(t);
    await t.cleanup();
  });

  it('allocates node ports from 30000-32767 and get svc shows them as kubectl does', async () => {
    for (const p of [webPort, stickyPort]) expect(p).toBeGreaterThanOrEqual(30000), expect(p).toBeLessThanOrEqual(32767);
    expect(webPort).not.toBe(stickyPort);
    const table = await t.berth('get', 'svc');
    expect(table.stdout).toMatch(new RegExp(`^web\\s+NodePort\\s+\\d+\\.\\d+\\.\\d+\\.\\d+\\s+<none>\\s+80:${webPort}/TCP\\s`, 'm'));
    // Stable: a second apply keeps every number.
    expect((await t.berth('apply', '-f', t.dir)).code).toBe(0);
    expect((JSON.parse((await t.berth('get', 'svc', 'web', '-o', 'json')).stdout) as SvcJson).spec.ports[0]!.nodePort).toBe(webPort);
  });

  it('logs and exec take svc/NAME: a ready pod the Service selects, as kubectl picks one', async () => {
    const logs = await t.berth('logs', 'svc/web', '--tail', '1');
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stderr).toMatch(/^Found 3 pods, using pod\/web-/);
    // Scope flags before `--`: what follows it is the command.
    const exec = await runCli(['exec', 'svc/web', '--app', t.app, '--state-dir', t.stateDir, '--', 'node', '-e', 'console.log(require("os").hostname())']);
    expect(exec.code, exec.stderr).toBe(0);
    expect(replicas).toContain(exec.stdout.trim());
    expect((await t.berth('logs', 'svc/nope')).stderr).toBe('Error (NotFound): services "nope" not found in namespace default\n');
  });

  it("50 requests to the NodePort on the host's address reach every ready replica", async () => {
    expect(await distinctPods(`http://${host}:${webPort}/`, 50)).toEqual(replicas);
  });

  it('50 requests to the NodePort on 127.0.0.1 (through the proxy container) reach every ready replica', async () => {
    expect(await distinctPods(`http://127.0.0.1:${webPort}/`, 50)).toEqual(replicas);
  });

  it('sessionAffinity ClientIP: one client sticks to one replica', async () => {
    const viaHost = await distinctPods(`http://${host}:${stickyPort}/`, 20);
    expect(viaHost).toHaveLength(1);
    const viaLoopback = await distinctPods(`http://127.0.0.1:${stickyPort}/`, 20);
    expect(viaLoopback).toHaveLength(1);
    expect(replicas).toContain(viaLoopback[0]);
  });

  it('with no berth process, the NodePort keeps serving, also after its data-plane containers restart', async () => {
    // `apply` has returned: nothing of berth runs. Restart what Docker restarts after a crash or a daemon restart.
    const dataplane = (await t.containers()).filter((c) => c.Labels['berth.role'] === 'proxy' && c.Labels['berth.name'] === 'web');
    expect(dataplane).toHaveLength(2); // the proxy and its host fast path
    await Promise.all(dataplane.map((c) => t.docker.getContainer(c.Id).restart({ t: 10 })));
    for (const address of [host, '127.0.0.1']) {
      const pods = await eventually(
        `the NodePort on ${address} to serve every replica after the restart`,
        async () => {
          const seen = await distinctPods(`http://${address}:${webPort}/`, 50);
          return seen.length === replicas.length ? seen : undefined;
        },
        30_000,
      );
      expect(pods).toEqual(replicas);
    }
  });

  it.each([
    { target: 'svc/web', remote: '80' },
    { target: 'deploy/web', remote: 'http' },
  ])('port-forward $target: local connections reach a ready pod until interrupted', async ({ target, remote }) => {
    const local = await freePort();
    const stop = new AbortController();
    const running = runCli(['port-forward', target, `${local}:${remote}`, '--address', '127.0.0.1', '--app', t.app, '--state-dir', t.stateDir], { signal: stop.signal });
    const reply = await eventually(`port-forward to listen on ${local}`, () => hostGet(`http://127.0.0.1:${local}/`), 30_000);
    expect(replicas).toContain(reply.pod);
    stop.abort();
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toContain(`Forwarding from 127.0.0.1:${local} -> 8080`);
    expect(r.stdout).toContain(`Handling connection for ${local}`);
    await expect(hostGet(`http://127.0.0.1:${local}/`)).rejects.toThrow();
  });

  it('a nodePort another container on the host publishes is refused before any part of the Service exists', async () => {
    const port = await freeHostPort();
    // Not berth's: a container someone else runs, publishing the port.
    const squatter = await t.docker.createContainer({
      Image: 'berth-examples/web:1.0',
      name: `${t.app}-squatter`,
      ExposedPorts: { '8080/tcp': {} },
      HostConfig: { PortBindings: { '8080/tcp': [{ HostPort: String(port) }] } },
    });
    try {
      await squatter.start();
      const file = join(t.dir, '..', 'squat.yaml');
      await writeFile(file, `apiVersion: v1\nkind: Service\nmetadata: {name: squat}\nspec:\n  type: NodePort\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080, nodePort: ${port}}]\n`);
      const r = await t.berth('apply', '-f', file);
      // The host refused (exit 3, as for any conflict Docker reports), with the holder named.
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`port ${port}/TCP of service default/squat is already published on this host by container ${t.app}-squatter; nothing of the service was created`);
      expect((await t.containers()).filter((c) => c.Labels['berth.name'] === 'squat')).toEqual([]);
    } finally {
      await squatter.remove({ force: true });
    }
  });

  it('a requested nodePort another Service holds is a clear error that changes nothing', async () => {
    const conflicting = join(t.dir, '..', 'conflict.yaml');
    await writeFile(
      conflicting,
      `apiVersion: v1\nkind: Service\nmetadata: {name: other}\nspec:\n  type: NodePort\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080, nodePort: ${webPort}}]\n`,
    );
    const message = `nodePort ${webPort} requested by Service/default/other (app ${t.app}) is already allocated to Service/default/web (app ${t.app})`;
    // A dry run plans the node ports as the apply does, so it fails the same way.
    const dry = await t.berth('apply', '-f', conflicting, '--dry-run');
    expect(dry.code).toBe(2);
    expect(dry.stderr).toContain(message);
    const r = await t.berth('apply', '-f', conflicting);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect((await t.containers()).filter((c) => c.Labels['berth.name'] === 'other')).toEqual([]);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** A TCP port in the NodePort range nothing listens on right now. */
async function freeHostPort(): Promise<number> {
  for (let port = 32000 + Math.floor(Math.random() * 700); ; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

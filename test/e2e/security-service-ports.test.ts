import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import type net from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostRuleNames } from '../../src/dataplane/kernel-rules.js';
import { eventually } from './support/daemon.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp, podNames } from './support/harness.js';
import type { SvcJson } from './support/services.js';
import { hostAddress, hostGet, stopDataplane } from './support/services.js';

/**
 * Issue 11: no manifest may take a port a process of the host serves. A LoadBalancer or NodePort
 * Service on such a port used to get its host fast path made anyway (its DNAT rules then took the
 * port's traffic on every non-loopback address from the host service), while Docker refused the
 * proxy. Now the Service is refused before any part of it exists, node ports are never allocated
 * there, and a Service whose proxy cannot be made keeps no fast path.
 */
const web = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: berth-examples/web:1.0
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
`;

const HOST_REPLY = 'HOST-SERVICE';

/** A host service: an HTTP server of this test process on address:port (0: any free port). */
async function hostService(port: number, address = '0.0.0.0'): Promise<http.Server | undefined> {
  const server = http.createServer((_req, res) => res.end(HOST_REPLY));
  const ok = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, address, () => resolve(true));
  });
  return ok ? server : undefined;
}

function portOf(server: http.Server): number {
  return (server.address() as net.AddressInfo).port;
}

function close(server: http.Server | undefined): Promise<void> {
  return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

/** The body of one GET on a new connection. */
function body(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: 3_000 }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d));
      res.on('end', () => resolve(text));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

/** The host's nat table as iptables-save prints it: the fast path's chains are there while it runs. */
async function natRules(): Promise<string> {
  return (await promisify(execFile)('iptables-save', ['-t', 'nat'])).stdout;
}

/** The chain prefix of a Service's host fast path rules (BNP<hash>), as proxy.js --host-rules names them. */
function chainsOf(t: E2eApp, name: string): string {
  return hostRuleNames(`${t.app}/default/${name}`).chainPrefix;
}

async function ofService(t: E2eApp, name: string) {
  return (await t.containers()).filter((c) => c.Labels['berth.name'] === name && c.Labels['berth.role'] === 'proxy');
}

function lb(name: string, port: number): string {
  return `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec:\n  type: LoadBalancer\n  selector: {app: web}\n  ports: [{port: ${port}, targetPort: 8080}]\n`;
}

/** Every non-loopback IPv4 address of the host (its own, the Docker bridges' gateways). */
function localAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((addrs) => (addrs ?? []).filter((a) => a.family === 'IPv4' && !a.internal).map((a) => a.address));
}

describe('security: Service ports a host process serves (real Docker)', () => {
  let t: E2eApp;
  let pod = '';
  const host = hostAddress();
  const servers: http.Server[] = [];

  beforeAll(async () => {
    t = await createE2eApp('sec-ports');
    await t.write({ 'web.yaml': web });
    const applied = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '120s');
    expect(applied.code, applied.stderr).toBe(0);
    pod = podNames(await t.containers(), 'Deployment/default/web')[0]!;
  });
  afterAll(async () => {
    await Promise.all(servers.map(close));
    await stopDataplane(t);
    await t.cleanup();
  });

  async function held(port = 0): Promise<http.Server> {
    const s = await hostService(port);
    if (!s) throw new Error(`port ${port} is not free`);
    servers.push(s);
    return s;
  }

  async function applyFile(name: string, content: string) {
    const file = join(t.dir, '..', name);
    await writeFile(file, content);
    // Each file holds the app's Services (apply -f is additive): a refused Service of an earlier
    // test goes, the web pod stays.
    return t.berth('apply', '-f', file, '--prune', '--prune-allowlist', 'core/v1/Service');
  }

  it('a LoadBalancer on a port a host process listens on is refused before any part of it exists; the host service keeps its port', async () => {
    const port = portOf(await held());
    for (let i = 0; i < 2; i++) {
      // Twice: the first apply used to leave the fast path, the second to give it endpoints.
      const r = await applyFile('lb-held.yaml', lb('lbheld', port));
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`port ${port}/TCP (LoadBalancer) of service default/lbheld is in use on this host: a host process listens on 0.0.0.0:${port}; nothing of the service was created`);
      expect(r.stderr).not.toContain('host fast path created');
      expect(await ofService(t, 'lbheld')).toEqual([]);
      expect(await natRules()).not.toContain(chainsOf(t, 'lbheld'));
    }
    expect(await body(`http://${host}:${port}/`)).toBe(HOST_REPLY);
    expect(await body(`http://127.0.0.1:${port}/`)).toBe(HOST_REPLY);
  });

  it('a nodePort given on a port a host process listens on is refused the same way', async () => {
    const server = await heldNodePort();
    const port = portOf(server);
    const r = await applyFile('np-held.yaml', `apiVersion: v1\nkind: Service\nmetadata: {name: npheld}\nspec:\n  type: NodePort\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080, nodePort: ${port}}]\n`);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`nodePort ${port}/TCP of service default/npheld is in use on this host: a host process listens on 0.0.0.0:${port}; nothing of the service was created`);
    expect(await ofService(t, 'npheld')).toEqual([]);
    expect(await natRules()).not.toContain(chainsOf(t, 'npheld'));
    expect(await body(`http://${host}:${port}/`)).toBe(HOST_REPLY);
  });

  it('node port allocation skips a port a host process listens on', async () => {
    // A fresh state dir allocates from 30000 upwards: hold the first port of the range this
    // process can listen on, so every port below it is busy (other tests, other software) and
    // the old allocator, which only skipped ports Docker publishes, would have picked a held one.
    const own = await createE2eApp('sec-alloc');
    try {
      let server: http.Server | undefined;
      for (let p = 30000; !server && p <= 32767; p++) server = await hostService(p);
      servers.push(server!);
      const blocked = portOf(server!);
      await own.write({ 'web.yaml': web, 'svc.yaml': `apiVersion: v1\nkind: Service\nmetadata: {name: alloc}\nspec:\n  type: NodePort\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n` });
      const r = await own.berth('apply', '-f', own.dir, '--wait', '--timeout', '120s');
      expect(r.code, r.stderr).toBe(0);
      const nodePort = (JSON.parse((await own.berth('get', 'svc', 'alloc', '-o', 'json')).stdout) as SvcJson).spec.ports[0]!.nodePort!;
      expect(nodePort).not.toBe(blocked);
      expect(nodePort).toBeGreaterThanOrEqual(30000);
      expect(podNames(await own.containers(), 'Deployment/default/web')).toContain((await hostGet(`http://${host}:${nodePort}/`)).pod);
      expect(await body(`http://${host}:${blocked}/`)).toBe(HOST_REPLY);
    } finally {
      await stopDataplane(own);
      await own.cleanup();
    }
  });

  it("a working LoadBalancer is not refused by its own publication; one whose proxy cannot be made again keeps no fast path, and comes back once the port is free", async () => {
    const probe = await held();
    const port = portOf(probe);
    await close(probe); // a free port above 1024 for the Service
    const first = await applyFile('lb-ok.yaml', lb('lbok', port));
    expect(first.code, first.stderr).toBe(0);
    // The fast path was made beside the running proxy, whose docker-proxy listens on the port.
    expect((await ofService(t, 'lbok')).map((c) => c.State)).toEqual(['running', 'running']);
    // The fast path's program installs its rules once it has started and read its configuration;
    // the docker-proxy serves the port meanwhile (seen once in CI: the apply returned first).
    await eventually('the fast path rules', async () => ((await natRules()).includes(chainsOf(t, 'lbok')) ? true : undefined), 10_000);
    expect((await hostGet(`http://${host}:${port}/`)).pod).toBe(pod);

    // The fast path gone (stopped as berth stops it): made again beside the running proxy.
    const fastPath = (await ofService(t, 'lbok')).find((c) => c.Labels['berth.dataplane-mode'] === 'host-rules')!;
    await t.docker.getContainer(fastPath.Id).stop({ t: 10 });
    await t.docker.getContainer(fastPath.Id).remove();
    const again = await applyFile('lb-ok.yaml', lb('lbok', port));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('host fast path created');
    expect((await ofService(t, 'lbok')).map((c) => c.State)).toEqual(['running', 'running']);
    expect((await hostGet(`http://${host}:${port}/`)).pod).toBe(pod);
    expect((await applyFile('lb-ok.yaml', lb('lbok', port))).code).toBe(0);

    // Its proxy removed, and a host process takes the port meanwhile: the fast path left from
    // before must not keep taking that port's traffic.
    const proxy = (await ofService(t, 'lbok')).find((c) => c.Labels['berth.dataplane-mode'] !== 'host-rules')!;
    await t.docker.getContainer(proxy.Id).remove({ force: true });
    const squatter = await eventually('the port to be free once the proxy is gone', () => hostService(port), 10_000);
    servers.push(squatter);
    const refused = await applyFile('lb-ok.yaml', lb('lbok', port));
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`port ${port}/TCP (LoadBalancer) of service default/lbok is in use on this host: a host process listens on 0.0.0.0:${port}`);
    expect(await ofService(t, 'lbok')).toEqual([]);
    expect(await natRules()).not.toContain(chainsOf(t, 'lbok'));
    expect(await body(`http://${host}:${port}/`)).toBe(HOST_REPLY);

    // The host service stops: the next apply makes the whole Service again.
    await close(squatter);
    const back = await applyFile('lb-ok.yaml', lb('lbok', port));
    expect(back.code, back.stderr).toBe(0);
    expect((await ofService(t, 'lbok')).map((c) => c.State)).toEqual(['running', 'running']);
    expect((await hostGet(`http://${host}:${port}/`)).pod).toBe(pod);
  });

  it('a LoadBalancer on loadBalancerIP 127.0.0.1 is served there only; a host process on another address of its port keeps its traffic and is a conflict', async () => {
    const probe = await held();
    const port = portOf(probe);
    await close(probe);
    const manifest = `${lb('lbloop', port)}  loadBalancerIP: 127.0.0.1\n`;
    const first = await applyFile('lb-loop.yaml', manifest);
    expect(first.code, first.stderr).toBe(0);
    expect((await ofService(t, 'lbloop')).map((c) => c.State)).toEqual(['running', 'running']);
    expect((await hostGet(`http://127.0.0.1:${port}/`)).pod).toBe(pod);
    // Docker publishes on 127.0.0.1 only; the fast path used to DNAT every other local address.
    const others = localAddresses();
    expect(others).toContain(host);
    for (const ip of others) await expect(body(`http://${ip}:${port}/`), ip).rejects.toThrow(/ECONNREFUSED/);

    // A host process on the host's own address of that port: its connections stay its own.
    const squatter = await hostService(port, host);
    expect(squatter, `${host}:${port} should be free beside docker-proxy on 127.0.0.1`).toBeDefined();
    servers.push(squatter!);
    expect(await body(`http://${host}:${port}/`)).toBe(HOST_REPLY);
    expect((await hostGet(`http://127.0.0.1:${port}/`)).pod).toBe(pod);

    // The fast path made again: the listener on another address is not the Service's own
    // docker-proxy (it used to be excused by its port alone).
    const fastPath = (await ofService(t, 'lbloop')).find((c) => c.Labels['berth.dataplane-mode'] === 'host-rules')!;
    await t.docker.getContainer(fastPath.Id).stop({ t: 10 });
    await t.docker.getContainer(fastPath.Id).remove();
    const again = await applyFile('lb-loop.yaml', manifest);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain(`port ${port}/TCP (LoadBalancer) of service default/lbloop is in use on this host: a host process listens on ${host}:${port}`);
    expect(again.stdout).not.toContain('host fast path created');
    expect(await body(`http://${host}:${port}/`)).toBe(HOST_REPLY);
    await close(squatter);
    const back = await applyFile('lb-loop.yaml', manifest);
    expect(back.code, back.stderr).toBe(0);
    expect((await hostGet(`http://127.0.0.1:${port}/`)).pod).toBe(pod);
  });

  /** A host service on a port of the NodePort range (searched from a random start). */
  async function heldNodePort(): Promise<http.Server> {
    for (let p = 31000 + Math.floor(Math.random() * 1500); p <= 32767; p++) {
      const s = await hostService(p);
      if (s) {
        servers.push(s);
        return s;
      }
    }
    throw new Error('no free port in the NodePort range');
  }
});

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerClient } from '../../src/apply/docker.js';
import { createNetwork } from '../../src/apply/network.js';
import type { PodContext } from '../../src/apply/pod-context.js';
import { parseCidr, parseIpv4, size } from '../../src/model/ipv4.js';
import { systemClock } from '../../src/runtime/clock.js';
import { DB_FILE, openStore } from '../../src/runtime/store/index.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp, execIn, podOwners } from './support/harness.js';
import { getFromPod, stopDataplane } from './support/services.js';

/**
 * Single-container pods (issue 18, plan/pod-shape.ts) on a real engine: a pod of one container
 * runs as that one container, with an address berth claimed from the pod range of its
 * namespace network, which it keeps across a kill, a stop while another container starts on
 * the network, and a re-creation under the same pod; Services reach it; pods that need a
 * sandbox keep one; deleting the pod releases its address; a lost store does not hand out an
 * address a container holds; namespace networks made at once all get one; an older berth's
 * network (no pod range) keeps making sandbox pods.
 */
const WEB = 'berth-examples/web:1.0';
const BUSYBOX = 'berth-examples/busybox:1.36';

const manifests = `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: back}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: web, image: '${WEB}', ports: [{containerPort: 8080}], readinessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 1}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: shop}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - {name: sh, image: '${BUSYBOX}', command: [sleep, '100000']}
---
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: back}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - {name: sh, image: '${BUSYBOX}', command: [sleep, '100000']}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: conf, namespace: shop}
data: {a: b}
---
apiVersion: v1
kind: Pod
metadata: {name: with-init, namespace: shop}
spec:
  terminationGracePeriodSeconds: 0
  initContainers:
  - {name: init, image: '${BUSYBOX}', command: ['true']}
  containers:
  - {name: sh, image: '${BUSYBOX}', command: [sleep, '100000']}
---
apiVersion: v1
kind: Pod
metadata: {name: with-config, namespace: shop}
spec:
  terminationGracePeriodSeconds: 0
  volumes: [{name: c, configMap: {name: conf}}]
  containers:
  - {name: sh, image: '${BUSYBOX}', command: [sleep, '100000'], volumeMounts: [{name: c, mountPath: /c}]}
`;

const extraPod = (name: string, namespace = 'shop') => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - {name: sh, image: '${BUSYBOX}', command: [sleep, '100000']}
`;

describe('single-container pods (real Docker)', () => {
  let t: E2eApp;
  const net = (ns: string) => `berth_${t.app}_${ns}`;
  const podContainers = async (name: string) => (await t.containers()).filter((c) => c.Labels['berth.name'] === name && c.Labels['berth.kind'] === 'Pod');
  const ipOf = async (id: string, ns: string) => {
    const info = await t.docker.getContainer(id).inspect();
    return info.NetworkSettings.Networks[net(ns)]?.IPAddress ?? '';
  };
  const inPodRange = async (ip: string, ns: string) => {
    const range = parseCidr((await t.docker.getNetwork(net(ns)).inspect()).Labels?.['berth.pod-range'] ?? '')!;
    const n = parseIpv4(ip)!;
    return n >= range.base && n < range.base + size(range.prefix);
  };
  const claims = () => {
    const store = openStore({ dir: t.stateDir, clock: systemClock, isProcessAlive: () => true });
    try {
      return store.listPodIps();
    } finally {
      store.close();
    }
  };
  const waitRunning = async (name: string, timeoutMs = 30_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const [c] = await podContainers(name);
      if (c?.State === 'running') return c;
      if (Date.now() > until) throw new Error(`pod ${name} did not run again within ${timeoutMs} ms (${c?.State ?? 'gone'})`);
      await new Promise((r) => setTimeout(r, 300));
    }
  };

  beforeAll(async () => {
    t = await createE2eApp('single');
    // An older berth's namespace network: the owner labels without a pod range.
    await t.docker.createNetwork({
      Name: `berth_${t.app}_legacy`,
      Driver: 'bridge',
      Labels: { 'berth.managed': 'true', 'berth.app': t.app, 'berth.namespace': 'legacy', 'berth.kind': 'Namespace', 'berth.name': 'legacy', 'berth.role': 'network' },
    });
    await t.write({ 'app.yaml': manifests, 'legacy.yaml': extraPod('old', 'legacy') });
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '120s');
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await stopDataplane(t);
    await t.cleanup();
  });

  it('runs a pod of one container as that one container, owning its network with an address from the pod range', async () => {
    const cs = await podContainers('web');
    expect(cs.map((c) => c.Labels['berth.role'])).toEqual(['container']);
    expect(cs[0]!.Labels['berth.pod-shape']).toBe('single');
    expect(podOwners(await t.containers()).map((c) => c.Labels['berth.name']).sort()).toEqual(['client', 'old', 'other', 'web', 'with-config', 'with-init']);
    const ip = await ipOf(cs[0]!.Id, 'shop');
    expect(await inPodRange(ip, 'shop')).toBe(true);
    const wide = (await t.berth('get', 'pods', '-n', 'shop', '-o', 'wide')).stdout;
    expect(wide).toMatch(new RegExp(`^web\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+${ip.replaceAll('.', '\\.')}\\s`, 'm'));
    expect(claims().find((c) => c.pod === 'shop/web')?.ip).toBe(ip);
  });

  it('describe and logs work on a single pod; inside, its hostname, DNS settings and address are the pod\'s', async () => {
    const [c] = await podContainers('client');
    const ip = await ipOf(c!.Id, 'shop');
    const described = await t.berth('describe', 'pod', 'client', '-n', 'shop');
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(new RegExp(`^IP:\\s+${ip.replaceAll('.', '\\.')}$`, 'm'));
    // (berth exec itself is not run here: this harness appends --app/--state-dir after the
    // command's `--`, so they would be the command's; cli-inspect runs it with its own harness.)
    expect((await execIn(t.docker, c!.Id, ['hostname'])).output.trim()).toBe('client');
    const resolv = (await execIn(t.docker, c!.Id, ['cat', '/etc/resolv.conf'])).output;
    expect(resolv).toMatch(/^search shop\.svc\.cluster\.local /m);
    expect(resolv).toMatch(/ndots:5/);
    // /etc/hosts names the pod by its address, as the kubelet's does.
    expect((await execIn(t.docker, c!.Id, ['cat', '/etc/hosts'])).output).toMatch(new RegExp(`^${ip.replaceAll('.', '\\.')}\\s+client\\b`, 'm'));
    await execIn(t.docker, c!.Id, ['sh', '-c', 'echo to-the-log > /proc/1/fd/1']);
    expect((await t.berth('logs', 'client', '-n', 'shop')).stdout).toContain('to-the-log');
  });

  it('keeps sandboxes for a pod with an init container, one with a configMap volume, and the pods of an older berth\'s network', async () => {
    for (const name of ['with-init', 'with-config', 'old']) {
      const roles = (await podContainers(name)).map((c) => c.Labels['berth.role']).sort();
      expect(roles, name).toContain('sandbox');
      expect((await podContainers(name)).some((c) => c.Labels['berth.pod-shape'] === 'single'), name).toBe(false);
    }
    expect((await t.docker.getNetwork(net('legacy')).inspect()).Labels?.['berth.pod-range']).toBeUndefined();
  });

  it('a ClusterIP Service reaches the single pod by its DNS name', async () => {
    const client = (await podContainers('client'))[0]!;
    expect(client.Labels['berth.pod-shape']).toBe('single');
    let reply: Awaited<ReturnType<typeof getFromPod>>;
    for (let i = 0; i < 20 && !reply; i++) {
      reply = await getFromPod(t.docker, client.Id, 'web', 80);
      if (!reply) await new Promise((r) => setTimeout(r, 500));
    }
    expect(reply?.pod).toBe('web');
  });

  it('keeps the pod\'s address across a kill and a stop while another container starts on the network', async () => {
    const [before] = await podContainers('client');
    const ip = await ipOf(before!.Id, 'shop');
    await t.docker.getContainer(before!.Id).kill();
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s');
    expect(r.code).toBe(0);
    const again = await waitRunning('client');
    expect(again.Id).toBe(before!.Id);
    expect(await ipOf(again.Id, 'shop')).toBe(ip);
    // Stopped, its address is free on the network as far as Docker's own allocations go: a
    // container started meanwhile gets one of Docker's half, and the pod's comes back as it was.
    await t.docker.getContainer(before!.Id).stop({ t: 0 });
    const squatter = await t.docker.createContainer({ Image: BUSYBOX, Cmd: ['sleep', '60'], Labels: { 'berth.app': t.app }, HostConfig: { NetworkMode: net('shop') } });
    try {
      await squatter.start();
      expect(await ipOf(squatter.id, 'shop')).not.toBe(ip);
      expect(await inPodRange(await ipOf(squatter.id, 'shop'), 'shop')).toBe(false);
      await t.docker.getContainer(before!.Id).start();
      expect(await ipOf(before!.Id, 'shop')).toBe(ip);
    } finally {
      await squatter.remove({ force: true });
    }
  });

  it('a pod made again under its name (its container removed by hand) gets its address back', async () => {
    const [before] = await podContainers('client');
    const ip = await ipOf(before!.Id, 'shop');
    await t.docker.getContainer(before!.Id).remove({ force: true });
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s');
    expect(r.code).toBe(0);
    const after = await waitRunning('client');
    expect(after.Id).not.toBe(before!.Id);
    expect(await ipOf(after.Id, 'shop')).toBe(ip);
  });

  it('deleting the pod releases its address', async () => {
    expect(claims().some((c) => c.pod === 'back/other')).toBe(true);
    const r = await t.berth('delete', 'pod', 'other', '-n', 'back', '--wait');
    expect(r.code).toBe(0);
    expect(await podContainers('other')).toEqual([]);
    expect(claims().some((c) => c.pod === 'back/other')).toBe(false);
  });

  it('with the store lost, a new pod does not get an address a running pod holds', async () => {
    const [web] = await podContainers('web');
    const held = await ipOf(web!.Id, 'shop');
    // The database alone: with the host key kept (its own file), the pods keep their hashes
    // and stay as they are, holding addresses the store no longer knows of.
    for (const f of [DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`]) await rm(join(t.stateDir, f), { force: true });
    await t.write({ 'app.yaml': manifests, 'legacy.yaml': extraPod('old', 'legacy'), 'new.yaml': extraPod('fresh') });
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '90s');
    expect(r.stderr).not.toMatch(/already in use/i);
    expect(r.code).toBe(0);
    const fresh = await waitRunning('fresh');
    const info = await t.docker.getContainer(fresh.Id).inspect();
    expect(info.RestartCount).toBe(0);
    const ip = await ipOf(fresh.Id, 'shop');
    expect(await inPodRange(ip, 'shop')).toBe(true);
    expect((await podContainers('web'))[0]!.Id).toBe(web!.Id);
    const inUse = await Promise.all((await t.containers()).filter((c) => c.Id !== fresh.Id && c.State === 'running').map((c) => ipOf(c.Id, 'shop')));
    expect(inUse).toContain(held);
    expect(inUse).not.toContain(ip);
  });

  it('namespace networks made at once each get their own subnet, and a network made twice at once is one network', async () => {
    const ctx = { docker: createDockerClient({ clock: systemClock }), app: t.app } as unknown as PodContext;
    await Promise.all([createNetwork(ctx, 'race-a'), createNetwork(ctx, 'race-b'), createNetwork(ctx, 'race-a'), createNetwork(ctx, 'race-b')]);
    const nets = (await t.docker.listNetworks({ filters: { label: [`berth.app=${t.app}`] } })).filter((n) => /_race-[ab]$/.test(n.Name));
    expect(nets.map((n) => n.Name).sort()).toEqual([net('race-a'), net('race-b')]);
    // The probe networks that asked Docker for a subnet are all gone.
    expect((await t.docker.listNetworks()).filter((n) => n.Name.includes('_probe_')).map((n) => n.Name)).toEqual([]);
    const inspected = await Promise.all(nets.map((n) => t.docker.getNetwork(n.Id).inspect() as Promise<Dockerode.NetworkInspectInfo>));
    const subnets = inspected.map((n) => n.IPAM?.Config?.[0]?.Subnet);
    expect(new Set(subnets).size).toBe(2);
    for (const n of inspected) {
      const subnet = parseCidr(n.IPAM!.Config![0]!.Subnet!)!;
      const range = parseCidr(n.Labels!['berth.pod-range']!)!;
      expect(range.base).toBe(subnet.base + size(subnet.prefix + 1));
      expect(parseCidr(n.IPAM!.Config![0]!.IPRange!)).toEqual({ base: subnet.base, prefix: subnet.prefix + 1 });
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { E2eApp } from './support/harness.js';
import { createE2eApp } from './support/harness.js';
import { isPodOwner } from '../../src/apply/labels.js';
import type { SvcJson } from './support/services.js';
import { stopDataplane } from './support/services.js';
import { getFromPod, lookup } from './support/services.js';
import { createDockerClient } from '../../src/apply/docker.js';
import { DNS_CONFIG_DIR, PROXY_CONFIG_DIR } from '../../src/apply/images/dataplane.js';
import { readStatus } from '../../src/apply/services/config-writer.js';
import { hostDirOf } from '../../src/apply/services/host-status.js';
import { systemClock } from '../../src/runtime/clock.js';

/**
 * Services seen from inside pods, on a real engine: every DNS name of a ClusterIP Service,
 * headless and ExternalName answers, a Service of another namespace, named and multiple
 * ports, and a pod the selector matches that never becomes ready and never gets a request.
 */
const namespaces = `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: back}
`;

const web = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: frontend}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: web
        image: berth-examples/web:1.0
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: shop}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - {name: sh, image: 'berth-examples/busybox:1.36', command: [sleep, '100000']}
`;

const services = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {tier: frontend}
  ports:
  - {name: http, port: 80, targetPort: http}
  - {name: alt, port: 8081, targetPort: 8080}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  clusterIP: None
  selector: {tier: frontend}
  ports: [{name: http, port: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: ext, namespace: shop}
spec:
  type: ExternalName
  externalName: web.shop.svc.cluster.local
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: back}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - {name: web, image: 'berth-examples/web:2.0', ports: [{containerPort: 8080}], readinessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 1}}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: back}
spec:
  selector: {app: api}
  ports: [{port: 80, targetPort: 8080}]
`;

/** Matched by the web and db selectors (tier: frontend), never ready: BROKEN_READINESS. */
const broken = `apiVersion: v1
kind: Pod
metadata: {name: broken, namespace: shop, labels: {app: broken, tier: frontend}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: berth-examples/web:broken
    ports: [{name: http, containerPort: 8080}]
    readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
`;

describe('services: DNS and endpoints seen from a pod (real Docker)', () => {
  let t: E2eApp;
  let client = '';
  const ips = new Map<string, string>();

  beforeAll(async () => {
    t = await createE2eApp('svc-dns');
    await t.write({ 'ns.yaml': namespaces, 'web.yaml': web, 'services.yaml': services });
    const first = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '120s');
    expect(first.stderr).not.toMatch(/error/);
    expect(first.code).toBe(0);
    // Added afterwards, without --wait: it is created, never turns ready, and must stay out.
    await t.write({ 'ns.yaml': namespaces, 'web.yaml': web, 'services.yaml': services, 'broken.yaml': broken });
    const second = await t.berth('apply', '-f', t.dir);
    expect(second.code).toBe(0);
    const containers = await t.containers();
    client = containers.find((c) => c.Labels['berth.name'] === 'client' && c.Labels['berth.role'] === 'container')!.Id;
    for (const c of containers) {
      const net = c.NetworkSettings?.Networks?.[`berth_${t.app}_${c.Labels['berth.namespace']}`];
      // A pod's address is its owner's: its sandbox, or a single-container pod's one container.
      const role = isPodOwner(c.Labels) ? 'pod' : c.Labels['berth.role'];
      if (net?.IPAddress) ips.set(`${role}/${c.Labels['berth.namespace']}/${c.Labels['berth.name']}`, net.IPAddress);
    }
  });
  afterAll(async () => {
    await stopDataplane(t);
    await t.cleanup();
  });

  it('every name of a ClusterIP Service answers its proxy address, and get svc shows it', async () => {
    const svc = JSON.parse((await t.berth('get', 'svc', 'web', '-n', 'shop', '-o', 'json')).stdout) as SvcJson;
    const proxyIp = ips.get('proxy/shop/web');
    expect(svc.spec.clusterIP).toBe(proxyIp);
    for (const name of ['web', 'web.shop', 'web.shop.svc', 'web.shop.svc.cluster.local']) {
      expect((await lookup(t.docker, client, name)).addresses, name).toEqual([proxyIp]);
    }
    const table = await t.berth('get', 'svc', '-n', 'shop');
    expect(table.stdout).toMatch(new RegExp(`^web\\s+ClusterIP\\s+${proxyIp!.replaceAll('.', '\\.')}\\s+<none>\\s+80/TCP,8081/TCP\\s`, 'm'));
    expect(table.stdout).toMatch(/^db\s+ClusterIP\s+None\s+<none>\s+8080\/TCP\s/m);
    expect(table.stdout).toMatch(/^ext\s+ExternalName\s+<none>\s+web\.shop\.svc\.cluster\.local\s+<none>\s/m);
  });

  it('requests reach only ready pods: the unready pod the selector matches gets none', async () => {
    const pods = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const r = await getFromPod(t.docker, client, 'web', 80);
      expect(r, `request ${i}`).toBeDefined();
      pods.add(r!.pod);
    }
    expect([...pods].sort()).toEqual([...ips.keys()].filter((k) => k.startsWith('pod/shop/web-')).map((k) => k.split('/')[2]).sort());
    expect(pods.has('broken')).toBe(false);
  });

  it('a second port and a named targetPort both reach the pods', async () => {
    const alt = await getFromPod(t.docker, client, 'web.shop.svc.cluster.local', 8081);
    expect(alt?.pod).toMatch(/^web-/);
  });

  it('headless: A records for the ready pods only', async () => {
    const ready = [...ips.entries()].filter(([k]) => k.startsWith('pod/shop/web-')).map(([, ip]) => ip).sort();
    expect(ready).toHaveLength(2);
    expect((await lookup(t.docker, client, 'db.shop.svc.cluster.local')).addresses).toEqual(ready);
    expect((await lookup(t.docker, client, 'db')).addresses).toEqual(ready);
  });

  it('ExternalName: a CNAME to its target, which resolves too', async () => {
    const r = await lookup(t.docker, client, 'ext.shop.svc.cluster.local');
    expect(r.cname).toBe('web.shop.svc.cluster.local');
    expect(r.addresses).toEqual([ips.get('proxy/shop/web')]);
    expect((await getFromPod(t.docker, client, 'ext', 80))?.pod).toMatch(/^web-/);
  });

  it('a Service of another namespace answers as <svc>.<ns>, on an address of this namespace network', async () => {
    const r = await lookup(t.docker, client, 'api.back');
    expect(r.addresses).toHaveLength(1);
    const proxy = (await t.containers()).find((c) => c.Labels['berth.role'] === 'proxy' && c.Labels['berth.name'] === 'api');
    expect(proxy?.NetworkSettings?.Networks?.[`berth_${t.app}_shop`]?.IPAddress).toBe(r.addresses[0]);
    expect((await getFromPod(t.docker, client, 'api.back', 80))?.version).toBe('2.0');
    expect((await getFromPod(t.docker, client, 'api.back.svc.cluster.local', 80))?.version).toBe('2.0');
  });

  it('a name under the cluster domain that does not exist is NXDOMAIN', async () => {
    const r = await lookup(t.docker, client, 'nope.shop.svc.cluster.local');
    expect(r.addresses).toEqual([]);
    expect(r.output).toContain("can't find nope.shop.svc.cluster.local: NXDOMAIN");
  });

  // Last: it deletes the web Service. The status channel (apply/services/host-status.ts): every
  // proxy and DNS server keeps its config dir on a labelled anonymous volume of its own, berth
  // reads status.json there (the file the archive API would return), and the volume goes with
  // its container.
  it("data-plane status is read from each container's own config volume, which goes with the container", async () => {
    const dataplane = (await t.containers()).filter((c) => c.Labels['berth.role'] === 'proxy' || c.Labels['berth.role'] === 'dns');
    expect(dataplane.length).toBeGreaterThanOrEqual(3);
    const docker = createDockerClient({ clock: systemClock, ...(process.env.DOCKER_HOST ? { host: process.env.DOCKER_HOST } : {}) });
    for (const c of dataplane) {
      const kind = c.Labels['berth.role'] as 'proxy' | 'dns';
      const dir = kind === 'dns' ? DNS_CONFIG_DIR : PROXY_CONFIG_DIR;
      const hostDir = hostDirOf(c.Mounts, dir);
      expect(hostDir, `${c.Names[0]} keeps ${dir} on a volume`).toBeDefined();
      const volume = await t.docker.getVolume(c.Mounts.find((m) => m.Destination === dir)!.Name!).inspect();
      expect(volume.Labels).toMatchObject({ 'berth.managed': 'true', 'berth.app': t.app, 'berth.role': 'dataplane' });
      const local = await readStatus(docker, c.Id, kind, hostDir);
      const archived = await readStatus(docker, c.Id, kind);
      expect(local?.kind).toBe(kind);
      expect(local?.generation).toBeGreaterThan(0);
      // The program may rewrite it between the two reads (connection counters); the applied configuration does not change.
      expect({ generation: local?.generation, checksum: local?.checksum }).toEqual({ generation: archived?.generation, checksum: archived?.checksum });
    }
    const proxy = dataplane.find((c) => c.Labels['berth.role'] === 'proxy' && c.Labels['berth.name'] === 'web')!;
    const volumeName = proxy.Mounts.find((m) => m.Destination === PROXY_CONFIG_DIR)!.Name!;
    const del = await t.berth('delete', 'svc', 'web', '-n', 'shop');
    expect(del.stderr).toBe('');
    expect(del.code).toBe(0);
    const left = (await t.docker.listVolumes({ filters: { name: [volumeName] } })).Volumes ?? [];
    expect(left.map((v) => v.Name)).toEqual([]);
  });
});

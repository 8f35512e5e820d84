import { describe, expect, it } from 'vitest';
import type { DnsConfig, ProxyConfig } from '../../src/dataplane/protocol.js';
import { configChecksum } from '../../src/dataplane/protocol.js';
import type { Action } from '../../src/plan/actions.js';
import { ACTION_PHASE } from '../../src/plan/actions.js';
import { buildDesiredState } from '../../src/plan/desired.js';
import type { ObservedDns, ObservedPod, ObservedService, ObservedState } from '../../src/plan/observed.js';
import { plan } from '../../src/plan/plan.js';
import type { ProxyPlan } from '../../src/plan/service-actions.js';
import type { Resource } from '../../src/model/types.js';
import { deployment, observedFrom, observedState, res, sequence, TEST_HASH_KEY } from '../support/builders.js';

const NOW = 1_000_000;

function service(name: string, spec: Record<string, unknown> = {}, namespace = 'default'): Resource {
  return res({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }], ...spec } });
}

const web = deployment('web', { replicas: 3 });

function pods(resources: Resource[], n: number, shape: Parameters<typeof observedFrom>[1] = {}): ObservedPod[] {
  const w = buildDesiredState(resources, { hashKey: TEST_HASH_KEY }).workloads.find((x) => x.key === 'Deployment/default/web')!;
  return Array.from({ length: n }, (_, i) => {
    const p = observedFrom(w.template.build(`web-${w.template.hash}-p${i}`), shape);
    return { ...p, sandbox: { ...p.sandbox!, ip: `10.0.0.${10 + i}` } };
  });
}

function run(resources: Resource[], observed: ObservedState, prune = false) {
  return plan(buildDesiredState(resources, { hashKey: TEST_HASH_KEY }), observed, { now: NOW, random: sequence(), prune });
}

/** Only the service actions, one line each. */
function summary(actions: Action[]): string[] {
  return actions.flatMap((a) => {
    switch (a.type) {
      case 'create-proxy':
        return [`create-proxy ${a.proxy.namespace}/${a.proxy.name}`];
      case 'delete-proxy':
        return [`delete-proxy ${a.namespace}/${a.name} (${a.reason})`];
      case 'connect-proxy':
        return [`connect-proxy ${a.namespace}/${a.name} to ${a.network.namespace} as ${a.network.aliases.join(',')}`];
      case 'disconnect-proxy':
        return [`disconnect-proxy ${a.namespace}/${a.name} from ${a.network}`];
      case 'write-endpoints':
        return [`write-endpoints ${a.namespace}/${a.name}${a.host ? ' host' : ''} (${a.reason})`];
      case 'create-host-rules':
        return [`create-host-rules ${a.proxy.namespace}/${a.proxy.name}`];
      case 'delete-host-rules':
        return [`delete-host-rules ${a.namespace}/${a.name} (${a.reason})`];
      case 'create-dns':
        return [`create-dns ${a.dns.namespace}`];
      case 'delete-dns':
        return [`delete-dns ${a.namespace} (${a.reason})`];
      case 'write-dns':
        return [`write-dns ${a.namespace} (${a.reason})`];
      default:
        return [];
    }
  });
}

/** What a first plan would create: the proxy plan for a Service. */
function proxyOf(resources: Resource[], observed: ObservedState, name = 'web'): ProxyPlan {
  const a = run(resources, observed).actions.find((x) => x.type === 'create-proxy' && x.proxy.name === name);
  if (!a || a.type !== 'create-proxy') throw new Error(`no create-proxy for ${name}`);
  return a.proxy;
}

function dnsOf(resources: Resource[], observed: ObservedState, ns = 'default'): DnsConfig {
  const a = run(resources, observed).actions.find((x) => x.type === 'create-dns' && x.dns.namespace === ns);
  if (!a || a.type !== 'create-dns') throw new Error(`no create-dns for ${ns}`);
  return a.dns.config;
}

/** An observed proxy running exactly `proxy` (config applied at generation 7). */
function running(proxy: ProxyPlan, over: Partial<ObservedService> = {}, config: ProxyConfig = proxy.config): ObservedService {
  return {
    namespace: proxy.namespace,
    name: proxy.name,
    containerId: `proxy-${proxy.name}`,
    state: 'running',
    specHash: proxy.specHash,
    ip: '10.0.0.200',
    nodePorts: proxy.nodePorts,
    networks: Object.fromEntries(proxy.networks.map((n, i) => [n.namespace, `10.0.${i}.200`])),
    config: { generation: 7, checksum: configChecksum('proxy', 7, config), serving: config.endpoints.filter((e) => e.ready).map((e) => e.name ?? e.ip) },
    ...over,
  };
}

function dnsRunning(ns: string, config: DnsConfig, specHash: string): ObservedDns {
  return { namespace: ns, containerId: `dns-${ns}`, state: 'running', specHash, ip: '10.0.0.250', config: { generation: 3, checksum: configChecksum('dns', 3, config), serving: [] } };
}

function dnsSpecHash(resources: Resource[]): string {
  const a = run(resources, observedState([])).actions.find((x) => x.type === 'create-dns');
  return a?.type === 'create-dns' ? a.dns.specHash : '';
}

/** Observed state with the proxy and the DNS server running what the revision wants. */
function settled(resources: Resource[], ps: ObservedPod[], extra: Partial<ObservedState> = {}): ObservedState {
  const base = observedState(ps, extra);
  const proxy = proxyOf(resources, base);
  return { ...base, services: [running(proxy)], dns: [dnsRunning('default', dnsOf(resources, { ...base, services: [running(proxy)] }), dnsSpecHash(resources))] };
}

describe('services: endpoints', () => {
  const resources = [web, service('web')];

  it('a new Service gets a proxy with its ready pods as endpoints and the namespace a DNS server', () => {
    const ps = [...pods([web], 2), ...pods([web], 1, { ready: false }).map((p) => ({ ...p, name: 'web-unready', key: 'default/web-unready', sandbox: { ...p.sandbox!, ip: '10.0.0.99' } }))];
    const p = run(resources, observedState(ps));
    expect(summary(p.actions)).toEqual(['create-proxy default/web', 'create-dns default']);
    const proxy = proxyOf(resources, observedState(ps));
    expect(proxy.config).toEqual({
      service: { namespace: 'default', name: 'web' },
      ports: [{ name: '', protocol: 'TCP', port: 80, targetPort: 8080 }],
      endpoints: [
        { name: ps[0]!.name, ip: '10.0.0.10', ready: true },
        { name: ps[1]!.name, ip: '10.0.0.11', ready: true },
        { name: 'web-unready', ip: '10.0.0.99', ready: false },
      ],
      sessionAffinity: { type: 'None' },
    });
    expect(proxy.networks).toEqual([{ namespace: 'default', aliases: ['web', 'web.default', 'web.default.svc', 'web.default.svc.cluster.local'] }]);
    expect(proxy.publish).toEqual([]);
  });

  it('nothing to do when the proxy runs the endpoints the pods call for', () => {
    const ps = pods([web], 3);
    expect(summary(run(resources, settled(resources, ps)).actions)).toEqual([]);
  });

  it.each([
    { name: 'a pod that turns unready leaves the rotation', before: [true, true, true], after: [false, true, true], want: (ps: ObservedPod[]) => `${ps[0]!.name} out` },
    { name: 'a pod that turns ready joins it', before: [true, true, false], after: [true, true, true], want: (ps: ObservedPod[]) => `${ps[2]!.name} ready` },
  ])('$name', ({ before, after, want }) => {
    const ps = pods([web], 3);
    const observed = settled(resources, ps.map((p, i) => ({ ...p, ready: before[i]! })));
    const p = run(resources, { ...observed, pods: ps.map((x, i) => ({ ...x, ready: after[i]! })) });
    expect(summary(p.actions)).toEqual([`write-endpoints default/web (${want(ps)})`]);
  });

  it('a pod the same plan deletes is out of the endpoints, written before the deletion runs', () => {
    const v2 = deployment('web', { replicas: 3, image: 'img:2', strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } });
    const old = pods([web], 3);
    const h2 = buildDesiredState([v2], { hashKey: TEST_HASH_KEY }).workloads[0]!.template.hash;
    const fresh = pods([v2], 1).map((p) => ({ ...p, name: `web-${h2}-n0`, key: `default/web-${h2}-n0`, sandbox: { ...p.sandbox!, ip: '10.0.0.50' } }));
    const revision = [v2, service('web')];
    const observed = settled(revision, old);
    const p = run(revision, { ...observed, pods: [...old, ...fresh] });
    const deleted = p.actions.find((a) => a.type === 'delete-pod');
    const write = p.actions.find((a) => a.type === 'write-endpoints');
    expect(deleted?.type === 'delete-pod' && deleted.name).toBe(old[2]!.name);
    expect(write?.type === 'write-endpoints' && write.config.endpoints.map((e) => e.name)).toEqual([old[0]!.name, old[1]!.name, fresh[0]!.name].sort());
    expect(write?.type === 'write-endpoints' && write.reason).toBe(`${fresh[0]!.name} ready, ${old[2]!.name} out`);
    expect(ACTION_PHASE['write-endpoints']).toBeLessThan(ACTION_PHASE['delete-pod']);
    expect(ACTION_PHASE['create-dns']).toBeLessThan(ACTION_PHASE['create-pod']);
    expect(ACTION_PHASE['delete-proxy']).toBeLessThan(ACTION_PHASE['delete-network']);
  });

  it('publishNotReadyAddresses keeps unready pods in', () => {
    const r = [web, service('web', { publishNotReadyAddresses: true })];
    const proxy = proxyOf(r, observedState(pods([web], 2, { ready: false })));
    expect(proxy.config.endpoints.map((e) => e.ready)).toEqual([true, true]);
  });

  it('a pod whose readiness this process has not established yet keeps its place in the rotation', () => {
    const ps = pods([web], 2);
    const observed = settled(resources, ps);
    // A fresh process: the prober has not decided yet, so observation says "not ready".
    const unknown = { ...observed, pods: ps.map((p) => ({ ...p, ready: false })), endpointHolds: ps.map((p) => p.key) };
    expect(summary(run(resources, unknown).actions)).toEqual([]);
    // Once the prober has decided, its verdict counts.
    expect(summary(run(resources, { ...unknown, endpointHolds: [ps[1]!.key] }).actions)).toEqual([`write-endpoints default/web (${ps[0]!.name} out)`]);
  });

  it('a proxy whose config is not known (diff, get) is not rewritten', () => {
    const ps = pods([web], 2);
    const observed = settled(resources, ps);
    const unknown = { ...observed, pods: [{ ...ps[0]!, ready: false }, ps[1]!], services: observed.services.map(({ config: _c, ...s }) => s) };
    expect(summary(run(resources, unknown).actions)).toEqual([]);
  });

  it('a named targetPort resolves per pod; a pod without that port name serves nothing on it', () => {
    const r = [web, service('web', { ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'metrics', port: 9100, targetPort: 9100 }] })];
    const ps = pods([web], 2);
    const withPorts = [{ ...ps[0]!, containers: ps[0]!.containers.map((c) => ({ ...c, ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] })) }, ps[1]!];
    const proxy = proxyOf(r, observedState(withPorts));
    expect(proxy.config.ports).toEqual([
      { name: 'http', protocol: 'TCP', port: 80 },
      { name: 'metrics', protocol: 'TCP', port: 9100, targetPort: 9100 },
    ]);
    expect(proxy.config.endpoints).toEqual([
      { name: ps[0]!.name, ip: '10.0.0.10', ready: true, ports: { http: 8080 } },
      { name: ps[1]!.name, ip: '10.0.0.11', ready: true },
    ]);
  });

  it.each([
    { name: 'default ClientIP timeout', affinity: { sessionAffinity: 'ClientIP' }, want: { type: 'ClientIP', timeoutSeconds: 10800 } },
    { name: 'explicit timeout', affinity: { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 30 } } }, want: { type: 'ClientIP', timeoutSeconds: 30 } },
    { name: 'no affinity', affinity: {}, want: { type: 'None' } },
  ])('session affinity: $name', ({ affinity, want }) => {
    expect(proxyOf([web, service('web', affinity)], observedState([])).config.sessionAffinity).toEqual(want);
  });
});

describe('services: published ports and proxy lifecycle', () => {
  const nodePort = (np?: number) => [web, service('web', { type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 8080, ...(np ? { nodePort: np } : {}) }] })];

  it.each([
    { name: 'NodePort publishes the allocated node port', r: nodePort(), allocated: 30123, want: [{ protocol: 'TCP', hostPort: 30123, port: 80, hostIp: '' }] },
    {
      name: 'LoadBalancer also publishes the service port itself',
      r: [web, service('web', { type: 'LoadBalancer', ports: [{ name: 'http', port: 8088, targetPort: 8080 }] })],
      allocated: 30124,
      want: [
        { protocol: 'TCP', hostPort: 8088, port: 8088, hostIp: '' },
        { protocol: 'TCP', hostPort: 30124, port: 8088, hostIp: '' },
      ],
    },
  ])('$name', ({ r, allocated, want }) => {
    const proxy = proxyOf(r, observedState([], { nodePorts: { 'Service/default/web': { http: allocated } } }));
    expect(proxy.publish).toEqual(want);
    expect(proxy.nodePorts).toEqual({ http: allocated });
  });

  it('a changed node port replaces the proxy and its host fast path (published ports are fixed at creation)', () => {
    const before = proxyOf(nodePort(30080), observedState([], { nodePorts: { 'Service/default/web': { http: 30080 } } }));
    const observed = observedState([], { services: [running(before, { hostRules: { containerId: 'host-web', state: 'running', specHash: before.specHash } })], nodePorts: { 'Service/default/web': { http: 30081 } } });
    expect(summary(run(nodePort(30081), observed).actions)).toEqual([
      'delete-host-rules default/web (published ports changed; replacing it)',
      'delete-proxy default/web (published ports changed; replacing it)',
      'create-dns default',
    ]);
  });

  it('published TCP ports get the host fast path, kept in step with the proxy and removed with it', () => {
    const observed = observedState(pods([web], 2), { nodePorts: { 'Service/default/web': { http: 30080 } } });
    const first = run(nodePort(), observed);
    // The proxy first (Docker binds the ports for it); the fast path once it runs.
    expect(summary(first.actions)).toEqual(['create-proxy default/web', 'create-dns default']);
    const proxy = proxyOf(nodePort(), observed);
    expect(summary(run(nodePort(), { ...observed, services: [running(proxy)] }).actions)).toEqual(['create-host-rules default/web', 'create-dns default']);
    expect(proxy.hostRules).toBe(true);
    expect(proxy.config.published).toEqual([{ name: 'http', protocol: 'TCP', hostPort: 30080 }]);
    // Both run the same endpoint configuration; a pod leaving is written to both.
    const host = { containerId: 'host-web', state: 'running' as const, specHash: proxy.specHash, config: running(proxy).config! };
    const settledState = { ...observed, services: [running(proxy, { hostRules: host })] };
    const ps = observed.pods;
    const p = run(nodePort(), { ...settledState, pods: [{ ...ps[0]!, ready: false }, ps[1]!] });
    expect(summary(p.actions)).toEqual([`write-endpoints default/web host (${ps[0]!.name} out)`, `write-endpoints default/web (${ps[0]!.name} out)`, 'create-dns default']);
    // Pruned: both go.
    expect(summary(run([web], settledState, true).actions)).toEqual([
      'delete-proxy default/web (prune: Service/default/web removed from the revision)',
      'delete-host-rules default/web (prune: Service/default/web removed from the revision)',
    ]);
    // Type ClusterIP again: the fast path goes, the proxy is replaced (nothing published any more).
    expect(summary(run([web, service('web')], settledState).actions).slice(0, 2)).toEqual(['delete-host-rules default/web (no published TCP port any more)', 'delete-proxy default/web (published ports changed; replacing it)']);
  });

  // Issue 11: made side by side, a fast path outlived a proxy Docker could not start (its port
  // held by a host process) and DNAT'ed that port's traffic to the pods.
  it.each([
    { name: 'no proxy yet', proxy: undefined, want: ['create-proxy default/web'] },
    { name: 'a proxy that is only created', proxy: { state: 'created' as const }, want: ['delete-proxy default/web (its container is created; replacing it)'] },
    { name: 'a proxy that restarts', proxy: { state: 'restarting' as const }, want: [] },
    { name: 'a proxy with other published ports', proxy: { specHash: 'older' }, want: ['delete-proxy default/web (published ports changed; replacing it)'] },
    { name: 'a running proxy with these ports', proxy: {}, want: ['create-host-rules default/web'] },
  ])('the host fast path is made only beside a running proxy with the same ports: $name', ({ proxy, want }) => {
    const r = [web, service('web', { type: 'LoadBalancer', ports: [{ name: 'http', port: 8088, targetPort: 8080 }] })];
    const observed = observedState([], { nodePorts: { 'Service/default/web': { http: 30124 } } });
    const plan = proxyOf(r, observed);
    const services = proxy === undefined ? [] : [running(plan, proxy)];
    expect(summary(run(r, { ...observed, services }).actions).filter((a) => !a.startsWith('create-dns') && !a.startsWith('write-'))).toEqual(want);
  });

  it.each([
    { name: 'a stopped proxy is replaced', over: { state: 'exited' as const }, prune: false, r: [web, service('web')], want: ['delete-proxy default/web (its container is exited; replacing it)'] },
    { name: 'a Service turned headless loses its proxy', over: {}, prune: false, r: [web, service('web', { clusterIP: 'None' })], want: ['delete-proxy default/web (the service has no cluster IP any more)'] },
    { name: 'a Service dropped from the revision keeps its proxy without prune', over: {}, prune: false, r: [web], want: [] },
    { name: 'and loses it with prune', over: {}, prune: true, r: [web], want: ['delete-proxy default/web (prune: Service/default/web removed from the revision)'] },
  ])('$name', ({ over, prune, r, want }) => {
    const proxy = proxyOf([web, service('web')], observedState([]));
    const dns = dnsRunning('default', dnsOf(r.length > 1 ? r : [web, service('web')], observedState([])), dnsSpecHash([web, service('web')]));
    const p = run(r, observedState([], { services: [running(proxy, over)], dns: [dns] }), prune);
    expect(summary(p.actions).filter((l) => !l.startsWith('write-dns'))).toEqual(want);
    if (!prune && r.length === 1) expect(p.orphans).toContain('Service/default/web');
  });
});

describe('services: namespaces and DNS', () => {
  const shopWeb = res({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'shop' }, spec: { selector: { app: 'api' }, ports: [{ port: 80 }] } });

  it('a proxy joins every namespace network; only its own answers to the short name', () => {
    const proxy = proxyOf([web, service('web'), shopWeb], observedState([]));
    expect(proxy.networks).toEqual([
      { namespace: 'default', aliases: ['web', 'web.default', 'web.default.svc', 'web.default.svc.cluster.local'] },
      { namespace: 'shop', aliases: ['web.default', 'web.default.svc', 'web.default.svc.cluster.local'] },
    ]);
  });

  it('a new namespace is attached to running proxies, a gone one detached', () => {
    const proxy = proxyOf([web, service('web')], observedState([]));
    const observed = observedState([], { services: [running(proxy, { networks: { default: '10.0.0.200', old: '10.9.0.2' } })] });
    expect(summary(run([web, service('web'), shopWeb], observed).actions).filter((l) => l.includes('connect'))).toEqual([
      'connect-proxy default/web to shop as web.default,web.default.svc,web.default.svc.cluster.local',
      'disconnect-proxy default/web from old',
    ]);
  });

  it('DNS records: ClusterIP at the proxy address on that namespace network, headless at ready pods, ExternalName as a CNAME', () => {
    const ps = [...pods([web], 1), ...pods([web], 1, { ready: false }).map((p) => ({ ...p, name: 'web-x', key: 'default/web-x', sandbox: { ...p.sandbox!, ip: '10.0.0.77' } }))];
    const r = [web, service('web', { ports: [{ name: 'http', port: 80, targetPort: 8080 }] }), service('db', { clusterIP: 'None', ports: [{ name: 'http', port: 8080 }] }), service('ext', { type: 'ExternalName', externalName: 'example.org.', selector: undefined, ports: undefined })];
    const base = observedState(ps);
    const proxy = proxyOf(r, base);
    const config = dnsOf(r, { ...base, services: [running(proxy)] });
    expect(config).toEqual({
      domain: 'cluster.local',
      ttlSeconds: 5,
      services: [
        { namespace: 'default', name: 'db', type: 'Headless', ports: [{ name: 'http', protocol: 'TCP', port: 8080, targetPort: 8080 }], endpoints: [{ ip: '10.0.0.10', ready: true }, { ip: '10.0.0.77', ready: false }] },
        { namespace: 'default', name: 'ext', type: 'ExternalName', externalName: 'example.org', ports: [], endpoints: [] },
        { namespace: 'default', name: 'web', type: 'ClusterIP', clusterIPs: ['10.0.0.200'], ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }], endpoints: [] },
      ],
    });
    // Headless and ExternalName Services have no proxy.
    expect(summary(run(r, base).actions)).toEqual(['create-proxy default/web', 'create-dns default']);
  });

  it('an app without Services runs no DNS server; one that had them keeps it until the namespace goes', () => {
    expect(summary(run([web], observedState(pods([web], 1))).actions)).toEqual([]);
    const dns = dnsRunning('default', { domain: 'cluster.local', ttlSeconds: 5, services: [] }, dnsSpecHash([web, service('web')]));
    expect(summary(run([web], observedState(pods([web], 1), { dns: [dns] })).actions)).toEqual([]);
    const p = run([], observedState([], { dns: [dns] }), true);
    expect(summary(p.actions)).toEqual(['delete-dns default (prune: namespace default removed from the revision)']);
    expect(p.actions.map((a) => a.type)).toEqual(['delete-network', 'delete-dns']);
    expect(ACTION_PHASE['delete-dns']).toBeLessThan(ACTION_PHASE['delete-network']);
  });
});

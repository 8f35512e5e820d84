import type { DnsConfig, DnsEndpoint, DnsPort, DnsService, ProxyConfig, ProxyEndpoint, ProxyPort } from '../dataplane/protocol.js';
import { configChecksum } from '../dataplane/protocol.js';
import { specHash } from '../model/hash.js';
import { matches, selectorFromMap } from '../model/selectors.js';
import type { Resource, Service, ServicePort } from '../model/types.js';
import { resourceKey } from '../model/types.js';
import type { Action } from './actions.js';
import type { StepResult } from './controllers/common.js';
import { emptyStep } from './controllers/common.js';
import type { DesiredState } from './desired.js';
import type { AppliedConfig, ObservedPod, ObservedService, ObservedState } from './observed.js';
import { podPhase } from './observed.js';
import type { DnsPlan, NetworkAttachment, ProxyPlan, PublishedPort } from './service-actions.js';
import { own } from '../model/own.js';

/**
 * Services, planned like everything else: pure, from the desired and observed state.
 *
 * - A ClusterIP, NodePort or LoadBalancer Service gets a proxy container whose endpoint set is
 *   the READY pods its selector matches (all running pods with publishNotReadyAddresses).
 *   Pods this same plan deletes are already left out, and endpoint writes run before pod
 *   deletions (ACTION_PHASE): a pod leaves the rotation before it is stopped. A new pod joins
 *   once observation reports it ready, which every pass of the wait loop re-checks.
 * - Every namespace of an app with Services gets a DNS container answering headless,
 *   ExternalName and SRV names.
 * - Configurations are written only when they differ from what the program runs or was last
 *   sent (compared by the protocol's checksum, so no store is needed).
 */
export const CLUSTER_DOMAIN = 'cluster.local';
export const DNS_TTL_SECONDS = 5;
/** Kubernetes' default and maximum ClientIP affinity timeouts. */
const AFFINITY_DEFAULT_SECONDS = 10_800;
const AFFINITY_MAX_SECONDS = 86_400;
const PROXY_LAYOUT = 1;
const DNS_LAYOUT = 1;

export interface ServicesStep extends StepResult {
  orphans: string[];
}

type Shape = 'proxy' | 'headless' | 'external';

export function serviceShape(svc: Service): Shape {
  if (svc.spec.type === 'ExternalName') return 'external';
  if (svc.spec.clusterIP === 'None') return 'headless';
  return 'proxy';
}

/**
 * @param pending actions planned so far in this step: pods they delete are out of every
 *   endpoint set already.
 */
export function planServices(desired: DesiredState, observed: ObservedState, pending: readonly Action[], prune: boolean): ServicesStep {
  const out: ServicesStep = { ...emptyStep(), orphans: [] };
  const ctx = context(desired, observed, pending);
  const desiredProxies = new Set<string>();
  for (const r of desired.services) {
    const svc = r.object;
    if (serviceShape(svc) !== 'proxy') continue;
    desiredProxies.add(r.key);
    planProxy(ctx, r, out);
  }
  for (const s of observed.services) {
    const key = resourceKey('Service', s.namespace, s.name);
    if (desiredProxies.has(key)) continue;
    const reason = desired.byKey.has(key) ? 'the service has no cluster IP any more' : prune ? `prune: ${key} removed from the revision` : undefined;
    if (reason === undefined) {
      out.orphans.push(key);
      continue;
    }
    if (s.containerId) out.actions.push(deleteProxy(key, s, reason));
    if (s.hostRules) out.actions.push({ type: 'delete-host-rules', key, namespace: s.namespace, name: s.name, containerId: s.hostRules.containerId, reason });
  }
  planDns(ctx, prune, out);
  return out;
}

// ---------------------------------------------------------------- context

/** What endpoint sets are computed from (endpointContext). */
export type EndpointContext = Ctx;

interface Ctx {
  desired: DesiredState;
  observed: ObservedState;
  /** Pods that may be endpoints, by namespace: running, addressed, not being deleted. */
  podsByNamespace: Map<string, ObservedPod[]>;
  holds: Set<string>;
}

export function endpointContext(desired: DesiredState, observed: ObservedState, pending: readonly Action[]): Ctx {
  return context(desired, observed, pending);
}

function context(desired: DesiredState, observed: ObservedState, pending: readonly Action[]): Ctx {
  const leaving = new Set(pending.flatMap((a) => (a.type === 'delete-pod' ? [`${a.namespace}/${a.name}`] : [])));
  const podsByNamespace = new Map<string, ObservedPod[]>();
  for (const p of [...observed.pods].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (leaving.has(p.key) || p.sandbox?.state !== 'running' || !p.sandbox.ip) continue;
    const phase = podPhase(p);
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    podsByNamespace.set(p.namespace, [...(podsByNamespace.get(p.namespace) ?? []), p]);
  }
  return { desired, observed, podsByNamespace, holds: new Set(observed.endpointHolds ?? []) };
}

/** The pods a Service's selector picks. A Service without a selector has no managed endpoints. */
function selected(ctx: Ctx, svc: Service): ObservedPod[] {
  const sel = svc.spec.selector;
  if (!sel || Object.keys(sel).length === 0) return [];
  const selector = selectorFromMap(sel);
  return (ctx.podsByNamespace.get(svc.metadata.namespace ?? 'default') ?? []).filter((p) => matches(selector, p.labels));
}

/**
 * Readiness as endpoints see it. A pod whose readiness this process has not established yet
 * keeps the place it has in the rotation (`serving`): a restarted berth must not take every
 * probed pod out until its first probe (kubelet keeps a restarted container's readiness too).
 */
function endpointReady(ctx: Ctx, svc: Service, pod: ObservedPod, serving: readonly string[] | undefined): boolean {
  if (svc.spec.publishNotReadyAddresses) return true;
  if (ctx.holds.has(pod.key)) return serving ? serving.includes(pod.name) : pod.ready;
  return pod.ready;
}

/** A named targetPort as the pod's containers name it; undefined when none does. */
function namedPort(pod: ObservedPod, port: ServicePort): number | undefined {
  if (typeof port.targetPort === 'number') return port.targetPort;
  for (const c of pod.containers) {
    const p = c.ports?.find((x) => x.name === port.targetPort && (x.protocol ?? 'TCP') === port.protocol);
    if (p) return p.containerPort;
  }
  return undefined;
}

/** SCTP has no data-plane support; such ports are left out (docs/services.md). */
function servicePorts(svc: Service): Array<ServicePort & { protocol: 'TCP' | 'UDP' }> {
  return (svc.spec.ports ?? []).filter((p): p is ServicePort & { protocol: 'TCP' | 'UDP' } => p.protocol === 'TCP' || p.protocol === 'UDP');
}

/**
 * A Service's endpoints as its proxy gets them: every pod its selector picks that may be an
 * endpoint (not being deleted), ready as endpointReady says, with the named target ports the
 * pod's containers give. The edge binds its routes with the same list (plan/edge/bind.ts), so
 * a pod is in or out of rotation for both at once. `serving`: the pod names the program has
 * in rotation now (readiness holds).
 */
export function serviceEndpoints(ctx: EndpointContext, svc: Service, serving: readonly string[] | undefined): ProxyEndpoint[] {
  const ports = servicePorts(svc);
  return selected(ctx, svc).map((pod) => {
    const named: Record<string, number> = {};
    for (const p of ports) {
      if (typeof p.targetPort === 'number') continue;
      const n = namedPort(pod, p);
      if (n !== undefined) named[p.name ?? ''] = n;
    }
    return { name: pod.name, ip: pod.sandbox!.ip!, ready: endpointReady(ctx, svc, pod, serving), ...(Object.keys(named).length ? { ports: named } : {}) };
  });
}

// ---------------------------------------------------------------- proxies

function planProxy(ctx: Ctx, r: Resource<Service>, out: ServicesStep): void {
  const svc = r.object;
  const ns = svc.metadata.namespace ?? 'default';
  const name = svc.metadata.name;
  const obs = ctx.observed.services.find((s) => s.namespace === ns && s.name === name);
  const plan = proxyPlan(ctx, r, obs);
  planHostRules(r.key, plan, obs, out);
  // No proxy (a host fast path may have outlived it): create one.
  if (!obs?.containerId) {
    out.actions.push({ type: 'create-proxy', key: r.key, proxy: plan, reason: 'the service has no proxy yet' });
    return;
  }
  if (obs.state === 'exited' || obs.state === 'dead' || obs.state === 'created') {
    out.actions.push(deleteProxy(r.key, obs, `its container is ${obs.state}; replacing it`));
    return;
  }
  if (obs.specHash !== plan.specHash) {
    out.actions.push(deleteProxy(r.key, obs, 'published ports changed; replacing it'));
    return;
  }
  if (obs.networks) {
    for (const n of plan.networks) {
      if (own(obs.networks, n.namespace) === undefined) out.actions.push({ type: 'connect-proxy', key: r.key, namespace: ns, name, containerId: obs.containerId, network: n });
    }
    for (const attached of Object.keys(obs.networks).sort()) {
      if (!plan.networks.some((n) => n.namespace === attached))
        out.actions.push({ type: 'disconnect-proxy', key: r.key, namespace: ns, name, containerId: obs.containerId, network: attached });
    }
  }
  if (obs.config && !sameConfig(obs.config, 'proxy', plan.config))
    out.actions.push({ type: 'write-endpoints', key: r.key, namespace: ns, name, containerId: obs.containerId, config: plan.config, after: obs.config.generation, reason: endpointChange(obs.config, plan.config) });
}

/**
 * The host fast path of a Service with published TCP ports: a container in the host's network
 * namespace running the same endpoint configuration as kernel rules. Replaced with the proxy
 * when the published ports change (same spec hash).
 *
 * It is made only once the Service's proxy runs with these published ports, a step after the
 * proxy: Docker binds the ports for the proxy, so a port it cannot have (a host process holds
 * it) fails the proxy before any kernel rule takes that port's traffic. Made side by side, the
 * fast path stayed in place when the proxy failed, and DNAT'ed a host service's port to the pods
 * (issue 11). createProxy removes a fast path left from earlier when the proxy cannot be made.
 */
function planHostRules(key: string, plan: ProxyPlan, obs: ObservedService | undefined, out: ServicesStep): void {
  const h = obs?.hostRules;
  if (!plan.hostRules) {
    if (h) out.actions.push({ type: 'delete-host-rules', key, namespace: plan.namespace, name: plan.name, containerId: h.containerId, reason: 'no published TCP port any more' });
    return;
  }
  if (!h) {
    const proxyServes = obs?.containerId && obs.state === 'running' && obs.specHash === plan.specHash;
    if (proxyServes) out.actions.push({ type: 'create-host-rules', key, proxy: plan, reason: 'published ports have no host fast path yet' });
    return;
  }
  if (h.state === 'exited' || h.state === 'dead' || h.state === 'created' || h.specHash !== plan.specHash) {
    const reason = h.specHash !== plan.specHash ? 'published ports changed; replacing it' : `its container is ${h.state}; replacing it`;
    out.actions.push({ type: 'delete-host-rules', key, namespace: plan.namespace, name: plan.name, containerId: h.containerId, reason });
    return;
  }
  if (h.config && !sameConfig(h.config, 'proxy', plan.config))
    out.actions.push({ type: 'write-endpoints', key, namespace: plan.namespace, name: plan.name, containerId: h.containerId, config: plan.config, after: h.config.generation, host: true, reason: endpointChange(h.config, plan.config) });
}

function proxyPlan(ctx: Ctx, r: Resource<Service>, obs: ObservedService | undefined): ProxyPlan {
  const serving = obs?.config?.serving;
  const svc = r.object;
  const ns = svc.metadata.namespace ?? 'default';
  const name = svc.metadata.name;
  const ports = servicePorts(svc);
  const endpoints: ProxyEndpoint[] = serviceEndpoints(ctx, svc, serving);
  const config: ProxyConfig = {
    service: { namespace: ns, name },
    ports: ports.map((p): ProxyPort => ({ name: p.name ?? '', protocol: p.protocol, port: p.port, ...(typeof p.targetPort === 'number' ? { targetPort: p.targetPort } : {}) })),
    endpoints,
    sessionAffinity:
      svc.spec.sessionAffinity === 'ClientIP'
        ? { type: 'ClientIP', timeoutSeconds: Math.min(AFFINITY_MAX_SECONDS, Math.max(1, svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? AFFINITY_DEFAULT_SECONDS)) }
        : { type: 'None' },
  };
  const publish: PublishedPort[] = [];
  const nodePorts: Record<string, number> = {};
  if (svc.spec.type === 'NodePort' || svc.spec.type === 'LoadBalancer') {
    for (const p of ports) {
      // The store's allocation; else the manifest's; else (a read-only diff allocates nothing) what the proxy publishes now.
      const nodePort = own(own(ctx.observed.nodePorts, r.key), p.name ?? '') ?? p.nodePort ?? own(obs?.nodePorts, p.name ?? '');
      if (nodePort !== undefined) {
        publish.push({ protocol: p.protocol, hostPort: nodePort, port: p.port, hostIp: '' });
        nodePorts[p.name ?? ''] = nodePort;
      }
      // LoadBalancer on one host: the Service's own port on the host's address, as k3s's servicelb does.
      if (svc.spec.type === 'LoadBalancer') publish.push({ protocol: p.protocol, hostPort: p.port, port: p.port, hostIp: svc.spec.loadBalancerIP ?? '' });
    }
  }
  publish.sort((a, b) => a.hostPort - b.hostPort || (a.protocol < b.protocol ? -1 : 1));
  if (publish.length > 0)
    config.published = publish.map((p) => ({
      name: ports.find((sp) => sp.port === p.port && sp.protocol === p.protocol)?.name ?? '',
      protocol: p.protocol,
      hostPort: p.hostPort,
      // The fast path forwards only the address Docker publishes on (issue 11).
      ...(p.hostIp ? { hostIp: p.hostIp } : {}),
    }));
  return {
    key: r.key,
    namespace: ns,
    name,
    specHash: specHash({ layout: PROXY_LAYOUT, publish }),
    publish,
    nodePorts,
    hostRules: publish.some((p) => p.protocol === 'TCP'),
    networks: ctx.desired.namespaces.map((n) => attachment(ns, name, n)),
    config,
  };
}

/** `<svc>` only on its own namespace's network; the qualified names on every network. */
export function attachment(ns: string, name: string, network: string): NetworkAttachment {
  const qualified = [`${name}.${ns}`, `${name}.${ns}.svc`, `${name}.${ns}.svc.${CLUSTER_DOMAIN}`];
  return { namespace: network, aliases: network === ns ? [name, ...qualified] : qualified };
}

function deleteProxy(key: string, s: ObservedService, reason: string): Action {
  return { type: 'delete-proxy', key, namespace: s.namespace, name: s.name, containerId: s.containerId, reason };
}

export function sameConfig(applied: AppliedConfig, kind: 'proxy' | 'dns', payload: ProxyConfig | DnsConfig): boolean {
  return applied.checksum !== null && applied.checksum === configChecksum(kind, applied.generation, payload);
}

/** `web-7d9f-x ready, web-5c2a-y left` for logs and events; pod names only. */
function endpointChange(before: AppliedConfig, config: ProxyConfig): string {
  const after = config.endpoints.filter((e) => e.ready).map((e) => e.name ?? e.ip);
  const joined = after.filter((n) => !before.serving.includes(n));
  const left = before.serving.filter((n) => !after.includes(n));
  const parts = [...joined.map((n) => `${n} ready`), ...left.map((n) => `${n} out`)];
  if (before.generation === 0) return 'first configuration';
  return parts.length ? parts.join(', ') : 'ports or settings changed';
}

// ---------------------------------------------------------------- DNS

/**
 * A namespace gets its DNS server once the app has a Service, and keeps it while the namespace
 * exists even if the Services go: pods created since point their resolver at it, and Docker's
 * embedded DNS forwards every outside name there, so removing it would break their lookups.
 * Apps without Services run no DNS server at all.
 */
function planDns(ctx: Ctx, prune: boolean, out: ServicesStep): void {
  const observedDns = ctx.observed.dns ?? [];
  const wanted = ctx.desired.namespaces.filter((ns) => ctx.desired.services.length > 0 || observedDns.some((d) => d.namespace === ns));
  for (const ns of wanted) {
    const plan = dnsPlan(ctx, ns);
    const obs = observedDns.find((d) => d.namespace === ns);
    if (!obs) {
      out.actions.push({ type: 'create-dns', key: plan.key, dns: plan, reason: 'the namespace has no DNS server yet' });
      continue;
    }
    if (obs.state === 'exited' || obs.state === 'dead' || obs.state === 'created' || obs.specHash !== plan.specHash) {
      out.actions.push({ type: 'delete-dns', key: plan.key, namespace: ns, containerId: obs.containerId, reason: obs.specHash !== plan.specHash ? 'its layout changed; replacing it' : `its container is ${obs.state}; replacing it` });
      continue;
    }
    if (obs.config && !sameConfig(obs.config, 'dns', plan.config))
      out.actions.push({ type: 'write-dns', key: plan.key, namespace: ns, containerId: obs.containerId, config: plan.config, after: obs.config.generation, reason: obs.config.generation === 0 ? 'first configuration' : 'services or endpoints changed' });
  }
  for (const obs of observedDns) {
    if (ctx.desired.namespaces.includes(obs.namespace) || !prune) continue;
    out.actions.push({ type: 'delete-dns', key: resourceKey('Namespace', '', obs.namespace), namespace: obs.namespace, containerId: obs.containerId, reason: `prune: namespace ${obs.namespace} removed from the revision` });
  }
}

/**
 * The records a namespace's DNS server holds: every Service of the app (names of other
 * namespaces resolve too), ClusterIP names pointing at the proxy's address on *this*
 * namespace's network, headless names at ready pods.
 */
function dnsPlan(ctx: Ctx, ns: string): DnsPlan {
  const services = [...ctx.desired.services]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((r): DnsService => {
      const svc = r.object;
      const svcNs = svc.metadata.namespace ?? 'default';
      const base = { namespace: svcNs, name: svc.metadata.name };
      const ports = servicePorts(svc).map((p): DnsPort => ({ name: p.name ?? '', protocol: p.protocol, port: p.port, ...(typeof p.targetPort === 'number' ? { targetPort: p.targetPort } : {}) }));
      switch (serviceShape(svc)) {
        case 'external':
          return { ...base, type: 'ExternalName', externalName: (svc.spec.externalName ?? '').replace(/\.$/, ''), ports: [], endpoints: [] };
        case 'headless':
          return { ...base, type: 'Headless', ports, endpoints: headlessEndpoints(ctx, svc) };
        case 'proxy': {
          const ip = own(ctx.observed.services.find((s) => s.namespace === svcNs && s.name === svc.metadata.name)?.networks, ns);
          return { ...base, type: 'ClusterIP', ...(ip ? { clusterIPs: [ip] } : {}), ports, endpoints: [] };
        }
      }
    });
  const config: DnsConfig = { domain: CLUSTER_DOMAIN, ttlSeconds: DNS_TTL_SECONDS, services };
  return { key: resourceKey('Namespace', '', ns), namespace: ns, specHash: specHash({ layout: DNS_LAYOUT }), config };
}

function headlessEndpoints(ctx: Ctx, svc: Service): DnsEndpoint[] {
  const ports = servicePorts(svc);
  return selected(ctx, svc).map((pod) => {
    const named: Record<string, number> = {};
    for (const p of ports) {
      const n = namedPort(pod, p);
      if (n !== undefined && typeof p.targetPort !== 'number') named[p.name ?? ''] = n;
    }
    const hostname = podHostname(ctx, pod, svc.metadata.name);
    return {
      ip: pod.sandbox!.ip!,
      ready: svc.spec.publishNotReadyAddresses === true || pod.ready || ctx.holds.has(pod.key),
      ...(hostname ? { hostname } : {}),
      ...(Object.keys(named).length ? { ports: named } : {}),
    };
  });
}

/** `<hostname>.<subdomain>` records, as Kubernetes gives a pod whose subdomain names a headless Service. */
function podHostname(ctx: Ctx, pod: ObservedPod, service: string): string | undefined {
  const w = ctx.desired.workloads.find((x) => x.key === pod.controller);
  // A StatefulSet's pods: hostname = pod name, subdomain = serviceName (`db-1.db.<ns>.svc…`).
  if (w?.kind === 'StatefulSet') return w.serviceName === service ? pod.name : undefined;
  if (!w || w.kind !== 'Pod') return undefined;
  const spec = w.podTemplate.spec;
  return spec.subdomain === service && spec.hostname ? spec.hostname : undefined;
}

import { isIP } from 'node:net';
import { redactSecretObject } from '../../report/redact.js';
import type { ConfigMap, Namespace, Secret, Service } from '../../model/types.js';
import type { InventoryEntry } from '../store/index.js';
import type { ViewContext } from './context.js';
import type { LiveState } from './live.js';
import { createdOf, earliest, itemMeta } from './meta.js';
import type { ConfigMapItem, NamespaceItem, SecretItem, ServiceItem, ViewOf } from './types.js';

function metaOf(ctx: ViewContext, entry: InventoryEntry, createdAt: number) {
  const o = entry.object as { kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> } };
  return itemMeta({ app: ctx.state.app, kind: o.kind, namespace: entry.namespace, name: o.metadata.name, createdAt, labels: o.metadata.labels ?? {}, annotations: o.metadata.annotations ?? {}, incarnation: entry.createdAt });
}

function base(entry: InventoryEntry, createdAt: number) {
  const o = entry.object as { metadata: { name: string; labels?: Record<string, string> } };
  return { key: entry.key, namespace: entry.namespace, name: o.metadata.name, labels: o.metadata.labels ?? {}, createdAt };
}

export function configMapView(ctx: ViewContext, entry: InventoryEntry): ViewOf<'ConfigMap'> {
  const cm = entry.object as ConfigMap;
  const object: ConfigMapItem = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metaOf(ctx, entry, createdOf(entry)),
    ...(cm.data ? { data: cm.data } : {}),
    ...(cm.binaryData ? { binaryData: cm.binaryData } : {}),
    ...(cm.immutable !== undefined ? { immutable: cm.immutable } : {}),
  };
  return { kind: 'ConfigMap', ...base(entry, createdOf(entry)), object };
}

/**
 * Secret data stays base64 as the API returns it; only printers that must not show it
 * (describe, the daemon's API) hide it. Annotations that may copy the values (kubectl's
 * last-applied configuration) are redacted here, for every printer (SPEC §8).
 */
export function secretView(ctx: ViewContext, entry: InventoryEntry): ViewOf<'Secret'> {
  const s = entry.object as Secret;
  const object: SecretItem = redactSecretObject({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: metaOf(ctx, entry, createdOf(entry)),
    type: s.type,
    ...(s.data ? { data: s.data } : {}),
    ...(s.immutable !== undefined ? { immutable: s.immutable } : {}),
  }, { values: 'keep' });
  return { kind: 'Secret', ...base(entry, createdOf(entry)), object };
}

/**
 * Namespaces: those declared in the manifests and those that exist implicitly (a network
 * berth made for `default` or any namespace something was applied to).
 */
export function namespaceViews(ctx: ViewContext): ViewOf<'Namespace'>[] {
  const { state } = ctx;
  const names = new Set<string>([...state.host.networks.map((n) => n.namespace), ...state.inventory.filter((e) => e.kind === 'Namespace').map((e) => e.name)]);
  return [...names].sort().map((name) => {
    const entry = ctx.entries.get(`Namespace//${name}`);
    const ns = entry?.object as Namespace | undefined;
    const network = state.host.networks.find((n) => n.namespace === name);
    const createdAt = earliest(network?.createdAt, entry && createdOf(entry));
    const labels = { 'kubernetes.io/metadata.name': name, ...(ns?.metadata.labels ?? {}) };
    const object: NamespaceItem = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: itemMeta({ app: state.app, kind: 'Namespace', namespace: '', name, createdAt, labels, annotations: ns?.metadata.annotations ?? {} }),
      spec: { finalizers: ['kubernetes'] },
      status: { phase: network ? 'Active' : 'Pending' },
    };
    return { kind: 'Namespace' as const, key: `Namespace//${name}`, namespace: '', name, labels, createdAt, object };
  });
}

/** What a Service is reachable at, as `get svc` shows it. */
export interface ServiceAddresses {
  /** '' when the Service has none (ExternalName, or no proxy yet); 'None' for headless. */
  clusterIP: string;
  externalIPs: string[];
  /** nodePort by Service port name ('' for a lone unnamed port). */
  nodePorts: Record<string, number>;
}

/**
 * Extension point for the Services work (SPEC §5): today a Service's address is its proxy
 * container's IP once the data plane observes one (`host.services`), else what the manifest
 * says (`clusterIP: None` for headless), and NodePorts are the store's allocations or the
 * manifest's `nodePort`. When services get real virtual IPs or published host addresses,
 * they are filled in here and every printer follows.
 */
export function serviceAddresses(service: Service, state: LiveState): ServiceAddresses {
  const ns = service.metadata.namespace ?? 'default';
  const key = `Service/${ns}/${service.metadata.name}`;
  const proxy = state.host.services.find((s) => s.namespace === ns && s.name === service.metadata.name);
  const nodePorts: Record<string, number> = {};
  if (service.spec.type === 'NodePort' || service.spec.type === 'LoadBalancer') {
    for (const p of service.spec.ports ?? []) if (p.nodePort) nodePorts[p.name ?? ''] = p.nodePort;
    for (const a of state.nodePorts) if (a.serviceKey === key) nodePorts[a.portName] = a.port;
    for (const [name, port] of Object.entries(proxy?.nodePorts ?? {})) nodePorts[name] = port;
  }
  const clusterIP = service.spec.type === 'ExternalName' ? '' : service.spec.clusterIP === 'None' ? 'None' : (proxy?.ip ?? service.spec.clusterIP ?? '');
  // A LoadBalancer's own port is published on the Docker host (docs/services.md): its address,
  // or `localhost` as Docker Desktop says, once the proxy runs.
  const externalIPs = service.spec.type === 'LoadBalancer' && proxy ? [service.spec.loadBalancerIP || 'localhost'] : [];
  return { clusterIP, externalIPs, nodePorts };
}

export function serviceView(ctx: ViewContext, entry: InventoryEntry): ViewOf<'Service'> {
  const svc = entry.object as Service;
  const addresses = serviceAddresses(svc, ctx.state);
  const createdAt = createdOf(entry);
  const spec: ServiceItem['spec'] = {
    ...svc.spec,
    ...(svc.spec.ports ? { ports: svc.spec.ports.map((p) => ({ ...p, ...(addresses.nodePorts[p.name ?? ''] ? { nodePort: addresses.nodePorts[p.name ?? ''] } : {}) })) } : {}),
  };
  if (addresses.clusterIP) {
    spec.clusterIP = addresses.clusterIP;
    spec.clusterIPs = [addresses.clusterIP];
  }
  const object: ServiceItem = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metaOf(ctx, entry, createdAt),
    spec,
    status: { loadBalancer: addresses.externalIPs.length ? { ingress: addresses.externalIPs.map((a) => (isIP(a) ? { ip: a } : { hostname: a })) } : {} },
  };
  return { kind: 'Service', ...base(entry, createdAt), object };
}

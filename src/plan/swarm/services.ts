import type { Resource, Service } from '../../model/types.js';
import { matches, selectorFromMap } from '../../model/selectors.js';
import { specHash } from '../../model/hash.js';
import { BerthError } from '../../model/errors.js';
import type { ProxyPort } from '../../dataplane/protocol-types.js';
import type { SwarmProxySpec } from '../../dataplane/swarm-proxy-spec.js';
import { encodeSwarmProxySpec, SWARM_PROXY_ENV, swarmProxyHealthcheck } from '../../dataplane/swarm-proxy-spec.js';

export { SWARM_PROXY_ENV };
import type { SwarmPortConfig, SwarmServiceSpec } from './types.js';
import { NS } from './types.js';
import type { SwarmProblem } from './container.js';
import type { DesiredSwarmService } from './workloads.js';
import { ownerLabels, swarmNames, SWARM_LABELS } from './names.js';
import { serviceDnsNames } from './dns-names.js';
import { swarmLiteral } from './container.js';

/** Kubernetes' default NodePort range; berth allocates from it as the API server does. */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;

/** Whether any Service gets a proxy (serviceProxies): only then is berth's data-plane image needed on the Swarm. */
export function needsServiceProxy(services: readonly Resource<Service>[]): boolean {
  return services.some((s) => s.object.spec.type !== 'ExternalName' && s.object.spec.clusterIP !== 'None');
}

/**
 * Each Service with a selector as a global Swarm service of berth's proxy: one task per node,
 * on the namespace's overlay under the Service's DNS names, NodePorts published in host mode on
 * every node (no routing mesh: it needs IPVS). A headless Service has no proxy: its names are
 * aliases of the pods it selects (`headlessAliases`). `nodePorts` holds ports already published
 * for a Service port (`<key>/<port name or number>`), so an unset nodePort keeps its number.
 */
export function serviceProxies(
  app: string,
  services: readonly Resource<Service>[],
  workloads: readonly DesiredSwarmService[],
  proxyImage: string,
  nodePorts: ReadonlyMap<string, number>,
  /** Host ports other services on the Swarm publish (other apps', anyone's): a proxy there would never start. */
  foreignPorts: ReadonlySet<number> = new Set(),
): { services: DesiredSwarmService[]; problems: Array<SwarmProblem & { key: string }> } {
  const out: DesiredSwarmService[] = [];
  const problems: Array<SwarmProblem & { key: string }> = [];
  const explicit = new Set(services.flatMap((s) => (s.object.spec.ports ?? []).flatMap((p) => (p.nodePort ? [p.nodePort] : []))));
  // A remembered port another Service now names explicitly is given up, not published twice.
  const remembered = new Map([...nodePorts].filter(([, port]) => !explicit.has(port)));
  const taken = new Set<number>([...explicit, ...remembered.values(), ...foreignPorts]);
  for (const r of services) {
    const s = r.object;
    const ns = s.metadata.namespace ?? 'default';
    if (s.spec.type === 'ExternalName') {
      problems.push({ key: r.key, path: 'spec.type', message: 'ExternalName Services are not served on Swarm yet (point clients at the external name)' });
      continue;
    }
    if (!s.spec.selector || Object.keys(s.spec.selector).length === 0) {
      problems.push({ key: r.key, path: 'spec.selector', message: 'a Service without a selector has no endpoints on Swarm (give it a selector)' });
      continue;
    }
    if (s.spec.clusterIP === 'None') continue;
    const selected = workloads.filter((w) => w.role === 'workload' && w.namespace === ns && matches(selectorFromMap(s.spec.selector), w.podLabels));
    const ports: ProxyPort[] = [];
    const published: SwarmPortConfig[] = [];
    (s.spec.ports ?? []).forEach((p, i) => {
      if (p.protocol === 'SCTP') {
        problems.push({ key: r.key, path: `spec.ports[${i}].protocol`, message: 'SCTP is not proxied (TCP or UDP)' });
        return;
      }
      const target = targetPort(p.targetPort, p.port, selected);
      if (target === undefined) {
        problems.push({ key: r.key, path: `spec.ports[${i}].targetPort`, message: `"${p.targetPort}" names no port the selected pods agree on (use a number, or one name for one port in every selected pod)` });
        return;
      }
      const name = p.name ?? '';
      ports.push({ name, protocol: p.protocol, port: p.port, targetPort: target });
      if (s.spec.type === 'NodePort' || s.spec.type === 'LoadBalancer') {
        const portKey = `${r.key}/${p.name ?? p.port}`;
        if (p.nodePort && foreignPorts.has(p.nodePort)) {
          problems.push({ key: r.key, path: `spec.ports[${i}].nodePort`, message: `${p.nodePort} is published on this Swarm by a service that is not this app's (pick another port, or leave nodePort out to get a free one)` });
          return;
        }
        const nodePort = p.nodePort ?? remembered.get(portKey) ?? nextFree(taken);
        taken.add(nodePort);
        published.push({ Name: name || String(p.port), Protocol: p.protocol === 'UDP' ? 'udp' : 'tcp', TargetPort: p.port, PublishedPort: nodePort, PublishMode: 'host' });
      }
    });
    const timeout = s.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800;
    const proxy: SwarmProxySpec = {
      service: { namespace: ns, name: s.metadata.name },
      ports,
      sessionAffinity: s.spec.sessionAffinity === 'ClientIP' ? { type: 'ClientIP', timeoutSeconds: timeout } : { type: 'None' },
      backends: selected.map((w) => `tasks.${w.spec.Name}`).sort(),
    };
    // Each selected workload's probe, run by the proxy against every task of it (named ports were settled per workload).
    const readiness = selected.flatMap((w) => (w.readiness ? [{ backend: `tasks.${w.spec.Name}`, ...w.readiness }] : []));
    if (readiness.length) proxy.readiness = readiness;
    const health = swarmProxyHealthcheck(proxy);
    const base: Omit<SwarmServiceSpec, 'Labels'> = {
      Name: swarmNames.serviceProxy(app, ns, s.metadata.name),
      TaskTemplate: {
        ContainerSpec: {
          Image: proxyImage,
          Labels: { ...ownerLabels(app), [SWARM_LABELS.namespace]: ns, [SWARM_LABELS.role]: 'service-proxy' },
          Command: ['node', '/app/swarm-proxy.js'],
          // Escaped: Swarm evaluates `{{` in Env, and the spec carries a manifest's probe paths and headers.
          Env: [swarmLiteral(`${SWARM_PROXY_ENV}=${encodeSwarmProxySpec(proxy)}`)],
          StopGracePeriod: 10 * NS,
          // Without one, Docker lists a proxy task in the Service's DNS before it listens.
          ...(health ? { Healthcheck: { Test: health, Interval: 2 * NS, Timeout: 2 * NS, StartPeriod: 0, Retries: 3 } } : {}),
        },
        RestartPolicy: { Condition: 'any', Delay: NS },
        Networks: [{ Target: swarmNames.network(app, ns), Aliases: serviceDnsNames(s.metadata.name, ns) }],
      },
      Mode: { Global: {} },
      // A proxy's host port cannot be held by two tasks on one node: the old one stops first.
      UpdateConfig: { Parallelism: 1, Delay: 0, FailureAction: 'rollback', Monitor: 5 * NS, MaxFailureRatio: 0, Order: published.length ? 'stop-first' : 'start-first' },
      EndpointSpec: { Mode: 'dnsrr', ...(published.length ? { Ports: published } : {}) },
    };
    const labels = { ...ownerLabels(app), [SWARM_LABELS.namespace]: ns, [SWARM_LABELS.kind]: 'Service', [SWARM_LABELS.name]: s.metadata.name, [SWARM_LABELS.key]: r.key, [SWARM_LABELS.role]: 'service-proxy' };
    out.push({
      key: r.key,
      kind: 'Service',
      namespace: ns,
      name: s.metadata.name,
      role: 'service-proxy',
      spec: { ...base, Labels: { ...labels, [SWARM_LABELS.specHash]: specHash({ base, labels }) } },
      ports: [],
      podLabels: {},
    });
  }
  return { services: out, problems };
}

function targetPort(target: number | string, servicePort: number, selected: readonly DesiredSwarmService[]): number | undefined {
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const numbers = new Set(selected.map((w) => w.ports.find((p) => p.name === target)?.containerPort));
  // Nothing selected: no endpoint to send to, so any valid number serves until a pod is selected (and the spec changes).
  if (selected.length === 0) return servicePort;
  if (numbers.size !== 1) return undefined;
  return [...numbers][0];
}

function nextFree(taken: ReadonlySet<number>): number {
  for (let p = NODE_PORT_RANGE.min; p <= NODE_PORT_RANGE.max; p++) if (!taken.has(p)) return p;
  throw new BerthError('CONFLICT', `no NodePort left in ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}`, { hint: 'set spec.ports[].nodePort, or remove Services of type NodePort you no longer need' });
}

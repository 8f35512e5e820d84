import type { DesiredState } from '../desired.js';
import type { SwarmFileObject, SwarmNetworkSpec } from './types.js';
import type { SwarmProblem } from './container.js';
import type { DesiredSwarmService } from './workloads.js';
import { workloadServices } from './workloads.js';
import { serviceProxies } from './services.js';
import { ownerLabels, swarmNames, SWARM_LABELS } from './names.js';

/** berth's objects on the Swarm, as the observer read them (apply/swarm/observe.ts). */
export interface ObservedSwarm {
  services: ObservedSwarmService[];
  /** Host ports other services on the Swarm publish (not this app's). */
  foreignPorts?: number[];
  networks: Array<{ id: string; name: string; labels: Record<string, string> }>;
  files: Array<{ type: 'config' | 'secret'; id: string; name: string; labels: Record<string, string> }>;
}

export interface ObservedSwarmService {
  id: string;
  name: string;
  /** Swarm's object version: an update names the version it replaces (optimistic concurrency). */
  version: number;
  labels: Record<string, string>;
  /** Host ports the service publishes, by port name (NodePorts berth allocated stay put). */
  published: Array<{ name: string; port: number }>;
  /** UpdateStatus.State: `updating`, `completed`, `rollback_completed`, `paused`, … */
  updateState?: string;
  updateMessage?: string;
  /** UpdateStatus.StartedAt: a later one says Swarm has begun the update berth asked for. */
  updateStartedAt?: string;
  /**
   * Configs and secrets (`config/<name>`, `secret/<name>`) its spec and its previous spec mount:
   * Swarm rolls back to the previous spec, and a removed config would stop that rollback.
   */
  fileRefs?: string[];
}

export type SwarmAction =
  | { type: 'create-network'; key: string; network: SwarmNetworkSpec }
  | { type: 'create-file'; key: string; file: SwarmFileObject }
  | { type: 'create-service'; key: string; service: DesiredSwarmService }
  | { type: 'update-service'; key: string; service: DesiredSwarmService; id: string; version: number }
  | { type: 'remove-service'; key: string; id: string; name: string }
  | { type: 'remove-file'; key: string; fileType: 'config' | 'secret'; id: string; name: string }
  | { type: 'remove-network'; key: string; id: string; name: string };

/** Order of execution: what others refer to first, removals after what used them is gone. */
export const SWARM_PHASE: Record<SwarmAction['type'], number> = {
  'create-network': 0,
  'create-file': 1,
  'create-service': 2,
  'update-service': 2,
  'remove-service': 3,
  'remove-file': 4,
  'remove-network': 4,
};

export interface SwarmPlan {
  services: DesiredSwarmService[];
  actions: SwarmAction[];
  /** What Swarm cannot run as written: nothing is applied while there is one. */
  problems: Array<SwarmProblem & { key: string }>;
}

/**
 * The whole app on a Swarm: its desired services, configs and networks against berth's objects
 * there. A service whose spec hash differs is updated (Swarm rolls its tasks with the update
 * config); objects of the app the revision no longer holds are removed, as pods are on one host.
 */
export function planSwarm(app: string, desired: DesiredState, observed: ObservedSwarm, proxyImage: string): SwarmPlan {
  const w = workloadServices(app, desired);
  const nodePorts = new Map<string, number>();
  for (const s of observed.services) for (const p of s.published) if (s.labels[SWARM_LABELS.key]) nodePorts.set(`${s.labels[SWARM_LABELS.key]}/${p.name}`, p.port);
  const proxies = serviceProxies(app, desired.services, w.services, proxyImage, nodePorts, new Set(observed.foreignPorts ?? []));
  const services = [...w.services, ...proxies.services];
  const problems = [...w.problems, ...proxies.problems];
  const actions: SwarmAction[] = [];
  const namespaces = [...new Set(services.map((s) => s.namespace))].sort();
  const networks = new Map(observed.networks.map((n) => [n.name, n]));
  for (const ns of namespaces) {
    const name = swarmNames.network(app, ns);
    if (!networks.has(name)) actions.push({ type: 'create-network', key: `Namespace//${ns}`, network: { name, labels: { ...ownerLabels(app), [SWARM_LABELS.namespace]: ns } } });
  }
  const files = new Map(observed.files.map((f) => [`${f.type}/${f.name}`, f]));
  for (const f of w.files) if (!files.has(`${f.type}/${f.name}`)) actions.push({ type: 'create-file', key: `${f.labels[SWARM_LABELS.kind]}/${f.labels[SWARM_LABELS.namespace]}/${f.labels[SWARM_LABELS.name]}`, file: f });
  const live = new Map(observed.services.map((s) => [s.name, s]));
  for (const s of services) {
    const o = live.get(s.spec.Name);
    if (!o) actions.push({ type: 'create-service', key: s.key, service: s });
    // Paused: what runs stays, as a paused Deployment's ReplicaSet does (`rollout resume` rolls it).
    else if (o.labels[SWARM_LABELS.specHash] !== s.spec.Labels[SWARM_LABELS.specHash] && !s.paused) actions.push({ type: 'update-service', key: s.key, service: s, id: o.id, version: o.version });
  }
  const wanted = new Set(services.map((s) => s.spec.Name));
  for (const o of observed.services) if (!wanted.has(o.name)) actions.push({ type: 'remove-service', key: o.labels[SWARM_LABELS.key] ?? o.name, id: o.id, name: o.name });
  // Kept too: what a service that stays mounts now or rolls back to (Swarm's PreviousSpec).
  const usedFiles = new Set([...w.files.map((f) => `${f.type}/${f.name}`), ...observed.services.filter((o) => wanted.has(o.name)).flatMap((o) => o.fileRefs ?? [])]);
  for (const f of observed.files) if (!usedFiles.has(`${f.type}/${f.name}`)) actions.push({ type: 'remove-file', key: `${f.labels[SWARM_LABELS.kind] ?? 'ConfigMap'}/${f.labels[SWARM_LABELS.namespace] ?? ''}/${f.labels[SWARM_LABELS.name] ?? f.name}`, fileType: f.type, id: f.id, name: f.name });
  const usedNetworks = new Set(namespaces.map((ns) => swarmNames.network(app, ns)));
  for (const n of observed.networks) if (!usedNetworks.has(n.name)) actions.push({ type: 'remove-network', key: `Namespace//${n.labels[SWARM_LABELS.namespace] ?? n.name}`, id: n.id, name: n.name });
  return { services, actions, problems };
}

/** One line per action, as `apply` prints and `diff` lists them. */
export function describeSwarmAction(a: SwarmAction): string {
  switch (a.type) {
    case 'create-network':
      return `create overlay network ${a.network.name}`;
    case 'create-file':
      return `create ${a.file.type} ${a.file.name}`;
    case 'create-service':
      return `create service ${a.service.spec.Name} (${a.service.kind} ${a.service.namespace}/${a.service.name}, ${modeText(a.service)})`;
    case 'update-service':
      return `update service ${a.service.spec.Name} (${a.service.kind} ${a.service.namespace}/${a.service.name}, ${modeText(a.service)})`;
    case 'remove-service':
      return `remove service ${a.name}`;
    case 'remove-file':
      return `remove ${a.fileType} ${a.name}`;
    case 'remove-network':
      return `remove overlay network ${a.name}`;
  }
}

function modeText(s: DesiredSwarmService): string {
  const m = s.spec.Mode;
  if ('Replicated' in m) return `${m.Replicated.Replicas} replica${m.Replicated.Replicas === 1 ? '' : 's'}`;
  if ('Global' in m) return 'one task per node';
  return `job: ${m.ReplicatedJob.TotalCompletions} completions, ${m.ReplicatedJob.MaxConcurrent} at once`;
}

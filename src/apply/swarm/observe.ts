import type { DockerClient } from '../docker.js';
import { dockerError } from '../docker.js';
import { BerthError } from '../../model/errors.js';
import type { ObservedSwarm, ObservedSwarmService } from '../../plan/swarm/plan.js';
import { ownerFilter, SWARM_LABELS, SWARM_MANAGED } from '../../plan/swarm/names.js';

/** A task as `get pods` shows it: Swarm's view of one container of a service. */
export interface SwarmTask {
  id: string;
  serviceId: string;
  /** Slot of a replicated service; absent for global services (one per node). */
  slot?: number;
  nodeId: string;
  /** Swarm's desired state (`running`, `shutdown`, `complete`) and what it observed. */
  desiredState: string;
  state: string;
  message: string;
  err?: string;
  /** The task's address on its first network, without the prefix length. */
  ip?: string;
  containerId?: string;
  exitCode?: number;
  createdAt: string;
  updatedAt: string;
  /** Labels of the service's container spec (pod labels, namespace). */
  containerLabels: Record<string, string>;
}

export interface SwarmNode {
  id: string;
  hostname: string;
  role: 'manager' | 'worker';
  /** `ready`, `down`, `disconnected`, `unknown`. */
  state: string;
  availability: string;
  addr: string;
  leader: boolean;
  labels: Record<string, string>;
  engineVersion: string;
  cpus: number;
  memoryBytes: number;
  createdAt: string;
}


/** berth's services, networks, configs and secrets of one app on the Swarm. */
export async function observeSwarm(docker: DockerClient, app: string): Promise<ObservedSwarm> {
  try {
    const [all, networks, configs, secrets] = await Promise.all([
      // Every service: another's host-mode port is one this app cannot publish.
      docker.api.listServices(),
      docker.api.listNetworks({ filters: ownerFilter(app) }),
      docker.api.listConfigs({ filters: ownerFilter(app) }),
      docker.api.listSecrets({ filters: ownerFilter(app) }),
    ]);
    const mine = (s: (typeof all)[number]) => s.Spec?.Labels?.[SWARM_LABELS.managed] === SWARM_MANAGED && s.Spec?.Labels?.[SWARM_LABELS.app] === app;
    const services = all.filter(mine);
    const foreignPorts = all.filter((s) => !mine(s)).flatMap((s) => ((s.Spec as { EndpointSpec?: { Ports?: Array<{ PublishedPort?: number }> } } | undefined)?.EndpointSpec?.Ports ?? []).flatMap((p) => (p.PublishedPort ? [p.PublishedPort] : [])));
    return {
      services: services.map(observedService),
      foreignPorts: [...new Set(foreignPorts)].sort((a, b) => a - b),
      networks: networks.map((n) => ({ id: n.Id, name: n.Name, labels: n.Labels ?? {} })),
      files: [
        ...configs.map((c) => ({ type: 'config' as const, id: c.ID, name: c.Spec?.Name ?? '', labels: c.Spec?.Labels ?? {} })),
        ...(secrets as Array<{ ID: string; Spec?: { Name?: string; Labels?: Record<string, string> } }>).map((s) => ({ type: 'secret' as const, id: s.ID, name: s.Spec?.Name ?? '', labels: s.Spec?.Labels ?? {} })),
      ],
    };
  } catch (err) {
    throw dockerError(err, 'reading the app\'s services on the Swarm');
  }
}

type RawService = Awaited<ReturnType<DockerClient['api']['listServices']>>[number];

function observedService(s: RawService): ObservedSwarmService {
  const raw = s as RawService & { UpdateStatus?: { State?: string; Message?: string; StartedAt?: string }; Endpoint?: { Ports?: Array<{ Name?: string; PublishedPort?: number; TargetPort?: number }> } };
  const spec = s.Spec as { Name?: string; Labels?: Record<string, string>; EndpointSpec?: { Ports?: Array<{ Name?: string; PublishedPort?: number; TargetPort?: number }> } } | undefined;
  const ports = spec?.EndpointSpec?.Ports ?? [];
  return {
    id: s.ID,
    name: spec?.Name ?? '',
    version: s.Version?.Index ?? 0,
    labels: spec?.Labels ?? {},
    published: ports.filter((p) => p.PublishedPort).map((p) => ({ name: p.Name ?? String(p.TargetPort), port: p.PublishedPort! })),
    ...(raw.UpdateStatus?.State ? { updateState: raw.UpdateStatus.State } : {}),
    ...(raw.UpdateStatus?.Message ? { updateMessage: raw.UpdateStatus.Message } : {}),
    ...(raw.UpdateStatus?.StartedAt ? { updateStartedAt: raw.UpdateStatus.StartedAt } : {}),
    fileRefs: [...fileRefsOf(s.Spec), ...fileRefsOf((s as RawService & { PreviousSpec?: unknown }).PreviousSpec)],
  };
}

/** `config/<name>` and `secret/<name>` of what a service spec mounts. */
function fileRefsOf(spec: unknown): string[] {
  const c = (spec as { TaskTemplate?: { ContainerSpec?: { Configs?: Array<{ ConfigName?: string }>; Secrets?: Array<{ SecretName?: string }> } } } | undefined)?.TaskTemplate?.ContainerSpec;
  return [...(c?.Configs ?? []).flatMap((x) => (x.ConfigName ? [`config/${x.ConfigName}`] : [])), ...(c?.Secrets ?? []).flatMap((x) => (x.SecretName ? [`secret/${x.SecretName}`] : []))];
}

/** The app's tasks (every service's), newest first within a service. */
export async function listSwarmTasks(docker: DockerClient, serviceIds: readonly string[]): Promise<SwarmTask[]> {
  if (serviceIds.length === 0) return [];
  let raw: Array<Record<string, any>>;
  try {
    raw = await docker.api.listTasks({ filters: { service: [...serviceIds] } });
  } catch (err) {
    throw dockerError(err, 'listing the app\'s tasks on the Swarm');
  }
  return raw.map((t): SwarmTask => {
    const status = t.Status ?? {};
    const addr: string | undefined = t.NetworksAttachments?.[0]?.Addresses?.[0];
    const exit = status.ContainerStatus?.ExitCode;
    return {
      id: t.ID,
      serviceId: t.ServiceID,
      ...(typeof t.Slot === 'number' && t.Slot > 0 ? { slot: t.Slot } : {}),
      nodeId: t.NodeID ?? '',
      desiredState: t.DesiredState ?? '',
      state: status.State ?? '',
      message: status.Message ?? '',
      ...(status.Err ? { err: status.Err } : {}),
      ...(addr ? { ip: addr.split('/')[0] } : {}),
      ...(status.ContainerStatus?.ContainerID ? { containerId: status.ContainerStatus.ContainerID } : {}),
      ...(typeof exit === 'number' ? { exitCode: exit } : {}),
      createdAt: t.CreatedAt ?? '',
      updatedAt: t.UpdatedAt ?? '',
      containerLabels: t.Spec?.ContainerSpec?.Labels ?? {},
    };
  });
}

export async function listSwarmNodes(docker: DockerClient): Promise<SwarmNode[]> {
  let raw: Array<Record<string, any>>;
  try {
    raw = await docker.api.listNodes();
  } catch (err) {
    throw dockerError(err, 'listing the Swarm\'s nodes');
  }
  return raw
    .map((n): SwarmNode => ({
      id: n.ID,
      hostname: n.Description?.Hostname ?? n.ID,
      role: n.Spec?.Role === 'manager' ? 'manager' : 'worker',
      state: n.Status?.State ?? 'unknown',
      availability: n.Spec?.Availability ?? 'active',
      addr: n.Status?.Addr ?? '',
      leader: n.ManagerStatus?.Leader === true,
      labels: n.Spec?.Labels ?? {},
      engineVersion: n.Description?.Engine?.EngineVersion ?? '',
      cpus: (n.Description?.Resources?.NanoCPUs ?? 0) / 1e9,
      memoryBytes: n.Description?.Resources?.MemoryBytes ?? 0,
      createdAt: n.CreatedAt ?? '',
    }))
    .sort((a, b) => a.hostname.localeCompare(b.hostname));
}

/**
 * berth's own images are built on the manager; without a registry only a one-node Swarm can run
 * them. A bigger one is refused before anything is made, with what to do.
 */
export async function assertOneNode(docker: DockerClient): Promise<void> {
  const nodes = await listSwarmNodes(docker);
  if (nodes.length > 1)
    throw new BerthError('USAGE', `this Swarm has ${nodes.length} nodes and berth's data-plane image is built on the manager only`, {
      hint: 'pass --swarm-registry HOST:PORT (or BERTH_SWARM_REGISTRY): a registry every node can pull from; berth pushes its image there',
    });
}

/** A service's rollout as Swarm reports it (`GET /services?status=true`). */
export interface ServiceProgress {
  ID: string;
  CreatedAt?: string;
  Version?: { Index?: number };
  Spec?: { Name?: string; Labels?: Record<string, string> };
  UpdateStatus?: { State?: string; Message?: string; StartedAt?: string };
  ServiceStatus?: { RunningTasks?: number; DesiredTasks?: number; CompletedTasks?: number };
}

/** The app's services with their update state and task counts: what `--wait`, `rollout status` and `get` read. */
export async function listServiceProgress(docker: DockerClient, app: string): Promise<ServiceProgress[]> {
  try {
    return (await docker.api.listServices({ filters: ownerFilter(app), status: true } as never)) as unknown as ServiceProgress[];
  } catch (err) {
    throw dockerError(err, "reading the app's services on the Swarm");
  }
}

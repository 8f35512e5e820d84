import { specHash } from '../../model/hash.js';

/**
 * Swarm object names. A Swarm service's name is also its DNS name on its networks
 * (`tasks.<name>` resolves to its tasks), so names are DNS labels: lowercase, `-`, at most 63
 * characters. They carry the app, the namespace, a short kind and the object's name; one too
 * long keeps a readable prefix and ends in a hash of the whole, so two objects never share one.
 * berth reads its objects back by labels (SWARM_LABELS), never by parsing names.
 */
const MAX = 63;

const KIND_WORD: Record<string, string> = {
  Deployment: 'deploy',
  ReplicaSet: 'rs',
  ReplicationController: 'rc',
  Pod: 'pod',
  DaemonSet: 'ds',
  StatefulSet: 'sts',
  Job: 'job',
  Service: 'svc',
};

function bounded(full: string): string {
  if (full.length <= MAX) return full;
  const hash = specHash(full).slice(0, 8);
  return `${full.slice(0, MAX - hash.length - 1).replace(/[-.]+$/, '')}-${hash}`;
}

export const swarmNames = {
  /** The overlay network of one namespace: DNS names of its Services resolve on it. */
  network: (app: string, ns: string) => bounded(`berth-${app}-${ns}`),
  /** A workload's service; a StatefulSet's ordinal passes `ordinal`. */
  workload: (app: string, kind: string, ns: string, name: string, ordinal?: number) =>
    bounded(`berth-${app}-${ns}-${KIND_WORD[kind] ?? kind.toLowerCase()}-${name}${ordinal === undefined ? '' : `-${ordinal}`}`),
  /** The data-plane proxy of a Kubernetes Service (one task per node). */
  serviceProxy: (app: string, ns: string, name: string) => bounded(`berth-${app}-${ns}-svc-${name}`),
  /** A ConfigMap's or Secret's content as an immutable Swarm config/secret. */
  file: (app: string, kind: 'ConfigMap' | 'Secret', ns: string, name: string, contentHash: string) =>
    bounded(`berth-${app}-${ns}-${kind === 'ConfigMap' ? 'cm' : 'secret'}-${name}-${contentHash.slice(0, 12)}`),
};

/**
 * Labels on every Swarm object berth makes. Ownership is `berth.managed=swarm` + `berth.app`:
 * not one host's `berth.managed=true`, so the tasks' containers, volumes and overlay networks a
 * manager node also holds are never taken for one host's pods by a berth driving that engine
 * directly (or by this one's host-side machinery), and the two never touch each other's objects.
 */
export const SWARM_LABELS = {
  managed: 'berth.managed',
  app: 'berth.app',
  namespace: 'berth.namespace',
  kind: 'berth.kind',
  name: 'berth.name',
  key: 'berth.key',
  role: 'berth.role',
  ordinal: 'berth.ordinal',
  /** What the service was made from; a different one is an update (plan/swarm/plan.ts). */
  specHash: 'berth.spec-hash',
  /** The pod template's hash: a task's pod name carries it, as a ReplicaSet's pods do. */
  templateHash: 'berth.template-hash',
  /** On tasks' containers: the pod's labels (JSON), read back by `get pods`. */
  podLabels: 'berth.pod-labels',
  /** The Deployment's revision and change cause the service runs (rollout history). */
  revision: 'berth.revision',
} as const;

export const SWARM_MANAGED = 'swarm';

export function ownerLabels(app: string): Record<string, string> {
  return { [SWARM_LABELS.managed]: SWARM_MANAGED, [SWARM_LABELS.app]: app };
}

/** The label filter that lists one app's Swarm objects (services, networks, configs, secrets). */
export function ownerFilter(app: string): { label: string[] } {
  return { label: [`${SWARM_LABELS.managed}=${SWARM_MANAGED}`, `${SWARM_LABELS.app}=${app}`] };
}

import { endpointIpamAddress, type DockerClient } from '../apply/docker.js';
import type Dockerode from 'dockerode';
import { isPodOwner, L, ownedFilter } from '../apply/labels.js';
import { dockerNames } from '../apply/names.js';
import { validateRevision, type ValidateOptions } from '../manifests/index.js';
import { withStatefulSetClaims } from '../plan/controllers/statefulset-claims.js';
import { BerthError } from '../model/errors.js';
import { specHash } from '../model/hash.js';
import { DEFAULT_HOST_POLICY } from '../model/policy.js';
import { hasErrors, problemLocation } from '../model/problem.js';
import type { Revision } from '../model/revision.js';
import type { LeaseHolder, PodIpClaim, Store } from './store/index.js';
import { leaseHeldError, readHostKeyFile } from './store/index.js';

export interface RebuildDeps {
  docker: DockerClient;
  store: Store;
  holder: LeaseHolder;
  /** `<state-dir>/host-key`: whether the host key came back from it. */
  hostKeyFile: string;
}

export interface RebuildRequest {
  app: string;
  /** The source's current revision: the objects' manifests come from it (labels hold no spec). */
  revision: Revision;
  validate?: ValidateOptions;
}

export interface RebuildResult {
  app: string;
  revision: string;
  /** Objects recorded in the inventory. */
  recorded: number;
  /** Of those, objects that own Docker objects on the host now (pods, networks, volumes, proxies). */
  onHost: number;
  /** Objects berth owns on the host that the source no longer has: the daemon's next pass prunes them. */
  notInSource: string[];
  /**
   * `file`: the host key came from `<state-dir>/host-key` (or was still in the store), so pods
   * keep their names; `new`: it was lost with the store, and every Deployment rolls once.
   */
  hostKey: 'kept' | 'new';
  /**
   * `namespace/pod address` of containers whose address claim was not restored: a newer
   * container names the same pod or the same address (a pod being re-created, or containers
   * made by hand). The newer one holds the claim.
   */
  addressClashes: string[];
}

/** A lease long enough for a rebuild; released at the end. */
const REBUILD_LEASE_MS = 60_000;

/**
 * `berth state rebuild`: the app's inventory and source status reconstructed from the
 * berth-owned Docker objects (their ownership labels say which objects exist) and the
 * source's current revision (their manifests), so the daemon's next pass finds the host as
 * it was left and has nothing to do. Read-only towards Docker: no container is created,
 * started, stopped or removed (test/e2e/store-faults.test.ts compares ids and StartedAt).
 * Rollout history, events and pod restart counts are not in any label; the next pass starts
 * them afresh.
 */
export async function rebuildAppState(deps: RebuildDeps, req: RebuildRequest): Promise<RebuildResult> {
  const { store } = deps;
  const { app } = req;
  const { resources: validated, problems } = validateRevision(req.revision.files, req.validate);
  // With the claims StatefulSets make, which a pass records too (plan/controllers/statefulset-claims.ts).
  const resources = withStatefulSetClaims(validated, [], new Map(), false).resources;
  if (hasErrors(problems)) {
    const first = problems.find((p) => p.severity === 'error')!;
    throw new BerthError('INVALID_MANIFESTS', `revision ${req.revision.id.slice(0, 12)} is invalid (${problemLocation(first)}: ${first.message}); nothing was rebuilt`, { hint: 'run `berth validate` on the source' });
  }
  // The key before anything else is written: adopting it from the file keeps pod names.
  const keyKnown = readHostKeyFile(deps.hostKeyFile) !== undefined;
  store.hostKey();
  const { keys: owned, addresses } = await ownedKeys(deps.docker, app);
  const lease = store.acquireLease(app, deps.holder, REBUILD_LEASE_MS);
  if (!lease.acquired) throw leaseHeldError(app, lease.heldBy, lease.expiresAt);
  let refused: PodIpClaim[] = [];
  try {
    const entries = resources.map((r) => ({
      key: r.key,
      kind: r.object.kind,
      namespace: r.object.metadata.namespace ?? '',
      name: r.object.metadata.name,
      specHash: specHash(r.object),
      object: r.object,
    }));
    store.transaction(() => {
      store.replaceInventory(app, entries, { sourceRevision: req.revision.id });
      store.recordAppliedPolicy(app, req.validate?.hostPolicy ?? DEFAULT_HOST_POLICY);
      store.updateSourceStatus(app, { lastFetchedRevision: req.revision.id, lastAppliedRevision: req.revision.id });
      // The addresses single-container pods hold, claimed when their containers were made: in
      // place of whatever the store held (a restored backup's claims of pods gone since would
      // otherwise win over the addresses live containers hold).
      refused = store.replaceAppPodIps(app, addresses);
    });
  } finally {
    store.releaseLease(app, deps.holder.id);
  }
  const desired = new Set(resources.map((r) => r.key));
  return {
    app,
    revision: req.revision.id,
    recorded: resources.length,
    onHost: [...owned].filter((k) => desired.has(k)).length,
    notInSource: [...owned].filter((k) => !desired.has(k)).sort(),
    hostKey: keyKnown ? 'kept' : 'new',
    addressClashes: refused.map((c) => `${c.pod} ${c.ip}`).sort(),
  };
}

/** The manifest objects the app's Docker objects belong to, from their labels alone. */
async function ownedKeys(docker: DockerClient, app: string): Promise<{ keys: Set<string>; addresses: PodIpClaim[] }> {
  const filters = ownedFilter(app);
  const [containers, networks, volumes] = await Promise.all([
    docker.api.listContainers({ all: true, filters }),
    docker.api.listNetworks({ filters }),
    docker.api.listVolumes({ filters }),
  ]);
  const keys = new Set<string>();
  for (const labels of [...containers.map((c) => c.Labels), ...networks.map((n) => n.Labels), ...(volumes.Volumes ?? []).map((v) => v.Labels)]) {
    const key = ownerKeyOf(labels ?? {});
    if (key) keys.add(key);
  }
  return { keys, addresses: containers.flatMap((c) => podAddressOf(app, c)) };
}

/**
 * The address a single-container pod's container was made with (IPAMConfig, kept while it is
 * stopped), as its claim: dated when the container was created (Docker's `Created`, in seconds),
 * not when this rebuild ran, so the claim's age is the pod's.
 */
export function podAddressOf(app: string, c: Pick<Dockerode.ContainerInfo, 'Labels' | 'Created' | 'NetworkSettings'>): PodIpClaim[] {
  if (!isPodOwner(c.Labels) || c.Labels[L.role] !== 'container') return [];
  const ns = c.Labels[L.namespace] ?? 'default';
  const network = dockerNames.network(app, ns);
  const ip = endpointIpamAddress(c, network);
  return ip ? [{ network, pod: `${ns}/${c.Labels[L.name] ?? ''}`, app, ip, claimedAt: c.Created * 1000 }] : [];
}

/**
 * A pod's containers and volumes belong to its controller, a proxy to its Service. Networks are
 * left out: every namespace in use has one, whether or not a Namespace object describes it.
 */
export function ownerKeyOf(labels: Readonly<Record<string, string>>): string | undefined {
  const role = labels[L.role];
  const controller = labels[L.controller];
  if ((role === 'sandbox' || role === 'container' || role === 'init' || role === 'pvc') && controller) return controller;
  if (role === 'proxy') return `Service/${labels[L.namespace] ?? ''}/${labels[L.name] ?? ''}`;
  return undefined;
}

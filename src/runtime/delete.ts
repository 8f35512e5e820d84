import type Dockerode from 'dockerode';
import type { DockerClient } from '../apply/docker.js';
import { dockerError, isNotFound } from '../apply/docker.js';
import type { ActionResult } from '../apply/execute.js';
import { executePlan } from '../apply/execute.js';
import { L, ownedFilter } from '../apply/labels.js';
import type { PodContext } from '../apply/pod.js';
import type { Clock } from '../model/clock.js';
import type { BerthError } from '../model/errors.js';
import type { ControlPlane } from './compose.js';
import type { DeleteTarget, DeletionPlan, TargetPlan } from './delete-plan.js';
import { actionId, planDeletion } from './delete-plan.js';
import { withLease } from './hold-lease.js';
import type { Logger } from './log.js';
import { createReadiness } from './readiness.js';
import { disconnect, removeDataplaneContainer } from '../apply/services/containers.js';
import { dockerNames } from '../apply/names.js';
import type { LeaseHolder, Store } from './store/index.js';
import { readLiveState } from './views/live.js';

export type { DeleteTarget } from './delete-plan.js';

export interface DeleteDeps {
  docker: DockerClient;
  store: Store;
  clock: Clock;
  log: Logger;
  /** The app's control plane (runtime/compose.ts): its Services drain pods before they stop. */
  plane: ControlPlane;
  /** Who takes the app's lease for the deletion (built by cli/). */
  holder: LeaseHolder;
}

export interface DeleteRequest {
  app: string;
  targets: readonly DeleteTarget[];
  /** Overrides terminationGracePeriodSeconds of the pods deleted (0: kill at once). */
  gracePeriodSeconds?: number;
  /** Check afterwards that nothing of the deleted objects is left on the host. */
  verify: boolean;
  signal?: AbortSignal;
  onResult?: (result: ActionResult) => void;
}

export interface TargetOutcome {
  target: DeleteTarget;
  key: string;
  found: boolean;
  ok: boolean;
  errors: BerthError[];
}

export interface DeleteOutcome {
  targets: TargetOutcome[];
  /** Docker objects of deleted targets still present after deletion (verify only). */
  leftovers: string[];
  /** Failures of cleanup that serves no single target (an unused namespace network). */
  otherErrors: BerthError[];
}

/**
 * `berth delete`: holding the app's lease, reads the live state, plans, removes service
 * objects, executes the plan (graceful pod deletion with preStop hooks), then forgets what
 * was deleted, all in one store transaction. A target whose actions failed stays in the
 * inventory so a retry (or prune) still finds it.
 */
export async function deleteResources(deps: DeleteDeps, req: DeleteRequest): Promise<DeleteOutcome> {
  return withLease(deps.store, deps.clock, req.app, deps.holder, async () => {
    const state = await readLiveState(deps, { app: req.app });
    const plan = planDeletion(state, req.targets);
    const readiness = createReadiness({ docker: deps.docker, clock: deps.clock, store: deps.store, app: req.app, log: deps.log });
    try {
      const serviceErrors = await removeServices(deps, req.app, plan);
      await removeNamespaceInfrastructure(deps.docker, req.app, plan);
      const ctx: PodContext = {
        docker: deps.docker,
        app: req.app,
        clock: deps.clock,
        pulls: new Map(),
        warn: (key, reason, message) => deps.store.addEvent({ app: req.app, type: 'Warning', reason, objectKey: key, message }),
        dataplane: deps.plane.dataplane,
        images: deps.plane.images,
      };
      const results = await executePlan(plan.actions, {
        ctx,
        pods: state.host.pods,
        // Pods leave every Service (and the proxies confirm) before they are stopped.
        hooks: deps.plane.services.hooks({ ...readiness.hooks, ...(req.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: req.gracePeriodSeconds } : {}) }),
        ...(req.signal ? { signal: req.signal } : {}),
        ...(req.onResult ? { onResult: req.onResult } : {}),
      });
      const outcome = outcomes(plan, results, serviceErrors);
      record(deps.store, req.app, plan, outcome);
      const leftovers = req.verify ? await findLeftovers(deps, req.app, plan, outcome) : [];
      return { targets: outcome, leftovers, otherErrors: results.filter((r) => !r.ok && !plan.targets.some((t) => t.actionIds.includes(actionId(r.action)))).map((r) => r.error!) };
    } finally {
      await readiness.stop();
    }
  });
}

function outcomes(plan: DeletionPlan, results: readonly ActionResult[], serviceErrors: ReadonlyMap<string, BerthError>): TargetOutcome[] {
  const byId = new Map(results.map((r) => [actionId(r.action), r]));
  return plan.targets.map((t) => {
    const errors = t.actionIds.flatMap((id) => {
      const r = byId.get(id);
      return r && !r.ok && r.error ? [r.error] : [];
    });
    for (const s of t.services) {
      const err = serviceErrors.get(`${s.namespace}/${s.name}`);
      if (err) errors.push(err);
    }
    const executed = t.actionIds.every((id) => byId.has(id));
    return { target: t.target, key: t.key, found: t.found, ok: t.found && executed && errors.length === 0, errors };
  });
}

/** Forgets what was deleted, in one transaction: inventory, pod status, job and cron state, NodePorts. */
function record(store: Store, app: string, plan: DeletionPlan, outcome: readonly TargetOutcome[]): void {
  const done = plan.targets.filter((_, i) => outcome[i]!.ok);
  store.transaction(() => {
    store.removeInventory(app, [...new Set(done.flatMap((t) => t.forget))]);
    store.deletePodStatus(app, [...new Set(done.flatMap((t) => t.podKeys))]);
    store.deleteJobs(app, [...new Set(done.flatMap((t) => t.jobKeys))]);
    for (const key of new Set(done.flatMap((t) => t.cronKeys))) store.deleteCronState(app, key);
    for (const s of done.flatMap((t) => t.services)) store.releaseNodePorts(app, `Service/${s.namespace}/${s.name}`);
  });
}

/**
 * Extension point for the Services work (SPEC §5): removes what realises a Service on the
 * host. Today that is every container this app owns that is labelled as the Service's
 * (the data plane's proxy); NodePorts are released with the inventory. Errors are returned
 * per Service so one stuck proxy fails only its own target.
 */
export async function removeServices(deps: Pick<DeleteDeps, 'docker' | 'plane'>, app: string, plan: DeletionPlan): Promise<Map<string, BerthError>> {
  const { docker } = deps;
  const errors = new Map<string, BerthError>();
  const services = new Map(plan.targets.filter((t) => t.found).flatMap((t) => t.services.map((s) => [`${s.namespace}/${s.name}`, s] as const)));
  await Promise.all(
    [...services.entries()].map(async ([id, s]) => {
      try {
        const containers = await docker.api.listContainers({ all: true, filters: ownedFilter(app, `${L.kind}=Service`, `${L.namespace}=${s.namespace}`, `${L.name}=${s.name}`) });
        // Stopped, not killed: the proxy lets open connections finish for its grace period.
        await Promise.all(containers.map((c) => removeDataplaneContainer({ docker, app, dataplane: deps.plane.dataplane }, c.Id, `the proxy of service ${id}`)));
      } catch (err) {
        errors.set(id, dockerError(err, `removing the proxy of service ${id}`));
      }
    }),
  );
  return errors;
}

/**
 * A namespace network can only go once nothing is attached: besides pods, the data plane may
 * run per-namespace containers there (service proxies, DNS). Those the app owns in a
 * namespace whose network is being deleted are removed first; a failure surfaces as the
 * network's own removal failing.
 */
async function removeNamespaceInfrastructure(docker: DockerClient, app: string, plan: DeletionPlan): Promise<void> {
  const namespaces = plan.actions.filter((a) => a.type === 'delete-network').map((a) => a.namespace);
  await Promise.all(
    namespaces.map(async (ns) => {
      const containers = await docker.api.listContainers({ all: true, filters: ownedFilter(app, `${L.namespace}=${ns}`) }).catch(() => []);
      const infrastructure = containers.filter((c) => c.Labels[L.role] === 'proxy' || c.Labels[L.role] === 'dns');
      await Promise.all(infrastructure.map((c) => removeOwnedContainer(docker, c).catch(() => undefined)));
      // Proxies of other namespaces are attached to this network too (cross-namespace names).
      const network = dockerNames.network(app, ns);
      const attached = (await docker.api.listContainers({ filters: ownedFilter(app, `${L.role}=proxy`) }).catch(() => [])).filter((c) => c.NetworkSettings?.Networks?.[network] !== undefined);
      await Promise.all(attached.map((c) => disconnect(docker, c.Id, app, ns).catch(() => undefined)));
    }),
  );
}

async function removeOwnedContainer(docker: DockerClient, c: Dockerode.ContainerInfo): Promise<void> {
  try {
    // v: the anonymous volumes of the image's VOLUME lines go with it (see removeContainer).
    await docker.api.getContainer(c.Id).remove({ force: true, v: true });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** What of the deleted targets Docker still has: the proof that delete left nothing behind. */
async function findLeftovers(deps: DeleteDeps, app: string, plan: DeletionPlan, outcome: readonly TargetOutcome[]): Promise<string[]> {
  const after = await readLiveState(deps, { app });
  const wanted = new Set(plan.targets.filter((_, i) => outcome[i]!.ok).flatMap((t: TargetPlan) => t.actionIds));
  const left: string[] = [];
  for (const p of after.host.pods) if (wanted.has(`pod:${p.key}`)) left.push(`pod ${p.key}`);
  for (const v of after.host.volumes) if (wanted.has(`volume:${v.name}`)) left.push(`volume ${v.name}`);
  for (const n of after.host.networks) if (wanted.has(`network:${n.namespace}`)) left.push(`network ${n.name}`);
  return left;
}

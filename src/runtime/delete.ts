import { podIps } from '../apply/pod-ips.js';
import type { DockerClient } from '../apply/docker.js';
import { rerouteAfterDelete, touchesRoutes } from './edge-reroute.js';
import type { ActionResult } from '../apply/execute.js';
import { executePlan } from '../apply/execute.js';
import { deleteOnSwarm } from './swarm/delete.js';
import type { DeletePodHooks, PodContext } from '../apply/pod.js';
import type { Clock } from '../model/clock.js';
import type { BerthError } from '../model/errors.js';
import { actionId } from '../plan/action-id.js';
import type { DeletePlan, DeleteTarget } from '../plan/delete.js';
import { planDelete } from '../plan/delete.js';
import { changesEarned, splitByTiming } from '../plan/store-changes.js';
import { forgetStaleCertificates } from './certificate-records.js';
import { commitChanges } from './commit.js';
import { keepTerminatingRecords, terminatingCleared, terminatingMarks } from '../plan/terminating.js';
import type { ControlPlane } from './compose.js';
import { runTermination } from './terminations-finish.js';
import { withLease } from './hold-lease.js';
import type { Logger } from './log.js';
import type { LeaseHolder, Store } from './store/index.js';
import { readLiveState } from './views/live.js';

export type { DeleteTarget } from '../plan/delete.js';

export interface DeleteDeps {
  docker: DockerClient;
  store: Store;
  clock: Clock;
  log: Logger;
  /** The app's control plane (runtime/compose.ts): its Services drain pods before they stop. */
  plane: ControlPlane;
  /** Who takes the app's lease for the deletion (built by cli/). */
  holder: LeaseHolder;
  /** preStop handlers (runtime/readiness.ts preStopHooks), as a pass gets them. */
  hooks?: DeletePodHooks;
}

export interface DeleteRequest {
  app: string;
  targets: readonly DeleteTarget[];
  /** Overrides terminationGracePeriodSeconds of the pods deleted (0: kill at once). */
  gracePeriodSeconds?: number;
  /**
   * Wait until the deleted pods are gone and check that nothing of the deleted objects is left on
   * the host (kubectl's `--wait`, the default). Without it pods run out their grace periods in
   * the background (runtime/terminations.ts), as `kubectl delete --wait=false` returns once the
   * deletion is accepted; unless the deletion also removes what Docker refuses to remove while a
   * pod still uses it (a namespace's network, a claim's volume): then it waits regardless.
   */
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
 * `berth delete`: holding the app's lease, observes, plans (plan/delete.ts), executes the plan
 * (Service proxies and DNS go as actions too; pods leave every Service and run their preStop
 * hooks before they stop), then commits what the plan has the store forget: unconditional
 * changes and those whose actions all succeeded, in one transaction. A target whose actions
 * failed stays in the inventory so a retry (or prune) still finds it.
 */
export async function deleteResources(deps: DeleteDeps, req: DeleteRequest): Promise<DeleteOutcome> {
  return withLease(deps.store, deps.clock, req.app, deps.holder, () => executeDelete(deps, req));
}

/** The deletion itself, for a caller that holds the app's lease already (the pass acting on a delete intent). */
export async function executeDelete(deps: Omit<DeleteDeps, 'holder'>, req: DeleteRequest): Promise<DeleteOutcome> {
  const state = await readLiveState(deps, { app: req.app });
  const plan = planDelete(state, req.targets);
  if (deps.plane.backend.kind === 'swarm') return deleteOnSwarm(deps, req, plan, deps.plane.backend);
  const ctx: PodContext = {
    docker: deps.docker,
    app: req.app,
    clock: deps.clock,
    pulls: new Map(),
    podIps: podIps(deps.store),
    warn: (key, reason, message) => deps.store.addEvent({ app: req.app, type: 'Warning', reason, objectKey: key, message }),
    dataplane: deps.plane.dataplane,
    images: deps.plane.images,
    preparedRoots: deps.plane.safeMountRoots,
  };
  // Pods read Terminating while they stop (plan/terminating.ts).
  const grace = req.gracePeriodSeconds;
  const marked = grace === undefined ? plan.actions : plan.actions.map((a) => (a.type === 'delete-pod' ? { ...a, gracePeriodSeconds: grace } : a));
  const marks = terminatingMarks(marked, deps.clock.now(), state.host.pods);
  if (marks.length > 0) commitChanges(deps.store, req.app, marks);
  const waitsForPods = req.verify || plan.actions.some((a) => a.type === 'delete-network' || a.type === 'delete-volume');
  const results = await executePlan(plan.actions, {
    ctx,
    pods: state.host.pods,
    ...(waitsForPods ? {} : { background: (pod: { namespace: string; name: string }, rest: (signalled: () => void, signal: AbortSignal) => Promise<void>) => runTermination(deps, req.app, `${pod.namespace}/${pod.name}`, rest) }),
    // Pods leave every Service (and the proxies confirm) before they are stopped.
    hooks: deps.plane.services.hooks({ ...deps.hooks, ...(req.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: req.gracePeriodSeconds } : {}) }),
    ...(req.signal ? { signal: req.signal } : {}),
    ...(req.onResult ? { onResult: req.onResult } : {}),
  });
  const succeeded = new Set(results.filter((r) => r.ok).map((r) => actionId(r.action)));
  const { before, after } = splitByTiming(plan.changes);
  commitChanges(deps.store, req.app, [...before, ...keepTerminatingRecords(changesEarned(after, succeeded), results), ...terminatingCleared(results)]);
  // A deleted Certificate, Ingress or Issuer takes its issued key or account along, daemon or not.
  forgetStaleCertificates(deps.store, req.app);
  const outcome = outcomes(plan, results);
  // Routes of deleted objects leave the edge now, not at the next apply (runtime/edge-reroute.ts).
  if (touchesRoutes(outcome.filter((o) => o.ok).map((o) => o.key.split('/')[0]!)))
    await rerouteAfterDelete({ ...deps, writer: deps.plane.dataplane.writer }, ctx, req.app).catch((err: unknown) => deps.log.warn({ err }, 'could not update the edge after delete; the next pass will'));
  const leftovers = req.verify ? await findLeftovers(deps, req.app, plan, outcome) : [];
  const served = new Set(plan.targets.flatMap((t) => t.actionIds));
  return { targets: outcome, leftovers, otherErrors: results.filter((r) => !r.ok && !served.has(actionId(r.action))).map((r) => r.error!) };
}

function outcomes(plan: DeletePlan, results: readonly ActionResult[]): TargetOutcome[] {
  const byId = new Map(results.map((r) => [actionId(r.action), r]));
  return plan.targets.map((t) => {
    const errors = t.actionIds.flatMap((id) => {
      const r = byId.get(id);
      return r && !r.ok && r.error ? [r.error] : [];
    });
    const executed = t.actionIds.every((id) => byId.has(id));
    return { target: t.target, key: t.key, found: t.found, ok: t.found && executed && errors.length === 0, errors };
  });
}

/** What of the deleted targets Docker still has: the proof that delete left nothing behind. */
async function findLeftovers(deps: Omit<DeleteDeps, 'holder'>, app: string, plan: DeletePlan, outcome: readonly TargetOutcome[]): Promise<string[]> {
  const after = await readLiveState(deps, { app });
  const wanted = new Set(plan.targets.filter((_, i) => outcome[i]!.ok).flatMap((t) => t.actionIds));
  const left: string[] = [];
  for (const p of after.host.pods) if (wanted.has(`pod:${p.key}`)) left.push(`pod ${p.key}`);
  for (const v of after.host.volumes) if (wanted.has(`volume:${v.name}`)) left.push(`volume ${v.name}`);
  for (const n of after.host.networks) if (wanted.has(`network:${n.namespace}`)) left.push(`network ${n.name}`);
  for (const s of after.host.services) {
    if (wanted.has(`container:${s.containerId}`)) left.push(`proxy of service ${s.namespace}/${s.name}`);
    if (s.hostRules && wanted.has(`container:${s.hostRules.containerId}`)) left.push(`host fast path of service ${s.namespace}/${s.name}`);
  }
  for (const d of after.host.dns ?? []) if (wanted.has(`container:${d.containerId}`)) left.push(`DNS server of namespace ${d.namespace}`);
  return left;
}

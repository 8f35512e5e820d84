import { podIps } from '../../apply/pod-ips.js';
import type { Wait } from '../../plan/actions.js';
import type { DesiredState } from '../../plan/desired.js';
import type { ObservedState } from '../../plan/observed.js';
import type { FullPlan, WorkloadStatus } from '../../plan/plan.js';
import { plan } from '../../plan/plan.js';
import type { StepEntry } from '../../plan/settle.js';
import { settle } from '../../plan/settle.js';
import { describeAction } from '../../plan/action-text.js';
import type { ActionResult } from '../../apply/execute.js';
import { executePlan } from '../../apply/execute.js';
import type { DockerClient } from '../../apply/docker.js';
import type { DeletePodHooks, PodContext } from '../../apply/pod.js';
import { pruneSafeMounts } from '../../apply/volumes/safe-mounts.js';
import type { Clock } from '../../model/clock.js';
import type { Logger } from '../log.js';
import type { Observation, ReadinessSource } from '../observe.js';
import { forServices, observe } from '../observe.js';
import type { ControlPlane } from '../compose.js';
import { BerthError } from '../../model/errors.js';
import { settleNodePorts } from '../node-ports.js';
import { settleVolumeBindings } from '../volume-bindings.js';
import type { HostPolicy } from '../../model/policy.js';
import type { NodeInfo } from '../../model/node-scheduling.js';
import { effectiveDesired } from '../../plan/rollouts/effective.js';
import { rolloutProgress } from '../../plan/rollouts/progress.js';
import type { Divergence } from '../../plan/rollouts/state.js';
import { commitChanges } from '../commit.js';
import { runTermination } from '../terminations-finish.js';
import { DEFAULT_GRACE_SECONDS, terminatingMarks } from '../../plan/terminating.js';
import { awaitPodTermination } from '../../apply/pod-delete.js';
import type { ObservedPod } from '../../plan/observed.js';
import { deploymentKeys, logRolloutEvents, readRolloutState } from '../rollout-state.js';
import type { InventoryEntry, Store } from '../store/index.js';
import { ensureKeeper } from '../../apply/keeper.js';
import { ensureEdgePortsFree } from '../../apply/edge/ports.js';
import { edgeSettings } from '../../model/policy.js';
import { observeEdges } from '../edge.js';

/** What a pass works with: the host, the store, time, and the app's control plane. */
export interface PassDeps {
  docker: DockerClient;
  store: Store;
  clock: Clock;
  log: Logger;
  random: () => number;
  readiness?: ReadinessSource;
  hooks?: DeletePodHooks;
  /** The app's control plane from the composition root: Services and data-plane memory. */
  plane: ControlPlane;
  /**
   * Pods whose containers Docker reported dying since the last pass began (the daemon's events):
   * each observation of this pass inspects them, the list being late (ObserveOptions.inspectPods).
   */
  exitedPods?: ReadonlySet<string>;
}

export interface ReconcileRequest {
  app: string;
  sourceRevision: string;
  desired: DesiredState;
  prune: boolean;
  /** Keep going until every wait is over, not only the blocking ones. */
  waitForReady: boolean;
  timeoutMs: number;
  /** Only plan: observe and return the first step without executing it. */
  dryRun?: boolean;
  /** The host policy's hostPath prefixes, which hostPath volumes are resolved below (apply/volumes). */
  hostPathPrefixes?: readonly string[];
  /** The host policy's allowedRegistries, checked again right before a pull (apply/images). */
  allowedRegistries?: readonly string[];
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /**
   * Rollout history, deadlines and rollbacks (plan/rollouts/), which adjust each Deployment's
   * effective template; `policy` is what stored templates are held to (absent: none refused).
   */
  rollouts?: { policy?: HostPolicy; changed?: ReadonlySet<string> };
  /**
   * The inventory as it was before this pass recorded its revision (a pass records it first):
   * what it held tells a pod the revision removed from one an interrupted apply left behind.
   */
  previousInventory?: readonly InventoryEntry[];
  /**
   * The one node this host is (runtime/node-facts.ts readHostNode, read once per pass): DaemonSet
   * placement and local volumes' nodeAffinity both read it, as the desired state's downward
   * `spec.nodeName` does.
   */
  node: NodeInfo;
  /**
   * The first step's observation, begun by the caller beside its own Docker reads (runPass reads
   * the node meanwhile: neither depends on the other). Later steps observe afresh.
   */
  firstObservation?: Promise<Observation>;
}

export type ProgressEvent =
  | { type: 'action'; result: ActionResult; text: string }
  | { type: 'waiting'; waits: Wait[] }
  | { type: 'step'; step: number; actions: number }
  /** An action of a pass on a Swarm (runtime/swarm/), in the same words `apply` prints. */
  | { type: 'swarm-action'; ok: boolean; text: string };

export interface ReconcileOutcome {
  /** The first plan (what `diff`/`--dry-run` show). */
  firstPlan: FullPlan;
  results: ActionResult[];
  /** Waits still open when the loop stopped. */
  waits: Wait[];
  workloads: WorkloadStatus[];
  timedOut: boolean;
  steps: number;
  /** Deployments whose rollout missed its progress deadline (rolled back when possible). */
  rolloutsFailed: string[];
  /** Deployments running something other than their source template in the last step, and why. */
  divergences: Divergence[];
}

const POLL_MS = 500;

/**
 * The heart of every pass: observe → plan → commit what the plan decided → execute → commit
 * what the step came to (plan/settle.ts), repeated until the plan is empty and nothing blocks
 * (or, with waitForReady, nothing waits at all), or until the deadline. Each iteration
 * re-observes, so steps always start from the host as it is, never from what the previous step
 * hoped to achieve. A dry run observes and plans once and writes nothing.
 */
export async function reconcile(deps: PassDeps, req: ReconcileRequest): Promise<ReconcileOutcome> {
  const { clock } = deps;
  const deadline = clock.now() + req.timeoutMs;
  if (deps.plane.app !== req.app) throw new BerthError('INTERNAL', `control plane of app ${deps.plane.app} used for app ${req.app}`, { app: req.app });
  const services = deps.plane.services;
  const edge = edgeSettings(req.rollouts?.policy);
  /** What the step being executed did so far; undefined between steps. */
  let journal: StepEntry[] | undefined;
  const ctx: PodContext = {
    docker: deps.docker,
    app: req.app,
    clock,
    pulls: new Map(),
    podIps: podIps(deps.store),
    warn: (key, reason, message) => {
      deps.log.warn({ key, reason }, message);
      // Recorded with the step's results, in the order it happened; one raised outside a step alone.
      if (journal) journal.push({ type: 'warning', key, reason, message });
      else commitChanges(deps.store, req.app, settle({ sourceRevision: req.sourceRevision, events: [], pods: [], journal: [{ type: 'warning', key, reason, message }] }));
    },
    dns: services.dns,
    dataplane: deps.plane.dataplane,
    images: deps.plane.images,
    preparedRoots: deps.plane.safeMountRoots,
    ...(req.hostPathPrefixes ? { hostPathPrefixes: req.hostPathPrefixes } : {}),
    ...(req.allowedRegistries ? { allowedRegistries: req.allowedRegistries } : {}),
  };
  const results: ActionResult[] = [];
  let firstPlan: FullPlan | undefined;
  let last: FullPlan | undefined;
  let steps = 0;
  const rolloutsFailed = new Set<string>();
  let divergences: Divergence[] = [];
  const ended = () => ({ rolloutsFailed: [...rolloutsFailed], divergences });
  let kept = false;
  let first = req.firstObservation;
  for (;;) {
    req.signal?.throwIfAborted();
    const rolloutCtx = req.rollouts ? { sourceRevision: req.sourceRevision, ...(req.rollouts.policy ? { policy: req.rollouts.policy } : {}), ...(req.rollouts.changed ? { changed: req.rollouts.changed } : {}) } : undefined;
    const state = rolloutCtx ? readRolloutState(deps.store, req.app, deploymentKeys(req.desired)) : undefined;
    const effective = state && rolloutCtx ? effectiveDesired(req.desired, state, rolloutCtx) : undefined;
    const desired = effective?.desired ?? req.desired;
    divergences = effective?.divergences ?? [];
    const observed = forServices(await (first ?? observeApp(deps, req.app, req.previousInventory)));
    first = undefined;
    await services.observe(observed, { probing: deps.readiness?.track !== undefined });
    observed.edges = await observeEdges({ ...deps, writer: deps.plane.dataplane.writer }, req.app);
    observed.nodePorts = await settleNodePorts(deps, req.app, desired, observed, { dryRun: req.dryRun ?? false });
    observed.storage = await settleVolumeBindings(deps, req.app, desired, observed, {
      dryRun: req.dryRun ?? false,
      prune: req.prune,
      now: clock.now(),
      node: req.node,
      firstConsumers: (storage) => plan(desired, { ...observed, storage }, { now: clock.now(), random: deps.random, prune: req.prune, node: req.node }).firstConsumers ?? [],
    });
    const p = plan(desired, observed, { now: clock.now(), random: deps.random, prune: req.prune, node: req.node, edge, holdsRestarts: deps.plane.holdsRestarts });
    // A taken edge port fails the pass before its first action (dry runs say so too), as a taken node port does.
    if (p.actions.some((a) => a.type === 'create-edge')) await ensureEdgePortsFree(deps.docker, { http: edge.httpPort, https: edge.httpsPort });
    firstPlan ??= p;
    last = p;
    if (!req.dryRun) await pruneStaleMounts(deps, req.app, observed);
    if (!req.dryRun) adoptTerminations(deps, req.app, ctx, observed.pods);
    // Once per pass, and only for an app with pods: nothing else needs keeping.
    if (!req.dryRun && !kept && (observed.pods.length > 0 || p.actions.some((a) => a.type === 'create-pod'))) kept = await keepPods(deps);
    // Decided on every step, committed only by a pass: a dry run writes nothing (issue 12 F1).
    if (req.dryRun) break;
    if (state && rolloutCtx && effective) {
      const progress = rolloutProgress(p.workloads, desired, state, { ...rolloutCtx, now: clock.now(), divergences: effective.divergences });
      const changes = [...effective.changes, ...progress.changes];
      commitChanges(deps.store, req.app, changes);
      logRolloutEvents(deps.log, changes);
      for (const key of progress.failed) rolloutsFailed.add(key);
      // A rollout that just missed its deadline changes what the Deployment should run: plan
      // again against the rolled-back template instead of executing this step.
      if (progress.rolledBack) continue;
    }
    if (p.actions.length === 0) {
      commitChanges(deps.store, req.app, settle({ sourceRevision: req.sourceRevision, events: p.events, pods: observed.pods, journal: [] }));
    } else {
      steps++;
      req.onProgress?.({ type: 'step', step: steps, actions: p.actions.length });
      const stepJournal: StepEntry[] = (journal = []);
      // Pods this step deletes read Terminating meanwhile (plan/terminating.ts); settle clears a failed one's mark.
      const marks = terminatingMarks(p.actions, clock.now(), observed.pods);
      if (marks.length > 0) commitChanges(deps.store, req.app, marks);
      let stepResults: ActionResult[];
      try {
        stepResults = await executePlan(p.actions, {
          ctx,
          pods: observed.pods,
          hooks: services.hooks(deps.hooks),
          background: (pod, rest) => runTermination(deps, req.app, `${pod.namespace}/${pod.name}`, rest),
          ...(req.signal ? { signal: req.signal } : {}),
          onResult: (r) => {
            logResult(deps.log, r);
            stepJournal.push({ type: 'result', result: r });
            req.onProgress?.({ type: 'action', result: r, text: describeAction(r.action) });
          },
        });
      } finally {
        // One transaction per step, also for a step an abort cut short: what was done is recorded.
        journal = undefined;
        commitChanges(deps.store, req.app, settle({ sourceRevision: req.sourceRevision, events: p.events, pods: observed.pods, journal: stepJournal, now: clock.now() }));
      }
      results.push(...stepResults);
      // A failing action would fail the same way at once: let the caller back off instead.
      if (stepResults.some((r) => !r.ok)) break;
      continue;
    }
    const open = req.waitForReady ? p.waits : p.waits.filter((w) => w.blocking);
    if (open.length === 0) break;
    // Containers refused for their settings (stuck waits) start only after a change of the
    // manifests or the host: when nothing else is left to wait for, waiting longer is pointless.
    const stuck = new Set(open.filter((w) => w.stuck).map((w) => w.key));
    if (open.every((w) => stuck.has(w.key))) break;
    req.onProgress?.({ type: 'waiting', waits: p.waits });
    if (clock.now() >= deadline) {
      return { firstPlan, results, waits: p.waits, workloads: p.workloads, timedOut: true, steps, ...ended() };
    }
    const pause = Math.min(POLL_MS, Math.max(0, deadline - clock.now()));
    if (deps.readiness?.changed) await deps.readiness.changed(pause, req.signal);
    else await clock.sleep(pause, req.signal);
  }
  const p = last ?? firstPlan!;
  return { firstPlan: firstPlan!, results, waits: p.waits, workloads: p.workloads, timedOut: false, steps, ...ended() };
}

/**
 * The host's pod keeper (apply/keeper.ts), made or updated by every pass of every app, so pods
 * come back in order after an engine restart with no berth process running. Never fails the pass:
 * pods run without it; only their recovery from an engine restart waits for the next pass.
 */
async function keepPods(deps: PassDeps): Promise<true> {
  try {
    const outcome = await ensureKeeper(deps.docker, deps.plane.images);
    if (outcome !== 'unchanged') deps.log.info({ outcome }, 'pod keeper ready');
  } catch (err) {
    deps.log.warn({ err }, 'could not make the pod keeper');
  }
  return true;
}

/**
 * Terminations no process here runs (the one that began them exited or restarted): seen to their
 * end from the store's deadline, never begun again (plan/terminating.ts).
 */
function adoptTerminations(deps: PassDeps, app: string, ctx: PodContext, pods: readonly ObservedPod[]): void {
  const hooks = deps.plane.services.hooks(deps.hooks);
  for (const pod of pods) {
    if (!pod.terminating || deps.plane.terminations.has(pod.key)) continue;
    const deadline = pod.terminating.deadline ?? pod.terminating.since + (pod.gracePeriodSeconds ?? DEFAULT_GRACE_SECONDS) * 1000;
    runTermination(deps, app, pod.key, async (signalled, signal) => {
      signalled();
      await awaitPodTermination(ctx, pod, deadline, hooks, signal);
    });
  }
}

/** subPath/hostPath binds of pods that are gone (a deletion cut short); never fails the pass. */
async function pruneStaleMounts(deps: PassDeps, app: string, observed: ObservedState): Promise<void> {
  try {
    await pruneSafeMounts({}, app, new Set(observed.pods.map((p) => `${p.namespace}/${p.name}`)));
  } catch (err) {
    deps.log.warn({ err }, 'could not remove the subPath mounts of deleted pods');
  }
}

/** The app as a pass plans against it: probed when this process probes, lost volume files looked for. */
export function observeApp(deps: PassDeps, app: string, previousInventory?: readonly InventoryEntry[]): Promise<Observation> {
  return observe(deps, {
    app,
    detail: deps.readiness?.track ? 'probed' : false,
    volumeFiles: true,
    ...(deps.exitedPods ? { inspectPods: deps.exitedPods } : {}),
    ...(deps.readiness ? { readiness: deps.readiness } : {}),
    ...(previousInventory ? { inventory: previousInventory } : {}),
  });
}

function logResult(log: Logger, r: ActionResult): void {
  const a = r.action;
  if (r.ok) log.info({ action: a.type, key: a.key, ms: r.durationMs }, 'action done');
  else log.error({ err: r.error, action: a.type, key: a.key }, 'action failed');
}

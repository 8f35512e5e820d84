import { describeAction } from '../apply/execute.js';
import { readHostNode } from './node-facts.js';
import { buildDesiredState } from '../plan/desired.js';
import { plan } from '../plan/plan.js';
import { changedBySource } from '../plan/source-changes.js';
import { keptByApply } from '../plan/additive.js';
import { liftReplicaOverrides, replicaOverrides, withReplicaOverrides } from '../plan/overrides.js';
import { appDivergences, pauseOverrides } from '../plan/divergences.js';
import type { DiffReport, DivergenceItem } from '../report/render/report.js';
import { createDiffReport } from '../report/render/report.js';
import type { ValidateOptions } from '../manifests/index.js';
import { validateRevision } from '../manifests/index.js';
import type { Problem } from '../model/problem.js';
import { hasErrors } from '../model/problem.js';
import { edgeSettings } from '../model/policy.js';
import type { AnyObject, Resource } from '../model/types.js';
import type { Revision } from '../model/revision.js';
import type { PassDeps } from './pass/index.js';
import { observe } from './observe.js';
import { appHashKeys } from './host-key.js';
import { sourceRevisionOf } from '../model/source-revision.js';
import { effectiveDesired } from '../plan/rollouts/effective.js';
import type { Workload } from '../plan/desired.js';
import { hasRollouts } from '../plan/desired.js';
import { deploymentKeys, readRolloutState } from './rollout-state.js';
import { withStatefulSetClaims } from '../plan/controllers/statefulset-claims.js';
import { effectiveDeployments } from './views/live.js';
import { settleVolumeBindings } from './volume-bindings.js';
import type { Backend } from './compose.js';
import { swarmDrift } from './swarm/drift.js';
import { withSwarmProblems } from './swarm/pass.js';

export interface LiveDiffRequest {
  app: string;
  revision: Revision;
  validate?: ValidateOptions;
  /** Show what the manifests dropped as deletions (what `apply --prune` would do). */
  prune: boolean;
}

export interface LiveDiffResult {
  valid: boolean;
  problems: Problem[];
  report?: DiffReport;
}

/**
 * `berth diff -f PATH` and the API's diff: the revision against what berth last applied
 * (the inventory, field by field, secrets redacted), plus drift: what the planner would repair
 * on the host for resources the manifests did not change. Read-only: no lease needed.
 */
export async function liveDiff(deps: Pick<PassDeps, 'docker' | 'store' | 'clock' | 'random'> & { backend?: Backend }, req: LiveDiffRequest): Promise<LiveDiffResult> {
  const inventory = deps.store.getInventory(req.app);
  // Validated against the app it joins, as apply validates it (plan/additive.ts keptByApply).
  const swarm = deps.backend?.kind === 'swarm' ? deps.backend : undefined;
  const checked = validateRevision(req.revision.files, { ...req.validate, kept: keptByApply(inventory, { prune: req.prune }), ...(swarm ? { backend: 'swarm' as const } : {}) });
  const { resources: validated, problems } = swarm && !hasErrors(checked.problems) ? withSwarmProblems(checked, req.app, appHashKeys(deps.store, req.app).template) : checked;
  if (hasErrors(problems)) return { valid: false, problems };
  const overrides = deps.store.listDeploymentOverrides(req.app);
  const replicas = liftReplicaOverrides(validated, inventory, replicaOverrides(overrides)).kept;
  // With the claims StatefulSets make, as a pass adds them (plan/controllers/statefulset-claims.ts).
  const resources = withStatefulSetClaims(validated, inventory, replicas, req.prune).resources;
  const desiredKeys = new Set(resources.map((r) => r.key));
  const before: Resource[] = inventory
    .filter((e) => req.prune || desiredKeys.has(e.key))
    .map((e) => ({ key: e.key, object: e.object as AnyObject, source: { file: '(applied)', line: 0, column: 0 } }));
  const lastApplied = deps.store.getSourceStatus(req.app)?.lastApplied?.revision ?? 'live';
  // The same observation a pass plans on, readiness included (a probed pod a prober recorded
  // not ready is not ready here either), so the drift shown is the repair a pass would make.
  // What applying this revision would converge to, as its pass decides it (the store changes
  // it would commit are ignored): a pin by `rollout undo` or a rolled-back template stays in
  // force for the revision they were made under, so neither is drift. A scale holds for the
  // objects this revision leaves as they were applied (plan/overrides.ts).
  // The node as the pass would read it: the same name, labels and taints for placement, volumes and the downward API.
  const hostNode = swarm ? undefined : await readHostNode(deps.docker, req.validate?.hostPolicy);
  const desired = buildDesiredState(withReplicaOverrides(resources, replicas), { hashKey: appHashKeys(deps.store, req.app).template, ...(hostNode ? { node: hostNode.facts } : {}) });
  const sourceRevision = sourceRevisionOf(deps.store.getSourceStatus(req.app), inventory, req.revision);
  const { desired: effective, divergences: rollouts } = effectiveDesired(desired, readRolloutState(deps.store, req.app, deploymentKeys(desired)), { sourceRevision, changed: changedBySource(resources, inventory) });
  // Whether a Deployment's pods are replaced is decided on the template that runs now (a pin
  // or rollback of the inventory's) against the one applying runs, not on the manifests: undo
  // to what the source now says replaces nothing, though the manifest changed.
  const replacesPods = podReplacements(effective.workloads, effectiveDeployments(deps.store, req.app, inventory).hashes);
  const report = createDiffReport({
    from: { id: lastApplied, origin: `live host (app ${req.app})` },
    to: { id: req.revision.id, origin: req.revision.origin },
    before,
    after: resources,
    replacesPods,
    // The ports the pass would serve on: the flags', else where the app last put its routes.
    edge: edgeSettings(req.validate?.hostPolicy?.edge ? req.validate.hostPolicy : deps.store.getAppliedPolicy(req.app)),
  });
  if (swarm || !hostNode) {
    // On a Swarm, drift is what a pass would change there: services, configs and networks.
    const drift = (await swarmDrift(deps.docker, req.app, effective, swarm!)).filter((d) => !report.changes.some((c) => c.key === d.key));
    return { valid: true, problems, report: { ...report, ...(drift.length ? { drift } : {}) } };
  }
  const host = await observe(deps, { app: req.app, volumeFiles: true, inventory });
  // Claims bound as the pass would bind them (nothing recorded): drift is what a pass would repair.
  const observed = { ...host, storage: await settleVolumeBindings(deps, req.app, effective, host, { dryRun: true, prune: req.prune, now: deps.clock.now(), node: hostNode.node }) };
  const step = plan(effective, observed, {
    now: deps.clock.now(),
    random: deps.random,
    prune: req.prune,
    node: hostNode.node,
  });
  const changed = new Set(report.changes.map((c) => c.key));
  // Changed resources already explain their own actions; what remains is the host drifting.
  const drift = step.actions
    .filter((a) => !changed.has(a.key) && !(a.type === 'create-network' && report.changes.some((c) => c.action === 'create' && (c.namespace === a.namespace || c.name === a.namespace))))
    .map((a) => ({ key: a.key, action: a.type, message: describeAction(a) }));
  // What applying keeps on purpose, from the same effectiveDesired and overrides the plan used:
  // a pin or rollback (with its revision), a scale and a pause, the list the sync state is
  // decided on, so "no differences" is not read as "runs the source".
  const divergences: DivergenceItem[] = appDivergences({ rollouts, resources, replicas, paused: pauseOverrides(overrides) }).map((d) => ({
    deployment: d.deployment,
    reason: d.reason,
    ...('revision' in d ? { revision: d.revision } : {}),
    message: d.message,
  }));
  return { valid: true, problems, report: { ...report, ...(drift.length ? { drift } : {}), ...(divergences.length ? { divergences } : {}) } };
}

/**
 * Whether applying replaces the pods of each workload with a rollout history (Deployment,
 * DaemonSet, StatefulSet), from the template it runs now (`runs`, a pin by `rollout undo`
 * included) against the one applying would run.
 */
export function podReplacements(workloads: readonly Workload[], runs: ReadonlyMap<string, string>): Map<string, boolean | 'paused'> {
  const replacesPods = new Map<string, boolean | 'paused'>();
  for (const w of workloads) {
    const now = runs.get(w.key);
    if (!(hasRollouts(w) || w.kind === 'StatefulSet') || now === undefined) continue;
    // Paused (by `rollout pause` too, which the manifest does not say): nothing rolls.
    replacesPods.set(w.key, now === w.template.hash ? false : w.kind === 'Deployment' && w.paused ? 'paused' : true);
  }
  return replacesPods;
}

import { readHostNode } from '../node-facts.js';
import type { DesiredState } from '../../plan/desired.js';
import { buildDesiredState } from '../../plan/desired.js';
import type { ValidateOptions } from '../../manifests/index.js';
import { validateRevision } from '../../manifests/index.js';
import type { SwarmOutcome } from '../swarm/converge.js';
import { convergeOnSwarm, withSwarmProblems } from '../swarm/pass.js';
import { assertNotOnSwarm, assertSwarmTarget } from '../swarm/backend-guard.js';
import { BerthError } from '../../model/errors.js';
import type { HostPolicy } from '../../model/policy.js';
import { DEFAULT_HOST_POLICY } from '../../model/policy.js';
import type { Problem } from '../../model/problem.js';
import { hasErrors } from '../../model/problem.js';
import type { AnyObject, Resource } from '../../model/types.js';
import type { Revision } from '../../model/revision.js';
import { sourceRevisionOf } from '../../model/source-revision.js';
import type { Divergence } from '../../plan/rollouts/state.js';
import type { StoreChange } from '../../plan/store-changes.js';
import { changedBySource } from '../../plan/source-changes.js';
import { liftReplicaOverrides, replicaOverrides, withReplicaOverrides } from '../../plan/overrides.js';
import { appHashKeys } from '../host-key.js';
import { consumeIntents } from '../intents.js';
import { commitChanges } from '../commit.js';
import type { InventoryEntry } from '../store/index.js';
import type { PassDeps, ProgressEvent, ReconcileOutcome } from './reconcile.js';
import { observeApp, reconcile } from './reconcile.js';
import type { ResourceChange } from '../../plan/inventory.js';
import { recordInventory, resourceChanges } from '../../plan/inventory.js';
import { additiveSet, keptByApply } from '../../plan/additive.js';
import type { PruneScope } from '../../model/prune-scope.js';
import { claimInventoryChanges, withStatefulSetClaims } from '../../plan/controllers/statefulset-claims.js';
import { sealDeletedLegacyHashes } from './legacy-hashes.js';
import { assertInventoryAllowed, policyInForce, withRecordedEdge } from './policy.js';
import { statusAfter } from './status.js';
import { appDivergences, pauseOverrides } from '../../plan/divergences.js';
import { issuedSecrets } from '../../plan/certificate-secrets.js';
import { forgetStaleCertificates } from '../certificate-records.js';

export type { PassDeps, ProgressEvent, ReconcileOutcome } from './reconcile.js';
export type { ChangeKind, ResourceChange } from '../../plan/inventory.js';
export { resourceChanges } from '../../plan/inventory.js';
export { assertInventoryAllowed, policyInForce, problemLines } from './policy.js';

/** What a pass converges the app to. */
export type PassTarget =
  | {
      /** A revision from the source or the command line: validated, then applied and recorded. */
      kind: 'revision';
      revision: Revision;
      validate?: ValidateOptions;
      /** A revision with no resources may prune everything only when this is set (SPEC §6). */
      allowEmpty?: boolean;
      /**
       * Record an invalid revision in the source status (Failed, lastFailedRevision), as the
       * daemon does for its source (default). A command's apply reports problems to the
       * command instead: they are not the source's.
       */
      recordInvalid?: boolean;
      /** The per-resource summary, known before anything is executed. */
      onChanges?: (changes: ResourceChange[]) => void;
      /**
       * Asked once the per-resource changes are known, before anything is recorded or executed:
       * 0 goes on; N > 0 ends the pass at once with `deferred: N`, applying and recording nothing
       * (the daemon holds back a folder revision that would prune until the folder stays quiet).
       */
      confirm?: (changes: readonly ResourceChange[]) => number;
    }
  | {
      /**
       * What the app last applied, as recorded in the inventory, under the current overrides:
       * what `rollout undo|restart|pause|resume` and `scale` run after recording their change,
       * so the host follows at once without a new revision; and the daemon's pass when the
       * source has nothing new.
       */
      kind: 'applied';
      /**
       * The host policy this pass runs under: for stored templates it brings back (a pin, a
       * rollback target), hostPath resolution and probes. Default: policyInForce (the policy the
       * app was last applied with).
       */
      hostPolicy?: HostPolicy;
      /**
       * Hold every object of the inventory to `hostPolicy` first (POLICY_DENIED, nothing changed):
       * for the daemon, whose policy may have narrowed since the app was applied. Commands that
       * bring no new template (restart, pause, scale) leave it off: what they converge was
       * admitted when it was applied.
       */
      holdInventoryToPolicy?: boolean;
    };

export interface PassRequest {
  app: string;
  target: PassTarget;
  /**
   * Objects the daemon generates rather than reads from the source (Jobs a CronJob started):
   * desired like the revision's own, so their pods are kept and healed, but not part of the
   * revision's inventory summary.
   */
  extraResources?: readonly Resource[];
  prune: boolean;
  /** What a prune of a revision may delete (`-l`, `--prune-allowlist`); absent: every object of the app not in it. */
  pruneScope?: PruneScope;
  dryRun?: boolean;
  waitForReady: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
}

export interface PassResult {
  /** The revision applied; for a pass over what was applied, the one it runs under (origin `inventory`). */
  revision: { id: string; origin: string };
  problems: Problem[];
  valid: boolean;
  resources: Resource[];
  desired?: DesiredState;
  changes: ResourceChange[];
  converge?: ReconcileOutcome;
  /** What the pass did on a Swarm (--backend swarm), instead of `converge`. */
  swarm?: SwarmOutcome;
  /** Actions failed, deadline passed, a rollout failed, or deferred: the pass did not reach the revision. */
  ok: boolean;
  /** `confirm` asked to wait this many ms: nothing was applied or recorded (not a failure). */
  deferred?: number;
  /** Deployments whose rollout missed its progress deadline in this pass (rolled back when possible). */
  rolloutsFailed: string[];
  /** Deployments running something other than the source's template, and why. */
  divergences: Divergence[];
}

/**
 * One reconcile pass: act on the commands' intents, take the target (a revision is validated
 * first: nothing is applied from an invalid one; total prunes are guarded), record what is being
 * applied, reconcile the host to it, then record how it went. A dry run plans and writes nothing.
 */
export async function runPass(deps: PassDeps, req: PassRequest): Promise<PassResult> {
  const t = req.target;
  // The policy of this pass: what stored templates are re-checked against, where hostPath
  // volumes are resolved from (apply/volumes) and which registries on the host may be pulled.
  const policy = t.kind === 'revision' ? withRecordedEdge(deps.store, req.app, t.validate?.hostPolicy) : policyInForce(deps.store, req.app, t.hostPolicy);
  const commit = (changes: readonly StoreChange[]) => {
    if (!req.dryRun) commitChanges(deps.store, req.app, changes);
  };
  // What commands asked of the app comes first: this pass holds the lease and acts on it.
  if (!req.dryRun) consumeIntents(deps.store, req.app, policy ?? DEFAULT_HOST_POLICY);
  const revision = t.kind === 'revision' ? { id: t.revision.id, origin: t.revision.origin } : undefined;
  const inventory = deps.store.getInventory(req.app);
  // An apply is checked against the app it joins (plan/additive.ts): references to objects applied before resolve.
  const scope = { prune: req.prune, ...(req.pruneScope ? { scope: req.pruneScope } : {}) };
  const checked = t.kind === 'revision' ? validateRevision(t.revision.files, { ...t.validate, kept: keptByApply(inventory, scope), backend: deps.plane.backend.kind }) : { resources: inventory.map(appliedResource), problems: [] };
  // On a Swarm, what Swarm cannot run is refused with validation's problems, before anything is recorded.
  const validated = deps.plane.backend.kind === 'swarm' && !hasErrors(checked.problems) ? withSwarmProblems(checked, req.app, appHashKeys(deps.store, req.app).template) : checked;
  const { problems } = validated;
  if (revision && hasErrors(problems)) {
    const resources = validated.resources;
    const message = `revision ${revision.id.slice(0, 12)} is invalid; nothing from it was applied`;
    if (t.kind === 'revision' && t.recordInvalid !== false) commit([{ type: 'update-source-status', patch: { syncState: 'Failed', lastFailedRevision: revision.id, lastError: { message, problems } } }]);
    return { revision, problems, valid: false, resources, changes: [], ok: false, rolloutsFailed: [], divergences: [] };
  }
  if (t.kind === 'applied' && t.holdInventoryToPolicy && !req.dryRun) assertInventoryAllowed(req.app, inventory, policy ?? DEFAULT_HOST_POLICY);
  // Additive (plan/additive.ts): the app's objects the revision does not hold stay desired unless the prune's scope takes them.
  const additive = t.kind === 'revision' ? additiveSet(validated.resources, inventory, scope) : undefined;
  const resources = additive ? additive.resources : validated.resources;
  if (t.kind === 'revision' && additive && req.prune && resources.length === additive.kept.size && additive.pruned > 0 && !t.allowEmpty)
    throw new BerthError('USAGE', `the revision has no resources; pruning would delete all ${additive.pruned} objects of app ${req.app}${req.pruneScope ? ' it selects' : ''}`, {
      app: req.app,
      hint: 'pass --allow-empty if deleting everything is intended',
    });
  const sourceRevision = sourceRevisionOf(deps.store.getSourceStatus(req.app), inventory, revision);
  // A changed object lifts the replica count `berth scale` set for it (D2); dry runs plan the same.
  const stored = deps.store.listDeploymentOverrides(req.app);
  const overrides = replicaOverrides(stored);
  const replicas = t.kind === 'revision' ? liftReplicaOverrides(resources, inventory, overrides) : { changes: [], kept: overrides };
  // StatefulSets' claims join the resources here, so they are applied, recorded and pruned as
  // claims written in a manifest are (plan/controllers/statefulset-claims.ts).
  const claims = withStatefulSetClaims(resources, inventory, replicas.kept, req.prune);
  const all = claims.resources;
  const changes = t.kind === 'revision' ? resourceChanges(all, inventory, req.prune).filter((c) => !additive?.kept.has(c.key)) : [];
  const deferred = t.kind === 'revision' ? (t.confirm?.(changes) ?? 0) : 0;
  if (deferred > 0) return { revision: revision!, problems, valid: true, resources, changes, ok: false, deferred, rolloutsFailed: [], divergences: [] };
  if (t.kind === 'revision') t.onChanges?.(changes);
  // A Swarm that cannot take the app (not a manager; the app runs here as one host) refuses
  // before anything is recorded.
  if (deps.plane.backend.kind === 'swarm') await assertSwarmTarget(deps.docker, req.app);
  // Written ahead, in one transaction: the inventory is what berth has applied, and objects of
  // this revision may exist from the first step on, so a pass killed halfway leaves no orphans
  // and commands that read it (rollout, scale, get) see a revision that is still rolling out.
  // The policy is what the inventory was admitted under (rollout and scale converge it again
  // under it). The revision counts as applied from here on, even if this pass is cut short: a
  // later pass over the inventory finishes its rollouts, and status must name what runs.
  commit([
    ...replicas.changes,
    ...(revision ? [recordInventory(all, inventory, { prune: req.prune, sourceRevision: revision.id })] : []),
    ...claimInventoryChanges(revision ? [] : all, inventory, claims.drop, sourceRevision),
    { type: 'record-applied-policy', policy: policy ?? DEFAULT_HOST_POLICY },
    ...(revision ? [{ type: 'update-source-status' as const, patch: { lastAppliedRevision: revision.id } }] : []),
  ]);
  // Certificates and issuers no longer in the inventory take their keys along (CLI passes too).
  if (!req.dryRun) forgetStaleCertificates(deps.store, req.app);
  // A pin lasts until the source changes its object (plan/source-changes.ts), not until any new revision.
  const changed = t.kind === 'revision' ? changedBySource(all, inventory) : undefined;
  const result = await converge(deps, req, { resources: all, sourceRevision, previousInventory: inventory, replicas: replicas.kept, ...(policy ? { policy } : {}), ...(changed ? { changed } : {}) });
  commit([
    ...(result.desired && result.converge ? sealDeletedLegacyHashes(result.desired, result.converge.results, deps.store, req.app) : []),
    // Decided on every divergence (a scale or a pause as a pin), as status and the live diff list them.
    { type: 'update-source-status', patch: statusAfter(deps.store.getSourceStatus(req.app), revision?.id, { ...result, converge: result.converge ?? result.swarm, divergences: appDivergences({ rollouts: result.divergences, resources: all, replicas: replicas.kept, paused: pauseOverrides(stored) }) }) },
  ]);
  return { revision: revision ?? { id: sourceRevision, origin: 'inventory' }, problems, valid: true, resources, changes, ...result };
}

type Converged = Pick<PassResult, 'desired' | 'converge' | 'swarm' | 'ok' | 'rolloutsFailed' | 'divergences'>;

async function converge(
  deps: PassDeps,
  req: PassRequest,
  o: {
    resources: readonly Resource[];
    sourceRevision: string;
    previousInventory: readonly InventoryEntry[];
    /** Replica counts `berth scale` set that hold for this pass (plan/overrides.ts). */
    replicas: ReadonlyMap<string, number>;
    policy?: HostPolicy;
    /** The objects the revision changes: their pins are lifted. */
    changed?: ReadonlySet<string>;
  },
): Promise<Converged> {
  const resources = withReplicaOverrides(o.resources, o.replicas);
  if (deps.plane.backend.kind === 'swarm')
    return convergeOnSwarm(deps, { ...req, extraResources: [...(req.extraResources ?? []), ...issuedSecrets(o.resources, deps.store.listCertificates(req.app))] }, resources, deps.plane.backend, { sourceRevision: o.sourceRevision, policy: o.policy ?? DEFAULT_HOST_POLICY, ...(o.changed ? { changed: o.changed } : {}) });
  // The first observation is read while the node is (issue 18: two Docker round trips in a row
  // on the way to a heal's first action, `info` as slow as the list at 1,000 pods). A dry run
  // too. Its failure is the first step's to report, not an unhandled rejection meanwhile.
  const firstObservation = observeApp(deps, req.app, o.previousInventory);
  firstObservation.catch(() => undefined);
  // The node is read once for the whole pass, so every decision in it sees the same one.
  const host = await readHostNode(deps.docker, o.policy);
  if (host.swarmManager) await assertNotOnSwarm(deps.docker, req.app);
  // Generated objects: the daemon's (CronJob Jobs) and the Secrets of issued certificates (design §3.2).
  const extra = [...(req.extraResources ?? []), ...issuedSecrets(o.resources, deps.store.listCertificates(req.app))];
  const desired = buildDesiredState(extra.length ? [...resources, ...extra] : resources, { hashKey: appHashKeys(deps.store, req.app).template, node: host.facts });
  const hostPathPrefixes = o.policy?.hostPathPrefixes;
  const allowedRegistries = o.policy?.allowedRegistries;
  const outcome = await reconcile(deps, {
    app: req.app,
    sourceRevision: o.sourceRevision,
    desired,
    prune: req.prune,
    waitForReady: req.waitForReady,
    timeoutMs: req.timeoutMs,
    rollouts: { policy: o.policy ?? DEFAULT_HOST_POLICY, ...(o.changed ? { changed: o.changed } : {}) },
    previousInventory: o.previousInventory,
    node: host.node,
    firstObservation,
    ...(hostPathPrefixes ? { hostPathPrefixes } : {}),
    ...(allowedRegistries ? { allowedRegistries } : {}),
    ...(req.dryRun ? { dryRun: true } : {}),
    ...(req.signal ? { signal: req.signal } : {}),
    ...(req.onProgress ? { onProgress: req.onProgress } : {}),
  });
  const failed = outcome.results.some((r) => !r.ok);
  const { rolloutsFailed, divergences } = outcome;
  return { desired, converge: outcome, ok: !failed && !outcome.timedOut && rolloutsFailed.length === 0, rolloutsFailed, divergences };
}

/** An object of the inventory, as the resource a pass over what was applied converges. */
function appliedResource(e: InventoryEntry): Resource {
  return { key: e.key, object: e.object as AnyObject, source: { file: '(applied)', line: 0, column: 0 } };
}

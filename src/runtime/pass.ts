import { buildDesiredState } from '../plan/desired.js';
import type { DesiredState } from '../plan/desired.js';
import type { ValidateOptions } from '../manifests/index.js';
import { validateRevision } from '../manifests/index.js';
import { BerthError } from '../model/errors.js';
import { sealLegacyTemplateHash, specHash } from '../model/hash.js';
import type { ActionResult } from '../apply/execute.js';
import type { HostPolicy } from '../model/policy.js';
import { DEFAULT_HOST_POLICY } from '../model/policy.js';
import { storedObjectRefusal } from '../model/pod-policy.js';
import type { Problem } from '../model/problem.js';
import { hasErrors } from '../model/problem.js';
import type { AnyObject, Resource } from '../model/types.js';
import type { Revision } from '../model/revision.js';
import { appHashKeys } from './host-key.js';
import type { ConvergeDeps, ConvergeOutcome, ProgressEvent } from './converge.js';
import { converge } from './converge.js';
import type { Divergence } from '../plan/rollouts/state.js';
import { sourceRevisionOf } from '../model/source-revision.js';
import { consumeIntents } from './intents.js';
import { commitChanges } from './commit.js';
import { liftReplicaOverrides, replicaOverrides, withReplicaOverrides } from '../plan/overrides.js';
import type { InventoryEntry, SourceStatus, SourceStatusPatch, Store, SyncState } from './store/index.js';

export interface PassRequest {
  app: string;
  revision: Revision;
  validate?: ValidateOptions;
  /**
   * Objects the daemon generates rather than reads from the source (Jobs a CronJob started):
   * desired like the revision's own, so their pods are kept and healed, but not part of the
   * revision's inventory summary.
   */
  extraResources?: readonly Resource[];
  prune: boolean;
  /** A revision with no resources may prune everything only when this is set (SPEC §6). */
  allowEmpty?: boolean;
  dryRun?: boolean;
  waitForReady: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /** The per-resource summary, known before anything is executed. */
  onChanges?: (changes: ResourceChange[]) => void;
  /**
   * Asked once the per-resource changes are known, before anything is recorded or executed:
   * 0 goes on; N > 0 ends the pass at once with `deferred: N`, applying and recording nothing
   * (the daemon holds back a folder revision that would prune until the folder stays quiet).
   */
  confirm?: (changes: readonly ResourceChange[]) => number;
}

export type ChangeKind = 'created' | 'configured' | 'unchanged' | 'pruned' | 'orphaned';

/** kubectl's per-object apply result (`deployment.apps/web configured`). */
export interface ResourceChange {
  key: string;
  kind: string;
  namespace: string;
  name: string;
  change: ChangeKind;
}

export interface PassResult {
  revision: { id: string; origin: string };
  problems: Problem[];
  valid: boolean;
  resources: Resource[];
  desired?: DesiredState;
  changes: ResourceChange[];
  converge?: ConvergeOutcome;
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
 * One reconcile pass over a revision: build+validate (nothing is applied from an invalid
 * revision), guard against accidental total prunes, converge, then record the inventory and
 * the source status in one transaction.
 */
export async function runPass(deps: ConvergeDeps, req: PassRequest): Promise<PassResult> {
  const revision = { id: req.revision.id, origin: req.revision.origin };
  // What commands asked of the app comes first: this pass holds the lease and acts on it.
  if (!req.dryRun) consumeIntents(deps.store, req.app, req.validate?.hostPolicy ?? DEFAULT_HOST_POLICY);
  const { resources, problems } = validateRevision(req.revision.files, req.validate);
  if (hasErrors(problems)) {
    if (!req.dryRun)
      deps.store.updateSourceStatus(req.app, {
        syncState: 'Failed',
        lastFailedRevision: revision.id,
        lastError: { message: `revision ${revision.id.slice(0, 12)} is invalid; nothing from it was applied`, problems },
      });
    return { revision, problems, valid: false, resources, changes: [], ok: false, rolloutsFailed: [], divergences: [] };
  }
  const inventory = deps.store.getInventory(req.app);
  if (req.prune && resources.length === 0 && inventory.length > 0 && !req.allowEmpty)
    throw new BerthError('USAGE', `the revision has no resources; pruning would delete all ${inventory.length} objects of app ${req.app}`, {
      app: req.app,
      hint: 'pass --allow-empty if deleting everything is intended',
    });
  const changes = resourceChanges(resources, inventory, req.prune);
  const deferred = req.confirm?.(changes) ?? 0;
  if (deferred > 0) return { revision, problems, valid: true, resources, changes, ok: false, deferred, rolloutsFailed: [], divergences: [] };
  req.onChanges?.(changes);
  // A changed object lifts the replica count `berth scale` set for it (D2); dry runs plan the same.
  const replicas = liftReplicaOverrides(resources, inventory, replicaOverrides(deps.store.listDeploymentOverrides(req.app)));
  if (!req.dryRun) commitChanges(deps.store, req.app, replicas.changes);
  // The inventory is what berth has applied, and objects of this revision may exist from the
  // first step on: record it before converging, so a pass killed halfway leaves no orphans and
  // commands that read it (rollout, scale, get) see a revision that is still rolling out.
  if (!req.dryRun) {
    recordInventory(deps, req, resources, inventory);
    // What the inventory was admitted under: rollout and scale converge it again under it.
    deps.store.recordAppliedPolicy(req.app, req.validate?.hostPolicy ?? DEFAULT_HOST_POLICY);
    // Applied from here on, even if this pass is cut short: a later pass over the inventory
    // finishes this revision's rollouts, and status must name the revision that runs.
    deps.store.updateSourceStatus(req.app, { lastAppliedRevision: revision.id });
  }
  const sourceRevision = sourceRevisionOf(deps.store.getSourceStatus(req.app), inventory, revision);
  const result = await convergeResources(deps, { ...req, resources, sourceRevision, previousInventory: inventory, replicas: replicas.kept });
  if (!req.dryRun) deps.store.updateSourceStatus(req.app, statusAfter(deps.store.getSourceStatus(req.app), revision.id, result));
  return { revision, problems, valid: true, resources, changes, ...result };
}

export interface InventoryPassRequest extends Omit<PassRequest, 'revision' | 'validate' | 'allowEmpty' | 'onChanges' | 'confirm'> {
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
}

/**
 * The host policy a command that converges an app's inventory runs under: the policy flags it
 * was given, else the policy the app was last applied with (recorded by every pass), else the
 * default policy (apps applied before berth recorded it).
 */
export function policyInForce(store: Pick<Store, 'getAppliedPolicy'>, app: string, explicit?: HostPolicy): HostPolicy {
  return explicit ?? store.getAppliedPolicy(app) ?? DEFAULT_HOST_POLICY;
}

/**
 * Converges what the app last applied, as recorded in the inventory, under the current
 * overrides: what `rollout undo|restart|pause|resume` and `scale` run after recording their
 * change, so the host follows at once without a new revision; and the daemon's pass when the
 * source has nothing new. Records the policy it ran under, as runPass does.
 */
export async function runInventoryPass(deps: ConvergeDeps, req: InventoryPassRequest): Promise<PassResult> {
  const hostPolicy = policyInForce(deps.store, req.app, req.hostPolicy);
  if (!req.dryRun) consumeIntents(deps.store, req.app, hostPolicy);
  const inventory = deps.store.getInventory(req.app);
  if (!req.dryRun && req.holdInventoryToPolicy) assertInventoryAllowed(req.app, inventory, hostPolicy);
  const resources: Resource[] = inventory.map((e) => ({ key: e.key, object: e.object as AnyObject, source: { file: '(applied)', line: 0, column: 0 } }));
  const sourceRevision = sourceRevisionOf(deps.store.getSourceStatus(req.app), inventory);
  if (!req.dryRun) deps.store.recordAppliedPolicy(req.app, hostPolicy);
  const replicas = replicaOverrides(deps.store.listDeploymentOverrides(req.app));
  const result = await convergeResources(deps, { ...req, hostPolicy, resources, sourceRevision, replicas });
  if (!req.dryRun) deps.store.updateSourceStatus(req.app, { syncState: syncState(result) });
  return { revision: { id: sourceRevision, origin: 'inventory' }, problems: [], valid: true, resources, changes: [], ...result };
}

/**
 * POLICY_DENIED when `policy` refuses an object of the inventory, one problem per line: the
 * daemon's inventory passes, whose policy may be narrower than the one the app was applied with.
 */
export function assertInventoryAllowed(app: string, inventory: readonly InventoryEntry[], policy: HostPolicy): void {
  const refused = inventory.flatMap((e) => storedObjectRefusal(e.object, policy).map((m) => `${e.key}: ${m}`));
  if (refused.length > 0)
    throw new BerthError('POLICY_DENIED', `this host's policy refuses what app ${app} last applied; nothing was changed:${problemLines(refused)}`, {
      app,
      refused,
      hint: 'apply a revision the policy allows, or run berth with the host-policy flags that allowed it (docs/security.md)',
    });
}

/** Policy problems under a one-line summary: one indented line each, never one long line. */
export function problemLines(lines: readonly string[]): string {
  return lines.map((l) => `\n  ${l}`).join('');
}

type ConvergedResult = Pick<PassResult, 'desired' | 'converge' | 'ok' | 'rolloutsFailed' | 'divergences'>;

async function convergeResources(
  deps: ConvergeDeps,
  req: Omit<PassRequest, 'revision'> & {
    resources: readonly Resource[];
    sourceRevision: string;
    previousInventory?: readonly InventoryEntry[];
    hostPolicy?: HostPolicy;
    /** Replica counts `berth scale` set that hold for this pass (plan/overrides.ts). */
    replicas: ReadonlyMap<string, number>;
  },
): Promise<ConvergedResult> {
  const resources = withReplicaOverrides(req.resources, req.replicas);
  const desired = buildDesiredState(req.extraResources?.length ? [...resources, ...req.extraResources] : resources, { hashKey: appHashKeys(deps.store, req.app).template });
  // The policy of this pass: what stored templates are re-checked against, where hostPath
  // volumes are resolved from (apply/volumes) and which registries on the host may be pulled.
  const policy = req.hostPolicy ?? req.validate?.hostPolicy;
  const hostPathPrefixes = policy?.hostPathPrefixes;
  const allowedRegistries = policy?.allowedRegistries;
  const outcome = await converge(deps, {
    app: req.app,
    sourceRevision: req.sourceRevision,
    desired,
    prune: req.prune,
    waitForReady: req.waitForReady,
    timeoutMs: req.timeoutMs,
    rollouts: { policy: policy ?? DEFAULT_HOST_POLICY },
    ...(req.previousInventory ? { previousInventory: req.previousInventory } : {}),
    ...(hostPathPrefixes ? { hostPathPrefixes } : {}),
    ...(allowedRegistries ? { allowedRegistries } : {}),
    ...(req.dryRun ? { dryRun: true } : {}),
    ...(req.signal ? { signal: req.signal } : {}),
    ...(req.onProgress ? { onProgress: req.onProgress } : {}),
  });
  deps.store.sealLegacyHashesInMessages(req.app, Buffer.from(desired.hashKey), legacyHashesNamed(desired, outcome.results, deps.store, req.app));
  const failed = outcome.results.some((r) => !r.ok);
  const { rolloutsFailed, divergences } = outcome;
  return {
    desired,
    converge: outcome,
    ok: !failed && !outcome.timedOut && rolloutsFailed.length === 0,
    rolloutsFailed,
    divergences,
  };
}

/**
 * The legacy (unkeyed) pod-template hashes in the names of Deployment pods this pass deleted:
 * pods an older berth named, replaced by the one-time roll to keyed names (issue 11). A name's
 * hash is legacy when it is the legacy hash of the Deployment's template, or when its sealed
 * form is one the rollout history holds (store/host-key.ts sealed it there).
 */
function legacyHashesNamed(desired: DesiredState, results: readonly ActionResult[], store: ConvergeDeps['store'], app: string): string[] {
  const out = new Set<string>();
  for (const w of desired.workloads) {
    if (w.kind !== 'Deployment') continue;
    const deleted = results.flatMap((r) => (r.action.type === 'delete-pod' && r.action.key === w.key && r.action.name.startsWith(`${w.name}-`) ? [r.action.name] : []));
    if (deleted.length === 0) continue;
    const recorded = new Set(store.listRollouts(app, w.key).map((r) => r.templateHash));
    for (const name of deleted) {
      const hash = name.slice(w.name.length + 1).replace(/-[^-]+$/, '');
      if (hash === w.template.legacyHash || recorded.has(sealLegacyTemplateHash(desired.hashKey, hash))) out.add(hash);
    }
  }
  return [...out];
}

function syncState(r: ConvergedResult): SyncState {
  if (r.converge?.results.some((x) => !x.ok) || r.rolloutsFailed.length) return 'Degraded';
  // The source's template of a Deployment failed and the last good one runs: not Synced.
  if (r.divergences.some((d) => d.reason === 'rolled-back')) return 'Degraded';
  // A container refused as the kubelet's CreateContainerConfigError waits for a change, not time.
  if (r.converge?.waits.some((w) => w.stuck)) return 'Degraded';
  if (r.converge?.timedOut || r.converge?.waits.length) return 'Progressing';
  // Pinned by `rollout undo`: what runs differs from the source on purpose (SPEC §4).
  if (r.divergences.length) return 'OutOfSync';
  return 'Synced';
}

/**
 * The source status after a pass applied a valid revision. A rollback keeps the error and
 * names the revision whose template failed until a revision without one applies; an earlier
 * refused revision is history once a newer one applies.
 */
function statusAfter(current: SourceStatus | undefined, revision: string, r: ConvergedResult): SourceStatusPatch {
  const rolledBack = r.divergences.filter((d) => d.reason === 'rolled-back');
  const failedRevision = rolledBack.length ? revision : null;
  return {
    syncState: syncState(r),
    lastAppliedRevision: revision,
    lastError: rolledBack.length ? { message: rolledBack.map((d) => `${d.deployment}: ${d.message}`).join('; ') } : null,
    // Set only on change: setting a revision stamps it with the time.
    ...(current?.lastFailed?.revision !== (failedRevision ?? undefined) ? { lastFailedRevision: failedRevision } : {}),
  };
}

function recordInventory(deps: ConvergeDeps, req: PassRequest, resources: readonly Resource[], before: readonly InventoryEntry[]): void {
  const entries = resources.map((r) => ({
    key: r.key,
    kind: r.object.kind,
    namespace: r.object.metadata.namespace ?? '',
    name: r.object.metadata.name,
    specHash: specHash(r.object),
    object: r.object,
  }));
  if (req.prune) {
    deps.store.replaceInventory(req.app, entries, { sourceRevision: req.revision.id });
    return;
  }
  // Without prune, what the revision dropped still runs: it stays in the inventory so a
  // later prune (or `berth delete`) can find it.
  const keep = before.filter((e) => !resources.some((r) => r.key === e.key));
  deps.store.replaceInventory(
    req.app,
    [...entries, ...keep.map((e) => ({ key: e.key, kind: e.kind, namespace: e.namespace, name: e.name, specHash: e.specHash, object: e.object }))],
    { sourceRevision: req.revision.id },
  );
}

export function resourceChanges(resources: readonly Resource[], inventory: readonly InventoryEntry[], prune: boolean): ResourceChange[] {
  const byKey = new Map(inventory.map((e) => [e.key, e]));
  const out: ResourceChange[] = resources.map((r) => {
    const prev = byKey.get(r.key);
    const change: ChangeKind = !prev ? 'created' : prev.specHash === specHash(r.object) ? 'unchanged' : 'configured';
    return { key: r.key, kind: r.object.kind, namespace: r.object.metadata.namespace ?? '', name: r.object.metadata.name, change };
  });
  const desired = new Set(resources.map((r) => r.key));
  for (const e of inventory) {
    if (!desired.has(e.key)) out.push({ key: e.key, kind: e.kind, namespace: e.namespace, name: e.name, change: prune ? 'pruned' : 'orphaned' });
  }
  return out;
}

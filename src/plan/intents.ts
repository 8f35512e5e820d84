import type { ErrorCode } from '../model/errors.js';
import type { Intent, IntentResult, IntentSpec } from '../model/intent.js';
import { isPassIntent } from '../model/intent.js';
import type { HostPolicy } from '../model/policy.js';
import { describeViolations, podSpecPolicyViolations } from '../model/pod-policy.js';
import type { DeploymentOverride, InventoryEntry, RolloutRecord } from '../model/state.js';
import { SCALABLE_KINDS } from './overrides.js';
import type { StoreChange } from './store-changes.js';

/** What deciding an intent reads: plain data the pass reads from the store before it plans. */
export interface IntentPlanState {
  app: string;
  inventory: readonly Pick<InventoryEntry, 'key' | 'kind' | 'object'>[];
  /**
   * Each Deployment's source template hash as the pass computes it (from the whole inventory,
   * which covers the ConfigMaps and Secrets the template uses): what a restart is recorded
   * against, so a new source template supersedes it.
   */
  sourceTemplateHashes: ReadonlyMap<string, string>;
  /** Rollout history per Deployment, oldest first. */
  rollouts: ReadonlyMap<string, readonly RolloutRecord[]>;
  /** Templates marked failed (automatic rollback), per Deployment. */
  failedTemplates: ReadonlyMap<string, ReadonlySet<string>>;
  overrides: readonly DeploymentOverride[];
  /** The source revision the passes compare a pin with (runtime/rollouts.ts appliedSourceRevision). */
  sourceRevision: string | undefined;
  /** The policy of the pass acting on the intent: a template undo brings back must pass it. */
  policy?: HostPolicy;
}

export interface PlannedIntent {
  intent: Intent;
  result: IntentResult;
  /** The intent's store changes and its completion, to commit in one transaction. */
  changes: StoreChange[];
}

/**
 * Decides each pending intent in the order it was submitted. Later intents see the overrides
 * earlier ones set (a pause then a resume in one batch ends resumed). A refused intent changes
 * nothing but its own completion.
 */
export function planIntents(intents: readonly Intent[], state: IntentPlanState): PlannedIntent[] {
  let overrides = [...state.overrides];
  return intents.map((intent) => {
    const { result, changes } = planIntent(intent, { ...state, overrides });
    for (const c of changes) {
      if (c.type === 'set-override') overrides = [...overrides.filter((o) => !(o.deployment === c.deployment && o.kind === c.kind)), { app: state.app, deployment: c.deployment, kind: c.kind, value: c.value, createdAt: intent.createdAt }];
      if (c.type === 'clear-override') overrides = overrides.filter((o) => !(o.deployment === c.deployment && o.kind === c.kind));
    }
    return { intent, result, changes: [...changes, { type: 'complete-intent', id: intent.id, result }] };
  });
}

type Decision = { result: IntentResult; changes: StoreChange[] };

export function planIntent(intent: Intent, state: IntentPlanState): Decision {
  const spec: IntentSpec = intent.spec;
  if (spec.type === 'scale') return scale(spec, state);
  // apply and delete are acted on by a pass of their own (runtime/pass-intents.ts), never here.
  if (isPassIntent(spec)) return refused('INTERNAL', `a ${spec.type} intent is acted on by a pass, not decided`, { type: spec.type });
  const key = spec.deployment;
  // Deployments, DaemonSets and StatefulSets keep a rollout history (plan/rollouts/).
  const entry = state.inventory.find((e) => e.key === key && (e.kind === 'Deployment' || e.kind === 'DaemonSet' || e.kind === 'StatefulSet'));
  if (!entry) {
    const { kind, namespace, name } = splitKey(key);
    return refused('NOT_FOUND', `${kind === 'DaemonSet' ? 'daemonsets' : kind === 'StatefulSet' ? 'statefulsets' : 'deployments'}.apps "${name}" not found in namespace ${namespace} (app ${state.app})`, { key });
  }
  // kubectl refuses these too: only a Deployment has a paused field.
  if ((entry.kind === 'DaemonSet' || entry.kind === 'StatefulSet') && (spec.type === 'pause' || spec.type === 'resume'))
    return refused('USAGE', `${entry.kind === 'DaemonSet' ? 'daemonsets' : 'statefulsets'}.apps "${splitKey(key).name}" ${spec.type === 'pause' ? 'pausing' : 'resuming'} is not supported (only a Deployment pauses)`, { key });
  const overrides = state.overrides.filter((o) => o.deployment === key);
  const pausedByCommand = overrides.some((o) => o.kind === 'pause');
  const pausedByManifest = (entry.object as { spec?: { paused?: unknown } }).spec?.paused === true;
  // kubectl refuses both on a paused Deployment: the controller would not roll the new template
  // out, so the command would report a change that does not happen until someone resumes.
  if ((pausedByCommand || pausedByManifest) && (spec.type === 'undo' || spec.type === 'restart')) {
    const { namespace, name } = splitKey(key);
    const resume = `berth rollout resume deploy/${name}${namespace === 'default' ? '' : ` -n ${namespace}`}`;
    // Paused by the manifest, resume would be refused too (below): the way out is the source.
    const how = pausedByCommand ? `resume it first with '${resume}'` : 'its manifest pauses it (spec.paused: true): resume it in the source';
    return refused(
      'USAGE',
      spec.type === 'undo'
        ? `you cannot roll back a paused deployment; ${how} and try again`
        : `${display(key)} can't restart paused deployment (${pausedByCommand ? 'run rollout resume first' : 'its manifest sets spec.paused: true'})`,
      { key, hint: pausedByCommand ? resume : 'remove spec.paused from the manifest' },
    );
  }
  switch (spec.type) {
    case 'undo':
      return undo(spec, state, overrides);
    case 'restart': {
      const sourceHash = state.sourceTemplateHashes.get(key);
      if (sourceHash === undefined) return refused('INTERNAL', `cannot compute the template of ${key}`, { key });
      // Stamps whatever runs when the pass applies it (the source's or a pinned template), and
      // lasts until the source's template changes: the rollout-effective step reads it.
      const value = JSON.stringify({ restartedAt: new Date(intent.createdAt).toISOString(), sourceHash });
      return done(`${display(key)} restarted`, [{ type: 'set-override', deployment: key, kind: 'restart', value }]);
    }
    case 'pause':
      if (pausedByCommand || pausedByManifest) return { result: { ok: true, unchanged: true, message: `${display(key)} is already paused` }, changes: [] };
      return done(`${display(key)} paused`, [{ type: 'set-override', deployment: key, kind: 'pause', value: 'true' }]);
    case 'resume':
      // The source says paused: a resume here would say so and change nothing (the manifest wins).
      if (pausedByManifest)
        return refused('USAGE', `${display(key)} is paused by its manifest (spec.paused: true); resume it in the source`, { key, hint: 'remove spec.paused from the manifest' });
      if (!pausedByCommand) return { result: { ok: true, unchanged: true, message: `${display(key)} is not paused` }, changes: [] };
      return done(`${display(key)} resumed`, [{ type: 'clear-override', deployment: key, kind: 'pause' }]);
  }
}

function undo(spec: Extract<IntentSpec, { type: 'undo' }>, state: IntentPlanState, overrides: readonly DeploymentOverride[]): Decision {
  const key = spec.deployment;
  const name = display(key);
  const records = state.rollouts.get(key) ?? [];
  const current = records[records.length - 1];
  if (!current) return refused('NOT_FOUND', `${name} has no rollout history`, { key });
  // A template whose rollout failed would fail again, and a pin to it would hold the
  // Deployment there (a pin outranks the rollback): never a target.
  const failedHashes = state.failedTemplates.get(key);
  const failed = (r: RolloutRecord) => r.outcome === 'failed' || r.outcome === 'rolled-back' || (failedHashes?.has(r.templateHash) ?? false);
  const target = spec.toRevision !== undefined ? records.find((r) => r.revision === spec.toRevision) : [...records].reverse().find((r) => r.revision < current.revision && !failed(r));
  if (!target)
    return refused('NOT_FOUND', spec.toRevision !== undefined ? `unable to find the specified revision ${spec.toRevision}` : `no rollout history found for ${name} before revision ${current.revision} that did not fail`, { key });
  if (failed(target))
    return refused('USAGE', `revision ${target.revision} of ${name} failed its rollout${target.message ? ` (${target.message})` : ''}; undoing to it would fail again`, {
      key,
      revision: target.revision,
      hint: `pick a revision that completed: berth rollout history ${name.replace('.apps', '')}`,
    });
  // The one template undo brings: checked under the policy of its day, it runs again only if
  // the policy of the pass acting on it allows it.
  const refusal = state.policy ? describeViolations(podSpecPolicyViolations((target.template as { spec?: unknown })?.spec, state.policy, (target.template as { metadata?: unknown })?.metadata), 'spec.template.spec.') : [];
  if (refusal.length > 0)
    return refused('POLICY_DENIED', `cannot undo ${name} to revision ${target.revision}: this host's policy refuses its pod template; nothing was changed:${refusal.map((l) => `\n  ${l}`).join('')}`, {
      key,
      revision: target.revision,
      refused: refusal,
      hint: 'pass the host-policy flags that allow it (docs/security.md), or pick another revision',
    });
  // kubectl's answer when the template would not change: reporting a rollback would be a lie.
  if (target.templateHash === current.templateHash)
    return { result: { ok: true, unchanged: true, message: `${name} skipped rollback (current template already matches revision ${target.revision})` }, changes: [] };
  const sourceRevision = state.sourceRevision ?? current.sourceRevision;
  // Undo replaces the template whole, as kubectl does: a restart stamp on the current template
  // goes with it, else the pass would stamp the old template again and roll out nothing (the
  // restart revision's template). A revision that was itself a restart keeps its own stamp: it
  // is part of the template its record holds.
  const restartGone: StoreChange[] = overrides.some((o) => o.kind === 'restart') ? [{ type: 'clear-override', deployment: key, kind: 'restart' }] : [];
  // Back to the source's own template: nothing to pin (a pin would report a divergence from a
  // source the Deployment now matches); one set earlier is lifted.
  if (target.templateHash === state.sourceTemplateHashes.get(key))
    return done(`${name} rolled back`, [
      { type: 'clear-pin', deployment: key },
      ...restartGone,
      { type: 'add-event', event: { type: 'Normal', reason: 'DeploymentRollback', objectKey: key, message: `rolled back to revision ${target.revision}, the source's own template`, sourceRevision } },
    ]);
  // Pinned against what the passes will compare it with, so the pin holds until the source moves.
  return done(`${name} rolled back`, [
    { type: 'set-pin', deployment: key, pin: { revision: target.revision, templateHash: target.templateHash, sourceRevisionAtPin: sourceRevision } },
    ...restartGone,
    { type: 'add-event', event: { type: 'Normal', reason: 'DeploymentRollback', objectKey: key, message: `pinned to revision ${target.revision} by rollout undo`, sourceRevision } },
  ]);
}

function scale(spec: Extract<IntentSpec, { type: 'scale' }>, state: IntentPlanState): Decision {
  const { kind, namespace, name } = splitKey(spec.key);
  const entry = state.inventory.find((e) => e.key === spec.key);
  const owner = entry ? undefined : owningDeployment(spec.key, state);
  if (owner) {
    const deployment = splitKey(owner).name;
    // kubectl would scale it and the Deployment would scale it straight back; berth says so.
    return refused('USAGE', `replicaset "${name}" is owned by deployment ${deployment}: scale the Deployment with berth scale deploy/${deployment}${namespace === 'default' ? '' : ` -n ${namespace}`}`, {
      key: spec.key,
      hint: `berth scale deploy/${deployment} --replicas ${spec.replicas}${namespace === 'default' ? '' : ` -n ${namespace}`}`,
    });
  }
  if (!entry || !SCALABLE_KINDS.has(entry.kind)) return refused('NOT_FOUND', `${kind.toLowerCase()} "${name}" not found in namespace ${namespace} (app ${state.app})`, { key: spec.key });
  // No policy check: scaling runs more or fewer pods of a template the app was applied with.
  const own = (entry.object as { spec?: { replicas?: number } }).spec?.replicas;
  const event: StoreChange = { type: 'add-event', event: { type: 'Normal', reason: 'ScalingReplicaSet', objectKey: spec.key, message: `scaled to ${spec.replicas} by berth scale` } };
  // Back to the source's own count: nothing is overridden any more.
  const change: StoreChange =
    own === spec.replicas ? { type: 'clear-override', deployment: spec.key, kind: 'replicas' } : { type: 'set-override', deployment: spec.key, kind: 'replicas', value: String(spec.replicas) };
  return done(`${display(spec.key)} scaled`, [change, event]);
}

/**
 * The Deployment whose ReplicaSet `key` names (`<deployment>-<template hash>`, the current
 * template or one of its history), as `get rs` lists them; undefined for anything else.
 */
function owningDeployment(key: string, state: IntentPlanState): string | undefined {
  const { kind, namespace, name } = splitKey(key);
  if (kind !== 'ReplicaSet') return undefined;
  for (const e of state.inventory) {
    if (e.kind !== 'Deployment') continue;
    const d = splitKey(e.key);
    if (d.namespace !== namespace || !name.startsWith(`${d.name}-`)) continue;
    const hash = name.slice(d.name.length + 1);
    if (state.sourceTemplateHashes.get(e.key) === hash || (state.rollouts.get(e.key) ?? []).some((r) => r.templateHash === hash)) return e.key;
  }
  return undefined;
}

function done(message: string, changes: StoreChange[]): Decision {
  return { result: { ok: true, message }, changes };
}

function refused(code: ErrorCode, message: string, data: Record<string, unknown>): Decision {
  return { result: { ok: false, message, error: { code, message, data } }, changes: [] };
}

function splitKey(key: string): { kind: string; namespace: string; name: string } {
  const [kind = '', namespace = '', ...rest] = key.split('/');
  return { kind, namespace, name: rest.join('/') };
}

/** kubectl's name of a workload: `deployment.apps/web`, `replicationcontroller/db`. */
export function display(key: string): string {
  const { kind, name } = splitKey(key);
  const group = kind === 'Deployment' || kind === 'ReplicaSet' || kind === 'DaemonSet' || kind === 'StatefulSet' ? '.apps' : '';
  return `${kind.toLowerCase()}${group}/${name}`;
}

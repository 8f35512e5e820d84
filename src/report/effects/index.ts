import type { EdgeSettings } from '../../model/policy.js';
import { compareKeys, parseKey } from '../resource-diff.js';
import type { ResourceChange, ResourceDiff } from '../resource-diff.js';
import { changedConfigContent, configCauses } from './config.js';
import type { ConfigCause } from './config.js';
import { routingEffectsByChange } from './routing.js';
import { serviceEffects } from './services.js';
import { countByNamespace, namespaceEffects, volumeEffects } from './storage.js';
import type { Effect, PlannedChange } from './types.js';
import { describe, effect } from './wording.js';
import { cronJobEffects, jobEffects, workloadEffects } from './workloads.js';

/**
 * What each change of a resource diff will do on the host, derived purely from the two
 * resource sets: rollouts and their shape, restarts caused by config content (berth's pod
 * template hash includes referenced ConfigMaps and Secrets), scaling, published ports,
 * deleted volumes and namespaces. Messages name resources, never values, so nothing here
 * can leak a secret. One file per family of kinds; this one attaches their effects to a diff.
 */

export type { Effect, EffectKind, PlannedChange } from './types.js';
export { describe, isUnder } from './wording.js';

/**
 * Attaches effects to every change of `diff`, and adds an `update` change with no fields for
 * each unchanged workload whose pods restart because a ConfigMap or Secret it uses changed
 * (the live diff sees those as changed too: their spec hash moves).
 */
export function planEffects(diff: ResourceDiff, replacesPods: ReadonlyMap<string, boolean | 'paused'> = new Map(), edge?: EdgeSettings): PlannedChange[] {
  const ctx: Context = { changedConfig: changedConfigContent(diff.changes), counts: countByNamespace(diff), restartedBy: new Map(), replacesPods, routing: routingEffectsByChange(diff, edge) };
  const candidates: Array<{ change: ResourceChange; causes: ConfigCause[] }> = [];
  for (const change of diff.changes) candidates.push({ change, causes: change.after ? configCauses(change.after, ctx.changedConfig) : [] });
  for (const r of diff.unchanged) {
    const causes = configCauses(r, ctx.changedConfig);
    if (causes.length === 0) continue;
    candidates.push({ change: { ...parseKey(r.key), action: 'update', before: r, after: r, fields: [] }, causes });
  }
  const planned: PlannedChange[] = [];
  for (const { change, causes } of candidates) {
    const effects = [...effectsOf(change, causes, ctx), ...(ctx.routing.get(change.key) ?? [])];
    // A workload running no pods has nothing to restart (its next pods read the new content),
    // so an otherwise unchanged one is not a change at all.
    if (change.fields.length === 0 && effects.length === 0) continue;
    if (effects.some((e) => e.kind === 'rollout.config-change'))
      for (const c of causes) ctx.restartedBy.set(c.key, [...(ctx.restartedBy.get(c.key) ?? []), change.key]);
    planned.push(withEffects(change, effects));
  }
  return planned.map((p) => withConsumers(p, ctx)).sort((x, y) => compareKeys(x.key, y.key));
}

interface Context {
  changedConfig: Map<string, ConfigCause>;
  counts: Map<string, number>;
  /** Config key → keys of the workloads whose pods restart because of it. */
  restartedBy: Map<string, string[]>;
  /** Live diff: whether a workload's pods are replaced, by what runs (createDiffReport). */
  replacesPods: ReadonlyMap<string, boolean | 'paused'>;
  /** Change key → what it does to the edge's routing (routing.ts). */
  routing: Map<string, Effect[]>;
}

/** On a ConfigMap or Secret change: which workloads' pods restart because of it. */
function withConsumers(p: PlannedChange, ctx: Context): PlannedChange {
  const users = ctx.restartedBy.get(p.key);
  if (!users) return p;
  const names = [...users].sort(compareKeys).map((k) => {
    const { kind, name } = parseKey(k);
    return describe(kind, name);
  });
  const verb = p.action === 'update' ? 'changed' : p.action === 'create' ? 'created' : 'deleted';
  const consumers = effect('config.consumers', `${describe(p.kind, p.name)} ${verb}: restarts ${names.join(', ')}`);
  const effects = [...p.effects.filter((e) => !e.kind.startsWith('resource.')), consumers];
  return { ...p, effects, destructive: effects.some((e) => e.destructive) };
}

function withEffects(change: ResourceChange, effects: Effect[]): PlannedChange {
  const all = effects.length > 0 ? effects : [generic(change)];
  return { ...change, effects: all, destructive: all.some((e) => e.destructive) };
}

function generic(change: ResourceChange): Effect {
  const what = describe(change.kind, change.name);
  const verb = { create: 'created', update: 'updated', delete: 'deleted' }[change.action];
  return effect(`resource.${change.action}`, `${what} ${verb}`);
}

// ---------------------------------------------------------------- per kind

function effectsOf(change: ResourceChange, causes: ConfigCause[], ctx: Context): Effect[] {
  const obj = (change.after ?? change.before)!.object;
  switch (obj.kind) {
    case 'Deployment':
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Pod':
    case 'DaemonSet':
    case 'StatefulSet':
      return workloadEffects(change, causes, ctx.replacesPods.get(change.key));
    case 'Job':
      return jobEffects(change, causes);
    case 'CronJob':
      return cronJobEffects(change);
    case 'Service':
      return serviceEffects(change);
    case 'PersistentVolumeClaim':
      return volumeEffects(change);
    case 'Namespace':
      return namespaceEffects(change, ctx.counts);
    default:
      return [];
  }
}

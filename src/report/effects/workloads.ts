import { resolveFenceposts, scaledValue } from '../../model/int-or-string.js';
import type { AnyObject, DaemonSet, Deployment } from '../../model/types.js';
import type { ResourceChange } from '../resource-diff.js';
import type { ConfigCause } from './config.js';
import type { Effect } from './types.js';
import { statefulSetRollout } from './statefulset.js';
import { allPods, describe, effect, plural, replicasOf, touches } from './wording.js';

// Workloads: rollouts and their shape, restarts, scaling; Jobs and CronJobs.

/**
 * `replaces`: whether the pods that run are replaced, when the caller knows the templates that
 * run and that will (the live diff; 'paused': they would be, but `rollout pause` holds the
 * template back); otherwise the manifests' template and used config decide.
 */
export function workloadEffects(change: ResourceChange, causes: ConfigCause[], replaces?: boolean | 'paused'): Effect[] {
  const ref = describe(change.kind, change.name);
  const b = change.before?.object;
  const a = change.after?.object;
  const pods = (o: AnyObject | undefined) => (o === undefined ? 0 : o.kind === 'Pod' ? 1 : replicasOf(o));
  if (!b) {
    if (a!.kind === 'Pod') return [effect('workload.create', `${ref} started`)];
    const n = pods(a);
    return [effect('workload.create', n === 0 ? `${ref} created with 0 replicas: no pods started` : `${ref} created: ${plural(n, 'pod')} started`)];
  }
  if (!a) {
    if (b.kind === 'Pod') return [effect('workload.delete', `${ref} stopped and deleted`, true)];
    const n = pods(b);
    return [effect('workload.delete', n === 0 ? `${ref} deleted: no pods were running` : `${ref} deleted: ${allPods(n)} stopped`, n > 0)];
  }
  const out: Effect[] = [];
  const from = pods(b);
  const to = pods(a);
  const running = Math.min(from, to);
  const templateChanged = touches(change.fields, a.kind === 'Pod' ? 'spec' : 'spec.template');
  // 'paused': the template that runs changes, but `rollout pause` holds it back.
  const paused = replaces === 'paused';
  const restart = replaces === undefined ? templateChanged || (causes.length > 0 && running > 0) : replaces !== false;
  if (running > 0 && restart) out.push(...causes.map((c) => causeEffect(a, ref, c, paused)));
  if (restart) out.push(...replacement(a, ref, running, paused));
  // The manifest's template changed, but the pods already run the one applying would run
  // (pinned by `rollout undo` to what the source now says): nothing to roll.
  else if (templateChanged && running > 0) out.push(effect('resource.update', `${ref} updated: its pods already run this template, no pods are replaced`));
  if (from !== to) out.push(effect('scale', `scaled ${ref} ${from} → ${to}`, to === 0));
  if (a.kind === 'Deployment' && b.kind === 'Deployment') out.push(...deploymentSettings(change, a, b, ref, restart));
  return out;
}

function causeEffect(a: AnyObject, ref: string, c: ConfigCause, paused = false): Effect {
  const config = `${describe(c.kind, c.name)} ${c.verb}`;
  if (a.kind === 'Deployment' && (a.spec.paused || paused))
    return effect('rollout.config-change', `pods of ${ref} are due for a restart because ${config} (rollouts are paused)`);
  if (a.kind === 'Job') return effect('rollout.config-change', `${ref} runs again because ${config}`);
  return effect('rollout.config-change', `${a.kind === 'Pod' ? ref : `pods of ${ref}`} restarted because ${config}`);
}

/** How the pods of a workload whose template (or config) changed get replaced. */
function replacement(a: AnyObject, ref: string, running: number, paused: boolean): Effect[] {
  switch (a.kind) {
    case 'Pod':
      return [effect('pod.replace', `${ref} replaced: stopped, then started again (a bare pod has no rolling update)`, true)];
    case 'ReplicaSet':
    case 'ReplicationController': {
      if (running === 0) return [];
      const what = a.kind === 'ReplicaSet' ? 'a ReplicaSet' : 'a ReplicationController';
      return [effect('pods.replace', `${ref} replaces ${allPods(running)} at once (${what} has no rolling update)`, true)];
    }
    case 'Deployment':
      return deploymentRollout(a, ref, running, paused);
    case 'DaemonSet':
      return daemonSetRollout(a, ref, running);
    case 'StatefulSet':
      return statefulSetRollout(a, ref, running);
    default:
      return [];
  }
}

/** One node: surge starts the new pod before stopping the old one, otherwise the old one stops first. */
function daemonSetRollout(d: DaemonSet, ref: string, running: number): Effect[] {
  if (running === 0) return [];
  const strategy = d.spec.updateStrategy;
  if (strategy.type === 'OnDelete') return [effect('resource.update', `${ref} uses OnDelete: its pod runs the old template until it is deleted`)];
  const surge = scaledValue(strategy.rollingUpdate.maxSurge, 1, true) ?? 0;
  return [
    surge > 0
      ? effect('rollout.rolling-update', `rolling update of ${ref}: the new pod starts before the old one stops (maxSurge ${surge})`)
      : effect('rollout.rolling-update', `rolling update of ${ref}: the old pod stops before the new one starts (maxUnavailable ${scaledValue(strategy.rollingUpdate.maxUnavailable, 1, true) || 1})`, true),
  ];
}

function deploymentRollout(d: Deployment, ref: string, running: number, paused: boolean): Effect[] {
  if (d.spec.paused || paused)
    return [effect('rollout.paused', `${ref} is paused: the new template is recorded, no pods are replaced until it is resumed`)];
  if (running === 0) return [];
  const strategy = d.spec.strategy;
  if (strategy.type === 'Recreate')
    return [
      effect(
        'rollout.recreate',
        `recreate of ${ref}: ${allPods(running)} stopped before ${running === 1 ? 'a new one starts' : 'new ones start'}`,
        true,
      ),
    ];
  const { surge, unavailable } = resolveFenceposts(strategy.rollingUpdate.maxSurge, strategy.rollingUpdate.maxUnavailable, d.spec.replicas);
  return [
    effect(
      'rollout.rolling-update',
      `rolling update of ${ref}: ${plural(running, 'pod')} replaced (maxSurge ${surge}, maxUnavailable ${unavailable})`,
    ),
  ];
}

const ROLLOUT_SETTINGS = ['strategy', 'minReadySeconds', 'progressDeadlineSeconds', 'revisionHistoryLimit'];

function deploymentSettings(change: ResourceChange, a: Deployment, b: Deployment, ref: string, restart: boolean): Effect[] {
  const out: Effect[] = [];
  if (a.spec.paused !== b.spec.paused)
    out.push(a.spec.paused ? effect('rollout.pause', `rollouts of ${ref} paused`) : effect('rollout.resume', `rollouts of ${ref} resumed`));
  const settings = ROLLOUT_SETTINGS.filter((s) => touches(change.fields, `spec.${s}`));
  if (settings.length > 0 && !restart)
    out.push(effect('rollout.settings', `rollout settings of ${ref} changed (${settings.join(', ')}); running pods are kept`));
  return out;
}

export function jobEffects(change: ResourceChange, causes: ConfigCause[]): Effect[] {
  const ref = describe(change.kind, change.name);
  const a = change.after?.object;
  if (!a) return [effect('job.delete', `${ref} deleted with its pods`)];
  if (a.kind !== 'Job') return [];
  if (change.action === 'create')
    return [effect('job.run', `${ref} runs to completion (completions ${a.spec.completions}, parallelism ${a.spec.parallelism})`)];
  const out = causes.map((c) => causeEffect(a, ref, c));
  if (touches(change.fields, 'spec.template')) out.push(effect('job.rerun', `${ref} re-created: it runs again with the new template`));
  else if (causes.length > 0) out.push(effect('job.rerun', `${ref} re-created: it runs again from the start`));
  return out;
}

export function cronJobEffects(change: ResourceChange): Effect[] {
  const ref = describe(change.kind, change.name);
  const a = change.after?.object;
  const b = change.before?.object;
  if (!a) return [effect('cronjob.delete', `${ref} deleted: no further runs`)];
  if (a.kind !== 'CronJob') return [];
  const suspended = a.spec.suspend ? ' (suspended)' : '';
  if (b?.kind !== 'CronJob') return [effect('cronjob.schedule', `${ref} scheduled ${JSON.stringify(a.spec.schedule)}${suspended}`)];
  const out: Effect[] = [];
  if (a.spec.schedule !== b.spec.schedule)
    out.push(effect('cronjob.schedule', `${ref}: schedule ${JSON.stringify(b.spec.schedule)} → ${JSON.stringify(a.spec.schedule)}`));
  if (a.spec.suspend !== b.spec.suspend)
    out.push(a.spec.suspend ? effect('cronjob.suspend', `${ref} suspended: no new runs`) : effect('cronjob.resume', `${ref} resumed`));
  if (touches(change.fields, 'spec.jobTemplate'))
    out.push(effect('cronjob.template', `future runs of ${ref} use the new job template; running jobs are not affected`));
  return out;
}

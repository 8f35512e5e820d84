import type { DeploymentStatus } from '../../plan/controllers/deployment.js';
import type { DaemonSetStatus } from '../../plan/controllers/daemonset.js';
import type { HostPolicy } from '../../model/policy.js';
import type { PassResult } from '../../runtime/pass/index.js';
import type { WorkloadStatus } from '../../plan/plan.js';
import { swarmWorkloadStatuses } from '../../plan/swarm/rollout-status.js';
import type { CliContext } from '../context.js';
import type { Engine } from '../engine.js';
import { kubectlNameOfKey, parseKey } from '../output/kube-names.js';
import { IDLE_NOTE, followPlan, newDivergenceNotes } from './follow-plan.js';
import { watchStatefulSet } from './rollout-watch-sts.js';

function name(key: string): string {
  return kubectlNameOfKey(key);
}

/**
 * `rollout status` (and `--wait` of a change a daemon took): follows the plan (followPlan),
 * printing kubectl's progress lines, until the Deployment or DaemonSet is rolled out (0), its
 * rollout failed or was rolled back (1), or the timeout (1). Without `watch`, one look.
 */
export async function watchRollout(engine: Engine, key: string, options: { timeoutMs: number; watch: boolean }, ctx: CliContext, policy: HostPolicy): Promise<number> {
  if (key.startsWith('StatefulSet/')) return watchStatefulSet(engine, key, options, ctx, policy);
  const daemon = key.startsWith('DaemonSet/');
  const noun = daemon ? 'daemon set' : 'deployment';
  const short = parseKey(key).name;
  const noted = new Set<string>();
  return followPlan(engine, policy, ctx, { ...options, timedOut: `error: timed out waiting for the rollout of ${name(key)}` }, (result) => {
    const found = result.converge?.firstPlan.workloads.find((w) => w.key === key) ?? onSwarm(result, key);
    const st = found?.deployment ?? found?.daemonSet;
    // kubectl's answer: an OnDelete DaemonSet has no rollout to follow.
    if (daemon && result.desired?.workloads.find((w) => w.key === key && w.kind === 'DaemonSet' && w.strategy === 'OnDelete'))
      return { exit: 1, err: 'error: rollout status is only available for RollingUpdate strategy type' };
    const current = engine.store.currentRollout(engine.app, key);
    newDivergenceNotes(result, key, noted, ctx);
    if (current?.outcome === 'failed') return { exit: 1, err: `error: ${name(key)} revision ${current.revision} failed: ${current.message ?? 'progress deadline exceeded'}` };
    const rolledBack = result.divergences.find((d) => d.deployment === key && d.reason === 'rolled-back');
    if (rolledBack) {
      const failed = [...engine.store.listRollouts(engine.app, key)].reverse().find((r) => r.outcome === 'failed');
      return { exit: 1, err: `error: the rollout of ${name(key)} failed${failed?.message ? `: ${failed.message}` : ''}; ${rolledBack.message}` };
    }
    if (st?.complete) return { exit: 0, out: `${noun} "${short}" successfully rolled out` };
    const line = found?.daemonSet ? daemonProgressLine(short, found.daemonSet) : st ? progressLine(short, st, replicasOf(result, key)) : `Waiting for ${noun} "${short}" to be observed...`;
    // Nothing moves until someone resumes it, or until a daemon or apply drives the app: say so instead of waiting in silence.
    const paused = engine.store.getDeploymentOverrides(engine.app, key).some((o) => o.kind === 'pause');
    const notes = paused ? [`note: ${name(key)} is paused; \`berth rollout resume ${name(key).replace('.apps', '')}\` continues the rollout`] : engine.store.getLease(engine.app) ? [] : [IDLE_NOTE];
    return { line, notes };
  });
}

/**
 * A Deployment on a Swarm (runtime/swarm/): where its service stands, as Swarm reports it; not
 * complete while the plan still has to create or update the service.
 */
function onSwarm(result: PassResult, key: string): WorkloadStatus | undefined {
  if (!result.swarm) return undefined;
  const status = swarmWorkloadStatuses(result.swarm.statuses).find((w) => w.key === key);
  const pending = result.swarm.planned.some((a) => a.key === key && (a.action === 'create-service' || a.action === 'update-service'));
  return status?.deployment && pending ? { ...status, deployment: { ...status.deployment, complete: false } } : status;
}

function replicasOf(result: PassResult, key: string): number {
  const w = result.desired?.workloads.find((x) => x.key === key);
  return w && w.kind === 'Deployment' ? w.replicas : 0;
}

/** kubectl's DaemonSet wording (polymorphichelpers DaemonSetStatusViewer). */
function daemonProgressLine(name: string, st: DaemonSetStatus): string {
  if (st.updatedNumberScheduled < st.desiredNumberScheduled)
    return `Waiting for daemon set "${name}" rollout to finish: ${st.updatedNumberScheduled} out of ${st.desiredNumberScheduled} new pods have been updated...`;
  return `Waiting for daemon set "${name}" rollout to finish: ${st.numberAvailable} of ${st.desiredNumberScheduled} updated pods are available...`;
}

/** kubectl's wording, so scripts and eyes that know it keep working. */
function progressLine(name: string, st: DeploymentStatus, replicas: number): string {
  if (st.updatedReplicas < replicas) return `Waiting for deployment "${name}" rollout to finish: ${st.updatedReplicas} out of ${replicas} new replicas have been updated...`;
  if (st.oldReplicas > 0) return `Waiting for deployment "${name}" rollout to finish: ${st.oldReplicas} old replicas are pending termination...`;
  return `Waiting for deployment "${name}" rollout to finish: ${st.availableReplicas} of ${replicas} updated replicas are available...`;
}


/**
 * `--wait` of a change another process (the daemon) took: that process converges it, so this
 * one follows what runs until the workload is ready, as `rollout status` does for a Deployment;
 * for a ReplicaSet or ReplicationController, until the plan has nothing left to do or wait for
 * on it (its pods created and ready), printing what it waits for whenever that changes.
 */
export async function waitForWorkload(engine: Engine, key: string, timeoutMs: number, ctx: CliContext, policy: HostPolicy): Promise<number> {
  if (key.startsWith('Deployment/') || key.startsWith('DaemonSet/')) return watchRollout(engine, key, { timeoutMs, watch: true }, ctx, policy);
  const what = kubectlNameOfKey(key);
  return followPlan(engine, policy, ctx, { timeoutMs, watch: true, timedOut: `error: timed out waiting for ${what}` }, (result) => {
    const plan = result.converge?.firstPlan;
    const waits = plan?.waits.filter((w) => w.key === key) ?? [];
    const pending = plan?.actions.filter((a) => a.key === key).length ?? 0;
    if (plan && waits.length === 0 && pending === 0) return { exit: 0, out: `${what} is ready` };
    return { line: `Waiting for ${what}: ${waits.length ? waits.map((w) => w.message).join('; ') : `${pending} action(s) pending`}`, stuck: waits.some((w) => w.stuck) };
  });
}

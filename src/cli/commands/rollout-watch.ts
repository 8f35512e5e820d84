import type { DeploymentStatus } from '../../plan/controllers/deployment.js';
import type { DaemonSetStatus } from '../../plan/controllers/daemonset.js';
import type { HostPolicy } from '../../model/policy.js';
import { runPass } from '../../runtime/pass/index.js';
import type { PassResult } from '../../runtime/pass/index.js';
import { createReadiness } from '../../runtime/readiness.js';
import type { CliContext } from '../context.js';
import { print } from '../context.js';
import type { Engine } from '../engine.js';
import { kubectlNameOfKey, parseKey } from '../output/kube-names.js';
import { watchStatefulSet } from './rollout-watch-sts.js';

function name(key: string): string {
  return kubectlNameOfKey(key);
}

/**
 * `rollout status` (and `--wait` of a change a daemon took): plans what runs, read-only, once
 * a second, printing kubectl's progress lines, until the Deployment is rolled out (0), its
 * rollout failed or was rolled back (1), or the timeout (1). Without `watch`, one look.
 */
export async function watchRollout(engine: Engine, key: string, options: { timeoutMs: number; watch: boolean }, ctx: CliContext, policy: HostPolicy): Promise<number> {
  if (key.startsWith('StatefulSet/')) return watchStatefulSet(engine, key, options, ctx, policy);
  const { timeoutMs } = options;
  const deadline = engine.clock.now() + timeoutMs;
  const readiness = createReadiness({ docker: engine.docker, clock: engine.clock, store: engine.store, app: engine.app, log: engine.log, holder: engine.holder, policy });
  let last = '';
  let warnedIdle = false;
  const noted = new Set<string>();
  try {
    for (;;) {
      const result = await runPass(
        { docker: engine.docker, store: engine.store, clock: engine.clock, log: engine.log, random: engine.random, plane: engine.plane, readiness },
        { app: engine.app, target: { kind: 'applied' }, prune: false, dryRun: true, waitForReady: false, timeoutMs: 0 },
      );
      const found = result.converge?.firstPlan.workloads.find((w) => w.key === key);
      const st = found?.deployment ?? found?.daemonSet;
      const daemon = key.startsWith('DaemonSet/');
      if (daemon && result.desired?.workloads.find((w) => w.key === key && w.kind === 'DaemonSet' && w.strategy === 'OnDelete')) {
        // kubectl's answer: an OnDelete DaemonSet has no rollout to follow.
        print(ctx.io.stderr, 'error: rollout status is only available for RollingUpdate strategy type');
        return 1;
      }
      const current = engine.store.currentRollout(engine.app, key);
      for (const d of result.divergences.filter((x) => x.deployment === key)) {
        if (noted.has(d.message)) continue;
        noted.add(d.message);
        print(ctx.io.stdout, `note: ${d.message}`);
      }
      if (current?.outcome === 'failed') {
        print(ctx.io.stderr, `error: ${name(key)} revision ${current.revision} failed: ${current.message ?? 'progress deadline exceeded'}`);
        return 1;
      }
      const rolledBack = result.divergences.find((d) => d.deployment === key && d.reason === 'rolled-back');
      if (rolledBack) {
        const failed = [...engine.store.listRollouts(engine.app, key)].reverse().find((r) => r.outcome === 'failed');
        print(ctx.io.stderr, `error: the rollout of ${name(key)} failed${failed?.message ? `: ${failed.message}` : ''}; ${rolledBack.message}`);
        return 1;
      }
      const noun = daemon ? 'daemon set' : 'deployment';
      if (st?.complete) {
        print(ctx.io.stdout, `${noun} "${parseKey(key).name}" successfully rolled out`);
        return 0;
      }
      const line = found?.daemonSet
        ? daemonProgressLine(parseKey(key).name, found.daemonSet)
        : st
          ? progressLine(parseKey(key).name, st, replicasOf(result, key))
          : `Waiting for ${noun} "${parseKey(key).name}" to be observed...`;
      if (line !== last) print(ctx.io.stdout, line);
      last = line;
      if (!options.watch) return 1;
      const paused = engine.store.getDeploymentOverrides(engine.app, key).some((o) => o.kind === 'pause');
      if (paused && !warnedIdle) {
        // Nothing will move until someone resumes it: say so instead of waiting in silence.
        print(ctx.io.stderr, `note: ${name(key)} is paused; \`berth rollout resume ${name(key).replace('.apps', '')}\` continues the rollout`);
        warnedIdle = true;
      }
      if (!warnedIdle && !engine.store.getLease(engine.app)) {
        print(ctx.io.stderr, 'note: no berth daemon or apply is driving this app right now; run `berth apply` (or start `berth daemon`) to continue the rollout');
        warnedIdle = true;
      }
      if (engine.clock.now() >= deadline) {
        print(ctx.io.stderr, `error: timed out waiting for the rollout of ${name(key)}`);
        return 1;
      }
      await engine.clock.sleep(1000, ctx.io.interrupted);
    }
  } finally {
    await readiness.stop();
  }
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
  const deadline = engine.clock.now() + timeoutMs;
  const readiness = createReadiness({ docker: engine.docker, clock: engine.clock, store: engine.store, app: engine.app, log: engine.log, holder: engine.holder, policy });
  let last = '';
  try {
    for (;;) {
      const result = await runPass(
        { docker: engine.docker, store: engine.store, clock: engine.clock, log: engine.log, random: engine.random, plane: engine.plane, readiness },
        { app: engine.app, target: { kind: 'applied' }, prune: false, dryRun: true, waitForReady: false, timeoutMs: 0 },
      );
      const plan = result.converge?.firstPlan;
      const waits = plan?.waits.filter((w) => w.key === key) ?? [];
      const pending = plan?.actions.filter((a) => a.key === key).length ?? 0;
      if (plan && waits.length === 0 && pending === 0) {
        print(ctx.io.stdout, `${kubectlNameOfKey(key)} is ready`);
        return 0;
      }
      const line = waits.length ? waits.map((w) => w.message).join('; ') : `${pending} action(s) pending`;
      if (line !== last) print(ctx.io.stdout, `Waiting for ${kubectlNameOfKey(key)}: ${line}`);
      last = line;
      if (waits.some((w) => w.stuck)) return 1;
      if (engine.clock.now() >= deadline) {
        print(ctx.io.stderr, `error: timed out waiting for ${kubectlNameOfKey(key)}`);
        return 1;
      }
      await engine.clock.sleep(1000, ctx.io.interrupted);
    }
  } finally {
    await readiness.stop();
  }
}

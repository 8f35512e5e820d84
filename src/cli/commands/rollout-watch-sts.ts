import type { HostPolicy } from '../../model/policy.js';
import type { StatefulSetStatus } from '../../plan/controllers/statefulset.js';
import type { StatefulSetWorkload } from '../../plan/controllers/statefulset-workload.js';
import { runPass } from '../../runtime/pass/index.js';
import { createReadiness } from '../../runtime/readiness.js';
import type { CliContext } from '../context.js';
import { print } from '../context.js';
import type { Engine } from '../engine.js';
import { parseKey } from '../output/kube-names.js';

/**
 * `rollout status sts/NAME`: plans what runs, read-only, once a second, printing kubectl's
 * StatefulSet lines, until the set is rolled out (0) or the timeout (1); without `watch`, one
 * look. OnDelete sets have no rollout to follow, as kubectl says.
 */
export async function watchStatefulSet(engine: Engine, key: string, options: { timeoutMs: number; watch: boolean }, ctx: CliContext, policy: HostPolicy): Promise<number> {
  const deadline = engine.clock.now() + options.timeoutMs;
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
      const w = result.desired?.workloads.find((x): x is StatefulSetWorkload => x.key === key && x.kind === 'StatefulSet');
      const st = result.converge?.firstPlan.workloads.find((x) => x.key === key)?.statefulSet;
      if (w?.updateStrategy === 'OnDelete') {
        print(ctx.io.stderr, 'error: rollout status is only available for RollingUpdate strategy type');
        return 1;
      }
      for (const d of result.divergences.filter((x) => x.deployment === key && !noted.has(x.message))) {
        noted.add(d.message);
        print(ctx.io.stdout, `note: ${d.message}`);
      }
      const line = w && st ? statusLine(w, st) : { done: false, text: `Waiting for statefulset "${parseKey(key).name}" to be observed...` };
      if (line.done) {
        print(ctx.io.stdout, line.text);
        return 0;
      }
      if (line.text !== last) print(ctx.io.stdout, line.text);
      last = line.text;
      if (!options.watch) return 1;
      if (!warnedIdle && !engine.store.getLease(engine.app)) {
        print(ctx.io.stderr, 'note: no berth daemon or apply is driving this app right now; run `berth apply` (or start `berth daemon`) to continue the rollout');
        warnedIdle = true;
      }
      if (engine.clock.now() >= deadline) {
        print(ctx.io.stderr, `error: timed out waiting for the rollout of statefulset.apps/${parseKey(key).name}`);
        return 1;
      }
      await engine.clock.sleep(1000, ctx.io.interrupted);
    }
  } finally {
    await readiness.stop();
  }
}

/** kubectl's wording (rollout_status.go, StatefulSetStatusViewer), so scripts that know it keep working. */
export function statusLine(w: StatefulSetWorkload, st: StatefulSetStatus): { done: boolean; text: string } {
  if (st.readyReplicas < w.replicas) return { done: false, text: `Waiting for ${w.replicas - st.readyReplicas} pods to be ready...` };
  // Not in kubectl's check: pods beyond `replicas` still terminating (a scale down under way).
  if (st.replicas > w.replicas) return { done: false, text: `Waiting for ${st.replicas - w.replicas} pods to be terminated...` };
  const expected = Math.max(0, w.replicas - Math.max(0, w.partition - w.ordinalStart));
  if (st.updatedReplicas < expected) return { done: false, text: `Waiting for partitioned roll out to finish: ${st.updatedReplicas} out of ${expected} new pods have been updated...` };
  return { done: true, text: `partitioned roll out complete: ${st.updatedReplicas} new pods have been updated...` };
}

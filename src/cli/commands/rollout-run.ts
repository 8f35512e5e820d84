import { dump } from 'js-yaml';
import type { DeploymentStatus } from '../../plan/controllers/deployment.js';
import { BerthError } from '../../model/errors.js';
import type { IntentSpec } from '../../model/intent.js';
import { runPass } from '../../runtime/pass/index.js';
import type { PassResult } from '../../runtime/pass/index.js';
import { createReadiness } from '../../runtime/readiness.js';
import type { RolloutRecord } from '../../runtime/store/index.js';
import type { CliContext } from '../context.js';
import { print } from '../context.js';
import type { Engine } from '../engine.js';
import { openEngine } from '../engine.js';
import type { EngineFlags } from '../engine-flags.js';
import { parseDuration } from '../engine-flags.js';
import { parseKey } from '../output/kube-names.js';
import type { ValidationFlags } from '../validation-flags.js';
import { explicitHostPolicy } from '../validation-flags.js';
import type { HostPolicy } from '../../model/policy.js';
import { policyInForce } from '../../runtime/pass/index.js';
import { submitChange } from './submit-change.js';

type Action = 'status' | 'history' | 'undo' | 'restart' | 'pause' | 'resume';

interface Flags extends EngineFlags, ValidationFlags {
  timeout?: string;
  revision?: string;
  toRevision?: string;
  wait?: boolean;
  watch?: boolean;
}

export async function runRollout(action: Action, key: string, flags: Flags, ctx: CliContext): Promise<number> {
  const engine = openEngine(flags, ctx.io);
  try {
    const entry = engine.store.getInventory(engine.app).find((e) => e.key === key);
    if (!entry) {
      const { namespace, name } = parseKey(key);
      throw new BerthError('NOT_FOUND', `deployments.apps "${name}" not found in namespace ${namespace} (app ${engine.app})`, { key });
    }
    // Policy flags given here replace, for this command, the policy the app was last applied with.
    const explicit = explicitHostPolicy(flags);
    switch (action) {
      case 'history':
        return history(engine, key, flags, ctx);
      case 'status':
        return await status(engine, key, flags, ctx, policyInForce(engine.store, engine.app, explicit));
      case 'undo':
      case 'restart':
      case 'pause':
      case 'resume': {
        // Recorded as an intent; the pass that holds the app acts on it (runtime/control.ts).
        // restart, pause and resume bring no template the app was not applied with; undo's one
        // template is checked by that pass under its policy.
        const spec: IntentSpec = action === 'undo' ? { type: 'undo', deployment: key, ...toRevision(flags.toRevision) } : { type: action, deployment: key };
        return await submitChange(engine, ctx, spec, { wait: flags.wait ?? false, timeoutMs: parseDuration(flags.timeout ?? '5m'), policy: policyInForce(engine.store, engine.app, explicit), key });
      }
    }
  } finally {
    engine.close();
  }
}

/** `--to-revision N`; 0 (kubectl's default) and none mean the newest earlier revision that did not fail. */
function toRevision(flag: string | undefined): { toRevision?: number } {
  if (flag === undefined || flag === '0') return {};
  const n = Number(flag);
  if (!Number.isInteger(n)) throw new BerthError('NOT_FOUND', `unable to find the specified revision ${flag}`, { revision: flag });
  return { toRevision: n };
}

function name(key: string): string {
  return `deployment.apps/${parseKey(key).name}`;
}

function history(engine: Engine, key: string, flags: Flags, ctx: CliContext): number {
  const records = engine.store.listRollouts(engine.app, key);
  if (flags.revision !== undefined) {
    const rec = records.find((r) => r.revision === Number(flags.revision));
    if (!rec) throw new BerthError('NOT_FOUND', `unable to find the specified revision ${flags.revision} of ${name(key)}`, { key, revision: flags.revision });
    print(ctx.io.stdout, `${name(key)} with revision #${rec.revision}`);
    print(ctx.io.stdout, `Source revision: ${rec.sourceRevision}`);
    print(ctx.io.stdout, `Outcome:         ${rec.outcome}${rec.message ? ` (${rec.message})` : ''}`);
    print(ctx.io.stdout, `Pod Template (pod-template-hash ${rec.templateHash}):`);
    print(ctx.io.stdout, indent(dump(rec.template, { sortKeys: true }), '  '));
    return 0;
  }
  print(ctx.io.stdout, name(key));
  const pin = engine.store.getPin(engine.app, key);
  const rows = [['REVISION', 'CHANGE-CAUSE', 'SOURCE', 'OUTCOME', 'STARTED', 'DURATION']];
  for (const r of records) rows.push(historyRow(r, pin?.revision === r.revision));
  print(ctx.io.stdout, table(rows));
  return 0;
}

function historyRow(r: RolloutRecord, pinned: boolean): string[] {
  const duration = r.finishedAt !== undefined ? `${Math.max(0, Math.round((r.finishedAt - r.startedAt) / 1000))}s` : '-';
  return [String(r.revision), r.changeCause ?? '<none>', r.sourceRevision.slice(0, 12), `${r.outcome}${pinned ? ' (pinned)' : ''}`, new Date(r.startedAt).toISOString(), duration];
}

async function status(engine: Engine, key: string, flags: Flags, ctx: CliContext, policy: HostPolicy): Promise<number> {
  const timeoutMs = parseDuration(flags.timeout ?? '5m');
  const deadline = engine.clock.now() + timeoutMs;
  const readiness = createReadiness({ docker: engine.docker, clock: engine.clock, store: engine.store, app: engine.app, log: engine.log, policy });
  let last = '';
  let warnedIdle = false;
  const noted = new Set<string>();
  try {
    for (;;) {
      const result = await runPass(
        { docker: engine.docker, store: engine.store, clock: engine.clock, log: engine.log, random: engine.random, plane: engine.plane, readiness },
        { app: engine.app, target: { kind: 'applied' }, prune: false, dryRun: true, waitForReady: false, timeoutMs: 0 },
      );
      const st = result.converge?.firstPlan.workloads.find((w) => w.key === key)?.deployment;
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
      if (st?.complete) {
        print(ctx.io.stdout, `deployment "${parseKey(key).name}" successfully rolled out`);
        return 0;
      }
      const line = st ? progressLine(parseKey(key).name, st, replicasOf(result, key)) : `Waiting for deployment "${parseKey(key).name}" to be observed...`;
      if (line !== last) print(ctx.io.stdout, line);
      last = line;
      if (flags.watch === false) return 1;
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

/** kubectl's wording, so scripts and eyes that know it keep working. */
function progressLine(name: string, st: DeploymentStatus, replicas: number): string {
  if (st.updatedReplicas < replicas) return `Waiting for deployment "${name}" rollout to finish: ${st.updatedReplicas} out of ${replicas} new replicas have been updated...`;
  if (st.oldReplicas > 0) return `Waiting for deployment "${name}" rollout to finish: ${st.oldReplicas} old replicas are pending termination...`;
  return `Waiting for deployment "${name}" rollout to finish: ${st.availableReplicas} of ${replicas} updated replicas are available...`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 2))).join('')).join('\n');
}

function indent(text: string, pad: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}

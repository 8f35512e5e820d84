import { hostname } from 'node:os';
import { dump } from 'js-yaml';
import { buildDesiredState } from '../../plan/desired.js';
import type { DeploymentStatus } from '../../plan/controllers/deployment.js';
import { BerthError, isBerthError } from '../../model/errors.js';
import type { AnyObject } from '../../model/types.js';
import { withLease } from '../../runtime/hold-lease.js';
import { appHashKeys } from '../../runtime/host-key.js';
import { runInventoryPass } from '../../runtime/pass.js';
import type { PassResult } from '../../runtime/pass.js';
import { createReadiness } from '../../runtime/readiness.js';
import type { RestartOverride } from '../../plan/rollouts/state.js';
import { sourceRevisionOf } from '../../model/source-revision.js';
import type { InventoryEntry, RolloutRecord } from '../../runtime/store/index.js';
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
import { policyInForce, problemLines } from '../../runtime/pass.js';
import { storedTemplateRefusal } from '../../model/pod-policy.js';

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
        return await undo(engine, key, flags, ctx, explicit);
      // restart, pause and resume bring no template the app was not applied with: no policy check.
      case 'restart':
        return await change(engine, key, flags, ctx, explicit, 'restarted', () => {
          const value: RestartOverride = { restartedAt: new Date(engine.clock.now()).toISOString(), sourceHash: sourceTemplateHash(engine, key) };
          engine.store.setDeploymentOverride(engine.app, key, 'restart', JSON.stringify(value));
        });
      case 'pause':
        return await change(engine, key, flags, ctx, explicit, 'paused', () => {
          engine.store.setDeploymentOverride(engine.app, key, 'pause', 'true');
        });
      case 'resume':
        return await change(engine, key, flags, ctx, explicit, 'resumed', () => (engine.store.clearDeploymentOverride(engine.app, key, 'pause') ? undefined : { unchanged: `${name(key)} is not paused` }));
    }
  } finally {
    engine.close();
  }
}

function name(key: string): string {
  return `deployment.apps/${parseKey(key).name}`;
}

/**
 * The hash a pass computes for the Deployment's source template: from the whole inventory,
 * since it covers the content of the ConfigMaps and Secrets the template uses (a restart
 * recorded against the template alone would never match, and be dropped as stale).
 */
function sourceTemplateHash(engine: Engine, key: string): string {
  const inventory = engine.store.getInventory(engine.app);
  const resources = inventory.map((e) => ({ key: e.key, object: e.object as AnyObject, source: { file: '', line: 0, column: 0 } }));
  const w = buildDesiredState(resources, { hashKey: appHashKeys(engine.store, engine.app).template }).workloads.find((x) => x.key === key);
  if (!w) throw new BerthError('INTERNAL', `cannot compute the template of ${key}`);
  return w.template.hash;
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
      const result = await runInventoryPass(
        { docker: engine.docker, store: engine.store, clock: engine.clock, log: engine.log, random: engine.random, plane: engine.plane, readiness },
        { app: engine.app, prune: false, dryRun: true, waitForReady: false, timeoutMs: 0 },
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

async function undo(engine: Engine, key: string, flags: Flags, ctx: CliContext, explicit: HostPolicy | undefined): Promise<number> {
  const records = engine.store.listRollouts(engine.app, key);
  const current = records[records.length - 1];
  if (!current) throw new BerthError('NOT_FOUND', `${name(key)} has no rollout history`, { key });
  // A template whose rollout failed would fail again, and a pin to it would hold the
  // Deployment there (a pin outranks the rollback): never a target.
  const failed = (r: RolloutRecord) => r.outcome === 'failed' || r.outcome === 'rolled-back' || engine.store.isFailedTemplate(engine.app, key, r.templateHash);
  const target =
    flags.toRevision !== undefined && flags.toRevision !== '0'
      ? records.find((r) => r.revision === Number(flags.toRevision))
      : [...records].reverse().find((r) => r.revision < current.revision && !failed(r));
  if (!target)
    throw new BerthError('NOT_FOUND', flags.toRevision ? `unable to find the specified revision ${flags.toRevision}` : `no rollout history found for ${name(key)} before revision ${current.revision} that did not fail`, { key });
  if (failed(target))
    throw new BerthError('USAGE', `revision ${target.revision} of ${name(key)} failed its rollout${target.message ? ` (${target.message})` : ''}; undoing to it would fail again`, {
      key,
      revision: target.revision,
      hint: `pick a revision that completed: berth rollout history ${name(key).replace('.apps', '')}`,
    });
  return change(engine, key, flags, ctx, explicit, 'rolled back', (policy) => {
    // The one template undo brings: checked under the policy of its day, it runs again only
    // if the policy in force allows it. Under a daemon (no policy here) the daemon's pass does.
    const refused = policy ? storedTemplateRefusal(target.template, policy) : [];
    if (refused.length > 0)
      throw new BerthError('POLICY_DENIED', `cannot undo ${name(key)} to revision ${target.revision}: this host's policy refuses its pod template; nothing was changed:${problemLines(refused)}`, {
        key,
        revision: target.revision,
        refused,
        hint: 'pass the host-policy flags that allow it (docs/security.md), or pick another revision',
      });
    // Pinned against what the passes will compare it with, so the pin holds until the source moves.
    const sourceRevision = sourceRevisionOf(engine.store.getSourceStatus(engine.app), engine.store.getInventory(engine.app));
    engine.store.setPin(engine.app, key, { revision: target.revision, templateHash: target.templateHash, sourceRevisionAtPin: sourceRevision });
    engine.store.addEvent({ app: engine.app, type: 'Normal', reason: 'DeploymentRollback', objectKey: key, message: `pinned to revision ${target.revision} by rollout undo`, sourceRevision });
  });
}

/**
 * What `record` did: undefined when it recorded a change; `unchanged` when there was nothing
 * to change (printed, exit 0, nothing converged).
 */
type Recorded = undefined | { unchanged: string };

/**
 * Records a command's change in the store, then makes the host follow. Without a daemon, under
 * the app's lease: `record` gets the policy in force (the flags given, else the policy the app
 * was last applied with) and may refuse, changing nothing; a pass over the inventory follows
 * under that policy. When a daemon holds the app, `record` gets no policy: the daemon holds
 * what it converges to its own policy, and is asked to pass now.
 */
async function change(engine: Engine, key: string, flags: Flags, ctx: CliContext, explicit: HostPolicy | undefined, verb: string, record: (policy: HostPolicy | undefined) => Recorded): Promise<number> {
  const policy = policyInForce(engine.store, engine.app, explicit);
  const readiness = createReadiness({ docker: engine.docker, clock: engine.clock, store: engine.store, app: engine.app, log: engine.log, policy });
  try {
    const outcome = await withLease(engine.store, engine.clock, engine.app, engine.holder, async () => {
      const recorded = record(policy);
      if (recorded) return recorded;
      return runInventoryPass(
        { docker: engine.docker, store: engine.store, clock: engine.clock, log: engine.log, random: engine.random, plane: engine.plane, readiness, hooks: readiness.hooks },
        { app: engine.app, prune: false, waitForReady: flags.wait ?? false, timeoutMs: parseDuration(flags.timeout ?? '5m'), signal: ctx.io.interrupted, hostPolicy: policy },
      );
    });
    if ('unchanged' in outcome) {
      print(ctx.io.stderr, outcome.unchanged);
      return 0;
    }
    const result = outcome;
    print(ctx.io.stdout, `${name(key)} ${verb}`);
    for (const r of result.converge?.results ?? []) if (!r.ok) print(ctx.io.stderr, `error: ${r.error?.message}`);
    if (result.rolloutsFailed.includes(key)) {
      print(ctx.io.stderr, `error: the rollout of ${name(key)} failed`);
      return 1;
    }
    if (result.converge?.results.some((r) => !r.ok)) return 3;
    return result.converge?.timedOut ? 1 : 0;
  } catch (err) {
    const heldBy = isBerthError(err, 'LEASE_HELD') ? err.data.heldBy : undefined;
    if (heldBy?.kind !== 'daemon') throw err;
    const recorded = record(undefined);
    if (recorded) {
      print(ctx.io.stderr, recorded.unchanged);
      return 0;
    }
    print(ctx.io.stdout, `${name(key)} ${verb}`);
    // The daemon owns the host; the change is in the store. On this host, SIGHUP makes it
    // sync now; elsewhere (or in another pid namespace) its next pass picks the change up.
    let signalled = false;
    if (heldBy.pid && heldBy.hostname === hostname()) {
      try {
        process.kill(heldBy.pid, 'SIGHUP');
        signalled = true;
      } catch {
        signalled = false;
      }
    }
    print(ctx.io.stderr, signalled ? `note: the berth daemon (pid ${heldBy.pid}) manages this app; asked it to apply the change now` : 'note: a berth daemon manages this app; it applies the change on its next pass');
    return 0;
  } finally {
    await readiness.stop();
  }
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

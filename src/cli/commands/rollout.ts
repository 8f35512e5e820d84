import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { EngineFlags } from '../engine-flags.js';
import { addEngineOptions, parseDuration } from '../engine-flags.js';
import type { ValidationFlags } from '../validation-flags.js';
import { addHostPolicyOptions } from '../validation-flags.js';
import { parseObjectArgs } from '../resource-args.js';
import { NAMESPACE_HELP } from '../help-defaults.js';

interface RolloutFlags extends EngineFlags, ValidationFlags {
  namespace?: string;
  timeout?: string;
  revision?: string;
  toRevision?: string;
  wait?: boolean;
  watch?: boolean;
}

/**
 * `berth rollout status|history|undo|restart|pause|resume deploy/NAME` (SPEC §4, §7), and
 * status|history|undo|restart of `ds/NAME`.
 * Implementation is loaded on use (./rollout-run.js) to keep CLI start-up light.
 */
export function registerRollout(program: Command, ctx: CliContext): void {
  const rollout = program.command('rollout').description('manage the rollout of a deployment, daemonset or statefulset: status, history, undo, restart, pause, resume (deployments)');
  const sub = (name: string, description: string) => {
    const cmd = rollout
      .command(name)
      .usage('(TYPE NAME | TYPE/NAME) [flags]')
      .argument('<resource...>', 'deployment web, deploy/web, ds/agent, sts/db (several names or TYPE/NAME pairs: each in turn); a bare NAME is a deployment')
      .description(description)
      .option('-n, --namespace <ns>', NAMESPACE_HELP);
    addEngineOptions(cmd);
    // undo, restart, pause and resume converge the app's stored templates: under the host policy
    // the app was last applied with, or the one these flags give (docs/security.md). status and
    // history only read (status probes under the policy the app was applied with), so they offer
    // no policy flags, like get and describe.
    return name === 'history' || name === 'status' ? cmd : addHostPolicyOptions(cmd);
  };
  const run = (action: 'status' | 'history' | 'undo' | 'restart' | 'pause' | 'resume') => async (args: string[], flags: RolloutFlags) => {
    const keys = rolloutKeys(args, flags.namespace ?? ctx.io.env.BERTH_NAMESPACE ?? 'default');
    const { runRollout } = await import('./rollout-run.js');
    // kubectl acts on each object in turn; the exit code is the worst of them.
    let code = 0;
    for (const key of keys) code = Math.max(code, await runRollout(action, key, flags, ctx));
    ctx.exitCode = code;
  };
  sub('status', 'wait for the rollout to finish; exit 1 if it failed (was rolled back) or timed out')
    .option('--timeout <duration>', 'how long to wait', '5m')
    .option('-w, --watch', 'wait for the rollout to finish (default)', true)
    .option('--no-watch', 'print the current status and exit')
    .action(run('status'));
  sub('history', 'list revisions with their source revision, change cause and outcome').option('--revision <n>', 'show the pod template of one revision').action(run('history'));
  sub('undo', 'roll back to the previous (or a given) revision and pin it until the source changes')
    .option('--to-revision <n>', 'revision to go back to (default: the one before the current)')
    .option('--wait', 'wait for the pods of that revision to be ready')
    .option('--timeout <duration>', 'give up after this long', '5m')
    .action(run('undo'));
  sub('restart', 'replace every pod with a fresh one, as a rolling update').option('--wait', 'wait for the new pods to be ready').option('--timeout <duration>', 'give up after this long', '5m').action(run('restart'));
  sub('pause', 'stop rolling out new templates (scaling and healing continue)').option('--timeout <duration>', 'give up waiting for the app (another command, the daemon) after this long', '5m').action(run('pause'));
  sub('resume', 'resume a paused rollout').option('--wait', 'wait for the rollout to finish').option('--timeout <duration>', 'give up after this long', '5m').action(run('resume'));
}

/**
 * kubectl's `rollout` arguments, through the one resource-argument parser: `deployment web`,
 * `deploy/web`, `ds agent`, `sts/db`, several names, or a bare `web` (a Deployment) →
 * inventory keys `Deployment/ns/web`.
 */
export function rolloutKeys(args: readonly string[], namespace: string): string[] {
  return parseObjectArgs(args, 'rollout', ['Deployment', 'DaemonSet', 'StatefulSet'], 'Deployment').map((r) => `${r.kind}/${namespace}/${r.name}`);
}

export { parseDuration };

import type { Command } from 'commander';
import { BerthError } from '../../model/errors.js';
import type { CliContext } from '../context.js';
import type { EngineFlags } from '../engine-flags.js';
import { addEngineOptions, parseDuration } from '../engine-flags.js';
import type { ValidationFlags } from '../validation-flags.js';
import { addHostPolicyOptions } from '../validation-flags.js';

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
    const cmd = rollout.command(`${name} <deployment>`).description(description).option('-n, --namespace <ns>', 'namespace (default: $BERTH_NAMESPACE or "default")');
    addEngineOptions(cmd);
    // Every subcommand but history converges or probes the app's stored templates: under the
    // host policy the app was last applied with, or the one these flags give (docs/security.md).
    return name === 'history' ? cmd : addHostPolicyOptions(cmd);
  };
  const run = (action: 'status' | 'history' | 'undo' | 'restart' | 'pause' | 'resume') => async (target: string, flags: RolloutFlags) => {
    const { runRollout } = await import('./rollout-run.js');
    ctx.exitCode = await runRollout(action, deploymentKey(target, flags.namespace ?? ctx.io.env.BERTH_NAMESPACE ?? 'default'), flags, ctx);
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
 * `deploy/web`, `deployment/web`, `deployments.apps/web` or plain `web` → `Deployment/ns/web`;
 * `ds/agent`, `daemonset/agent`, `daemonsets.apps/agent` → `DaemonSet/ns/agent`.
 * `sts/db`, `statefulset/db`, `statefulsets.apps/db` → `StatefulSet/ns/db`.
 */
export function deploymentKey(target: string, namespace: string): string {
  const slash = target.indexOf('/');
  const kind = slash >= 0 ? target.slice(0, slash).toLowerCase().replace(/\.apps$/, '') : 'deployment';
  const name = slash >= 0 ? target.slice(slash + 1) : target;
  const resource = (['ds', 'daemonset', 'daemonsets'].includes(kind) ? 'DaemonSet' : ['sts', 'statefulset', 'statefulsets'].includes(kind) ? 'StatefulSet' : ['deploy', 'deployment', 'deployments'].includes(kind) ? 'Deployment' : undefined);
  if (!resource)
    throw new BerthError('USAGE', `rollout works on deployments, daemonsets and statefulsets, not "${target.slice(0, slash)}"`, { target, hint: 'use deploy/NAME, ds/NAME or sts/NAME' });
  if (!name) throw new BerthError('USAGE', `missing ${resource.toLowerCase()} name in "${target}"`, { target });
  return `${resource}/${namespace}/${name}`;
}

export { parseDuration };

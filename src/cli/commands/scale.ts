import type { Command } from 'commander';
import { BerthError } from '../../model/errors.js';
import type { CliContext } from '../context.js';
import { print } from '../context.js';
import type { EngineFlags } from '../engine-flags.js';
import type { ValidationFlags } from '../validation-flags.js';
import { addHostPolicyOptions, explicitHostPolicy } from '../validation-flags.js';
import { addEngineOptions, parseDuration } from '../engine-flags.js';
import { parseObjectArgs } from '../resource-args.js';
import { SCALABLE_KINDS } from '../../model/kinds.js';
import { NAMESPACE_HELP } from '../help-defaults.js';

interface ScaleFlags extends EngineFlags, ValidationFlags {
  replicas: string;
  namespace?: string;
  wait?: boolean;
  timeout: string;
}


/**
 * `berth scale deploy/NAME --replicas N`: overrides the replica count of what was last applied
 * and converges at once (through the daemon when one manages the app). The source stays the
 * truth: the count lasts until an apply or a daemon sync brings a changed object of that name
 * (plan/overrides.ts); applying the same manifests again keeps it.
 */
export function registerScale(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('scale')
    .usage('[--replicas N] (TYPE NAME | TYPE/NAME) [flags]')
    .argument('<resource...>', 'deployment web, deploy/web, rs/NAME, rc/NAME, sts/NAME; several names or TYPE/NAME pairs scale each')
    .description('set the number of replicas of a deployment, replicaset, replicationcontroller or statefulset (until the source changes it)')
    .requiredOption('--replicas <n>', 'the new number of replicas')
    .option('-n, --namespace <ns>', NAMESPACE_HELP)
    .option('--wait', 'wait until the new pods are ready')
    .option('--timeout <duration>', 'give up waiting after this long', '5m');
  addEngineOptions(cmd);
  // Scaling converges the app's stored inventory: under the policy it was last applied with,
  // or the one these flags give (hostPath prefixes and probe hosts the pods need).
  addHostPolicyOptions(cmd);
  cmd.action(async (args: string[], flags: ScaleFlags) => {
    // kubectl's forms (`scale deploy/web`, `scale deploy web api`), by the shared parser.
    const refs = parseObjectArgs(args, 'scale', SCALABLE_KINDS);
    const namespace = flags.namespace ?? ctx.io.env.BERTH_NAMESPACE ?? 'default';
    const replicas = Number(flags.replicas);
    if (!Number.isInteger(replicas) || replicas < 0) throw new BerthError('USAGE', `--replicas must be a non-negative integer, not "${flags.replicas}"`);
    // Policy flags given here replace, for this command, the policy the app was last applied with.
    const explicit = explicitHostPolicy(flags);
    const [{ openEngine }, { policyInForce }, { submitChange }] = await Promise.all([import('../engine.js'), import('../../runtime/pass/index.js'), import('./submit-change.js')]);
    const engine = openEngine(flags, ctx.io);
    try {
      let code = 0;
      for (const { kind, name } of refs) {
        const key = `${kind}/${namespace}/${name}`;
        // Recorded as an intent (a `replicas` override; the inventory keeps the source's object),
        // acted on by the pass that holds the app: here, or the daemon's.
        code = Math.max(code, await submitChange(engine, ctx, { type: 'scale', key, replicas }, { wait: flags.wait ?? false, timeoutMs: parseDuration(flags.timeout), policy: policyInForce(engine.store, engine.app, explicit), key }));
      }
      ctx.exitCode = code;
    } finally {
      await engine.close();
    }
  });
}

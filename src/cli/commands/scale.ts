import type { Command } from 'commander';
import { BerthError } from '../../model/errors.js';
import type { CliContext } from '../context.js';
import { print } from '../context.js';
import type { EngineFlags } from '../engine-flags.js';
import type { ValidationFlags } from '../validation-flags.js';
import { addHostPolicyOptions, explicitHostPolicy } from '../validation-flags.js';
import { addEngineOptions, parseDuration } from '../engine-flags.js';

interface ScaleFlags extends EngineFlags, ValidationFlags {
  replicas: string;
  namespace?: string;
  wait?: boolean;
  timeout: string;
}

const SCALABLE: Record<string, string> = {
  deploy: 'Deployment',
  deployment: 'Deployment',
  deployments: 'Deployment',
  rs: 'ReplicaSet',
  replicaset: 'ReplicaSet',
  replicasets: 'ReplicaSet',
  rc: 'ReplicationController',
  replicationcontroller: 'ReplicationController',
  replicationcontrollers: 'ReplicationController',
};

/**
 * `berth scale deploy/NAME --replicas N`: changes the replica count of what was last applied
 * and converges at once. In GitOps the source stays the truth: the next apply or daemon sync
 * of an unchanged source restores the source's count (as Argo CD's self-heal does).
 */
export function registerScale(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('scale <resource> [name]')
    .description('set the number of replicas of a deployment, replicaset or replicationcontroller (until the next sync from the source)')
    .requiredOption('--replicas <n>', 'the new number of replicas')
    .option('-n, --namespace <ns>', 'namespace (default: $BERTH_NAMESPACE or "default")')
    .option('--wait', 'wait until the new pods are ready')
    .option('--timeout <duration>', 'give up waiting after this long', '5m');
  addEngineOptions(cmd);
  // Scaling converges the app's stored inventory: under the policy it was last applied with,
  // or the one these flags give (hostPath prefixes and probe hosts the pods need).
  addHostPolicyOptions(cmd);
  cmd.action(async (resource: string, second: string | undefined, flags: ScaleFlags) => {
    // kubectl takes both `scale deploy/web` and `scale deploy web`.
    const target = second === undefined ? resource : `${resource}/${second}`;
    const namespace = flags.namespace ?? ctx.io.env.BERTH_NAMESPACE ?? 'default';
    const replicas = Number(flags.replicas);
    if (!Number.isInteger(replicas) || replicas < 0) throw new BerthError('USAGE', `--replicas must be a non-negative integer, not "${flags.replicas}"`);
    const [kindText = '', name = ''] = target.split('/');
    const kind = SCALABLE[kindText.toLowerCase().replace(/\.apps$/, '')];
    if (!kind || !name) throw new BerthError('USAGE', `cannot scale "${target}": use deploy/NAME, rs/NAME or rc/NAME`, { target });
    // Policy flags given here replace, for this command, the policy the app was last applied with.
    const explicit = explicitHostPolicy(flags);
    const [{ openEngine }, { runInventoryPass, policyInForce }, { withLease }, { createReadiness }, { specHash }] = await Promise.all([
      import('../engine.js'),
      import('../../runtime/pass.js'),
      import('../../runtime/hold-lease.js'),
      import('../../runtime/readiness.js'),
      import('../../model/hash.js'),
    ]);
    const engine = openEngine(flags, ctx.io);
    const policy = policyInForce(engine.store, engine.app, explicit);
    const readiness = createReadiness({ docker: engine.docker, clock: engine.clock, store: engine.store, app: engine.app, log: engine.log, policy });
    try {
      const key = `${kind}/${namespace}/${name}`;
      const result = await withLease(engine.store, engine.clock, engine.app, engine.holder, async () => {
        const entry = engine.store.getInventory(engine.app).find((e) => e.key === key);
        if (!entry) throw new BerthError('NOT_FOUND', `${kind.toLowerCase()} "${name}" not found in namespace ${namespace} (app ${engine.app})`, { key });
        // No policy check: scaling runs more or fewer pods of a template the app was applied with.
        const object = structuredClone(entry.object) as { spec: { replicas: number } };
        object.spec.replicas = replicas;
        engine.store.upsertInventory(engine.app, { key, kind: entry.kind, namespace: entry.namespace, name: entry.name, specHash: specHash(object), object }, { sourceRevision: entry.sourceRevision });
        engine.store.addEvent({ app: engine.app, type: 'Normal', reason: 'ScalingReplicaSet', objectKey: key, message: `scaled to ${replicas} by berth scale` });
        return runInventoryPass(
          { docker: engine.docker, store: engine.store, clock: engine.clock, log: engine.log, random: engine.random, plane: engine.plane, readiness, hooks: readiness.hooks },
          { app: engine.app, prune: false, waitForReady: flags.wait ?? false, timeoutMs: parseDuration(flags.timeout), signal: ctx.io.interrupted, hostPolicy: policy },
        );
      });
      print(ctx.io.stdout, `${kind === 'Deployment' ? 'deployment.apps' : kind === 'ReplicaSet' ? 'replicaset.apps' : 'replicationcontroller'}/${name} scaled`);
      const failed = result.converge?.results.filter((r) => !r.ok) ?? [];
      for (const r of failed) print(ctx.io.stderr, `error: ${r.error?.message}`);
      ctx.exitCode = failed.length ? 3 : result.converge?.timedOut ? 1 : 0;
    } finally {
      await readiness.stop();
      engine.close();
    }
  });
}

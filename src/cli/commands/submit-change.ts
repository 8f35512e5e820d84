import { BerthError } from '../../model/errors.js';
import type { IntentSpec } from '../../model/intent.js';
import type { HostPolicy } from '../../model/policy.js';
import { display } from '../../plan/intents.js';
import { submit } from '../../runtime/control.js';
import { createReadiness } from '../../runtime/readiness.js';
import type { CliContext } from '../context.js';
import { print } from '../context.js';
import type { Engine } from '../engine.js';
import { wakeDaemon } from '../wake-daemon.js';
import { waitForWorkload } from './rollout-watch.js';

/**
 * What `rollout undo|restart|pause|resume` and `scale` share: submit the change as an intent
 * (runtime/control.ts) and print what became of it. Exit codes: a refused change throws its
 * error (NOT_FOUND 1, USAGE 2, POLICY_DENIED 2); a failed rollout 1, failed actions 3, a
 * timed-out wait 1. With a daemon, the command returns once the daemon took the change, or
 * with `wait`, once what runs is ready (the daemon converges it; this process only watches).
 */
export async function submitChange(
  engine: Engine,
  ctx: CliContext,
  spec: IntentSpec,
  options: { wait: boolean; timeoutMs: number; policy: HostPolicy; key: string },
): Promise<number> {
  const started = engine.clock.now();
  const readiness = createReadiness({ docker: engine.docker, clock: engine.clock, store: engine.store, app: engine.app, log: engine.log, holder: engine.holder, policy: options.policy });
  try {
    const outcome = await submit(
      { docker: engine.docker, store: engine.store, clock: engine.clock, log: engine.log, random: engine.random, plane: engine.plane, readiness, hooks: readiness.hooks, holder: engine.holder, wake: wakeDaemon },
      spec,
      { app: engine.app, wait: options.wait, timeoutMs: options.timeoutMs, signal: ctx.io.interrupted, hostPolicy: options.policy },
    );
    const { result } = outcome;
    if (!result.ok) {
      const error = result.error ?? { code: 'INTERNAL' as const, message: result.message };
      throw new BerthError(error.code, error.message, error.data ?? {});
    }
    if (result.unchanged) {
      print(ctx.io.stderr, result.message);
      return 0;
    }
    print(ctx.io.stdout, result.message);
    if (outcome.by === 'lease-holder') {
      if (outcome.daemon)
        print(ctx.io.stderr, `note: the berth daemon (pid ${outcome.daemon.pid}${outcome.woken ? '' : ` on ${outcome.daemon.hostname}`}) manages this app; it took the change and converges it`);
      // One --timeout for the whole command: what taking the change used is not waited again.
      if (options.wait) return await waitForWorkload(engine, options.key, Math.max(0, options.timeoutMs - (engine.clock.now() - started)), ctx, options.policy);
      return 0;
    }
    const pass = outcome.pass;
    for (const r of pass?.converge?.results ?? []) if (!r.ok) print(ctx.io.stderr, `error: ${r.error?.message}`);
    if (pass?.rolloutsFailed.includes(options.key)) {
      print(ctx.io.stderr, `error: the rollout of ${display(options.key)} failed`);
      return 1;
    }
    if (pass?.converge?.results.some((r) => !r.ok)) return 3;
    return pass?.converge?.timedOut ? 1 : 0;
  } finally {
    await readiness.stop();
  }
}

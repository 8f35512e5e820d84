import type { HostPolicy } from '../../model/policy.js';
import { runPass } from '../../runtime/pass/index.js';
import type { PassResult } from '../../runtime/pass/index.js';
import { createReadiness } from '../../runtime/readiness.js';
import type { CliContext } from '../context.js';
import { print } from '../context.js';
import type { Engine } from '../engine.js';

/** What one look at the plan says: finished (with the exit code and last words), or still on its way. */
export type Look =
  | { exit: number; out?: string; err?: string }
  | {
      /** The progress line, printed whenever it changes. */
      line: string;
      /** Nothing more will happen without someone acting: stop with 1. */
      stuck?: boolean;
      /** Said once each on stderr while watching (who would move it on, a pause). */
      notes?: string[];
    };

export interface FollowOptions {
  timeoutMs: number;
  /** Without it, one look: 0 if finished, else the line and 1. */
  watch: boolean;
  /** What a timeout says on stderr. */
  timedOut: string;
}

/**
 * The loop of `rollout status` and `--wait` for every kind: plans what runs, read-only, once a
 * second, and asks `look` what it means for the object followed, until it is finished, stuck, or
 * the timeout. One loop, so every kind waits, prints and gives up alike.
 */
export async function followPlan(engine: Engine, policy: HostPolicy, ctx: CliContext, options: FollowOptions, look: (result: PassResult) => Look): Promise<number> {
  const deadline = engine.clock.now() + options.timeoutMs;
  const readiness = createReadiness({ docker: engine.docker, clock: engine.clock, store: engine.store, app: engine.app, log: engine.log, holder: engine.holder, policy });
  let last = '';
  const said = new Set<string>();
  try {
    for (;;) {
      const result = await runPass(
        { docker: engine.docker, store: engine.store, clock: engine.clock, log: engine.log, random: engine.random, plane: engine.plane, readiness },
        { app: engine.app, target: { kind: 'applied' }, prune: false, dryRun: true, waitForReady: false, timeoutMs: 0 },
      );
      const seen = look(result);
      if ('exit' in seen) {
        if (seen.out !== undefined) print(ctx.io.stdout, seen.out);
        if (seen.err !== undefined) print(ctx.io.stderr, seen.err);
        return seen.exit;
      }
      if (seen.line !== last) print(ctx.io.stdout, seen.line);
      last = seen.line;
      if (!options.watch || seen.stuck) return 1;
      for (const note of seen.notes ?? []) {
        if (said.has(note)) continue;
        said.add(note);
        print(ctx.io.stderr, note);
      }
      if (engine.clock.now() >= deadline) {
        print(ctx.io.stderr, options.timedOut);
        return 1;
      }
      await engine.clock.sleep(1000, ctx.io.interrupted);
    }
  } finally {
    await readiness.stop();
  }
}

/** Divergences about `key` not printed yet, as `note:` lines on stdout (the plan says them every look). */
export function newDivergenceNotes(result: PassResult, key: string, noted: Set<string>, ctx: CliContext): void {
  for (const d of result.divergences.filter((x) => x.deployment === key && !noted.has(x.message))) {
    noted.add(d.message);
    print(ctx.io.stdout, `note: ${d.message}`);
  }
}

export const IDLE_NOTE = 'note: no berth daemon or apply is driving this app right now; run `berth apply` (or start `berth daemon`) to continue the rollout';

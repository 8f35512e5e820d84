import { isBerthError } from '../../model/errors.js';
import type { Intent } from '../../model/intent.js';
import type { Resource } from '../../model/types.js';
import type { PassDeps as ConvergeDeps } from '../pass/index.js';
import type { Logger } from '../log.js';
import { actOnPassIntent } from '../pass-intents.js';
import type { PassOutcomes } from './pass-outcome.js';
import type { PassContext, PassOutcome } from './loop.js';

export interface DaemonPassIntentDeps {
  passDeps: ConvergeDeps;
  outcomes: PassOutcomes;
  /** The source the daemon follows, and its latest revision: a change made here holds against it. */
  source: string;
  latest: string | undefined;
  jobs: readonly Resource[];
  appliedBefore: string | undefined;
  log: Logger;
}

/**
 * A daemon pass that acts on a command's `apply` or `delete` (issue 12 F3) instead of the
 * source: the same pass the command runs without a daemon, and the change then holds until
 * the source moves (plan/local-hold.ts). Another pass follows at once: more intents may wait,
 * and the held inventory is converged as usual from then on.
 */
export async function runDaemonPassIntent(deps: DaemonPassIntentDeps, intent: Intent, ctx: PassContext, startedAt: number): Promise<PassOutcome> {
  const { outcomes, log } = deps;
  log.info({ intent: intent.id, type: intent.spec.type }, 'acting on a command\'s change');
  let acted: Awaited<ReturnType<typeof actOnPassIntent>>;
  try {
    acted = await actOnPassIntent(deps.passDeps, intent, { follows: { source: deps.source, latest: deps.latest }, extraResources: deps.jobs, signal: ctx.signal });
  } catch (err) {
    // Refused as the command asked it (an empty revision to prune without --allow-empty): the
    // command prints why; the daemon's own work is not failing.
    if (ctx.signal.aborted || !isBerthError(err, 'USAGE')) throw err;
    outcomes.finish(ctx, startedAt, 'invalid', deps.appliedBefore, 0, err);
    return { status: 'ok', againAfterMs: 0 };
  }
  if (!acted) return { status: 'ok', againAfterMs: 0 };
  if (acted.pass) {
    if (!acted.pass.valid) {
      // The command's input, not the source's: reported to the command (file:line), never refused for the source.
      outcomes.finish(ctx, startedAt, 'invalid', acted.pass.revision.id, 0);
      return { status: 'ok', againAfterMs: 0 };
    }
    outcomes.after(ctx, startedAt, acted.pass, log, deps.appliedBefore, new Set(deps.jobs.map((j) => j.key)));
    return { status: 'ok', againAfterMs: 0 };
  }
  const deleted = acted.deleted!;
  const failed = deleted.targets.some((t) => t.found && !t.ok) || deleted.otherErrors.length > 0;
  outcomes.finish(ctx, startedAt, failed ? 'failed' : 'synced', deps.appliedBefore, deleted.targets.length, failed ? (deleted.targets.flatMap((t) => t.errors)[0] ?? deleted.otherErrors[0]) : undefined);
  return { status: 'ok', againAfterMs: 0 };
}

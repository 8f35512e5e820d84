import type { Clock } from '../../model/clock.js';
import type { Logger } from '../log.js';
import type { ResourceChange } from '../pass/index.js';

/**
 * How long a watched folder must have been quiet (no file event) before a revision that would
 * prune is applied. The debounce (200 ms) and the size check catch a file still being
 * appended to, but not a writer that pauses between two writes: the first half of a
 * multi-document file is a valid revision, and the daemon always prunes, so a pause of 0.6 s
 * before the last document deleted every pod of that Deployment and recreated them a second
 * later. Deleting is the one change such a partial revision makes that costs an outage, so
 * only it waits; 2 s covers an editor's or a script's pauses between writes and costs a
 * deliberate deletion no more than a moment. Edits that create or change objects keep the
 * debounce's latency.
 */
export const PRUNE_CONFIRM_MS = 2_000;

export interface PruneConfirmDeps {
  clock: Clock;
  log: Logger;
  /** When the source last saw a file event; undefined for sources whose revisions are whole (Git). */
  lastFileEventAt(): number | undefined;
  windowMs?: number;
}

export interface PruneConfirm {
  /** PassRequest.confirm for `revision`: 0 to apply now, else how many ms the folder must still stay quiet. */
  confirm(revision: string, changes: readonly ResourceChange[]): number;
}

/** The daemon's gate for folder revisions that would delete something (SPEC §1: half-written files are never applied). */
export function createPruneConfirm(deps: PruneConfirmDeps): PruneConfirm {
  const windowMs = deps.windowMs ?? PRUNE_CONFIRM_MS;
  /** The revision waiting now, reported once however many passes it defers; cleared when a pass goes on. */
  let waiting: string | undefined;
  return {
    confirm(revision, changes) {
      const since = deps.lastFileEventAt();
      const pruned = changes.filter((c) => c.change === 'pruned').length;
      const waitMs = since === undefined || pruned === 0 ? 0 : since + windowMs - deps.clock.now();
      if (waitMs <= 0) {
        waiting = undefined;
        return 0;
      }
      if (waiting !== revision) deps.log.info({ pruned, waitMs }, 'revision would prune objects; waiting for the folder to stay quiet');
      waiting = revision;
      return waitMs;
    },
  };
}

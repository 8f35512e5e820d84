import type { Clock, ClockTimer } from '../../model/clock.js';
import { isBerthError } from '../../model/errors.js';
import { delay, type BackoffPolicy } from '../../model/backoff.js';
import type { GitSource } from '../../sources/git.js';
import type { Revision } from '../../model/revision.js';
import type { FolderWatcher } from '../../sources/watch.js';
import { watchFolder } from '../../sources/watch.js';
import type { Logger } from '../log.js';

export type SourceSpec =
  | { kind: 'git'; source: GitSource; pollIntervalMs: number }
  | { kind: 'folder'; dir: string; description: string; debounceMs: number };

/** What the API reports about fetching, besides the store's source status. */
export interface SourceState {
  description: string;
  /** The newest revision read from the source (valid or not). */
  latest?: { id: string; origin: string; at: number; commit?: { message: string; author: string; committedAt: number } };
  firstFetchDone: boolean;
  lastError?: { code: string; reason?: string; message: string; at: number };
  consecutiveFailures: number;
  nextFetchAt?: number;
}

export interface SourceDriver {
  start(): Promise<void>;
  /** Fetch (git) or read the folder as soon as possible (webhook, `POST /api/v1/sync`, SIGHUP); a fetch in flight is followed by one more. */
  fetchNow(): void;
  latest(): Revision | undefined;
  /**
   * Folders: clock time of the newest file event (or of the watch's start), from which the
   * daemon measures how long the folder has been quiet. Git: undefined (a commit is whole).
   */
  lastFileEventAt(): number | undefined;
  state(): SourceState;
  close(): Promise<void>;
}

export interface SourceDriverDeps {
  spec: SourceSpec;
  clock: Clock;
  random: () => number;
  log: Logger;
  backoff: BackoffPolicy;
  /** A revision whose id differs from the previous one. */
  onRevision(rev: Revision): void;
  /** Every failed fetch or read (for status and metrics); the driver retries by itself. */
  onError(err: unknown, state: SourceState): void;
  /** Every successful fetch, changed or not. */
  onFetched?(rev: Revision): void;
}

/**
 * Keeps the newest revision of the source at hand: polls a Git remote every interval (and
 * at once on fetchNow), or watches a folder. A failure keeps the last revision (the daemon
 * keeps running what it last applied), is reported once per attempt, and is retried after
 * the jittered back-off for that many consecutive failures instead of the poll interval.
 */
export function createSourceDriver(deps: SourceDriverDeps): SourceDriver {
  const { spec, clock } = deps;
  const log = deps.log.child({ component: 'source' });
  const description = spec.kind === 'git' ? spec.source.description : spec.description;
  const st: SourceState = { description, firstFetchDone: false, consecutiveFailures: 0 };
  let latest: Revision | undefined;
  let timer: ClockTimer | undefined;
  let fetching: Promise<void> | undefined;
  let again = false;
  let closed = false;
  const abort = new AbortController();
  let watcher: FolderWatcher | undefined;

  function accept(rev: Revision, extra?: SourceState['latest']): void {
    st.firstFetchDone = true;
    st.consecutiveFailures = 0;
    delete st.lastError;
    deps.onFetched?.(rev);
    if (latest?.id === rev.id) return;
    latest = rev;
    st.latest = extra ?? { id: rev.id, origin: rev.origin, at: clock.now() };
    log.info({ revision: rev.id }, 'new revision');
    deps.onRevision(rev);
  }

  function fail(err: unknown): void {
    st.firstFetchDone = true;
    st.consecutiveFailures++;
    const e = isBerthError(err) ? err : undefined;
    const reason = e && 'reason' in e.data ? e.data.reason : undefined;
    st.lastError = { code: e?.code ?? 'INTERNAL', ...(typeof reason === 'string' ? { reason } : {}), message: (err as Error)?.message ?? String(err), at: clock.now() };
    log.warn({ err, attempt: st.consecutiveFailures }, 'source fetch failed; keeping the last revision');
    deps.onError(err, st);
  }

  function schedule(ms: number): void {
    if (closed) return;
    if (timer) clock.clearTimeout(timer);
    st.nextFetchAt = clock.now() + ms;
    timer = clock.setTimeout(() => {
      timer = undefined;
      void poll();
    }, ms);
  }

  async function poll(): Promise<void> {
    if (spec.kind !== 'git' || closed) return;
    if (fetching) {
      again = true;
      return fetching;
    }
    if (timer) clock.clearTimeout(timer);
    timer = undefined;
    fetching = (async () => {
      try {
        const rev = await spec.source.fetch(abort.signal);
        accept(rev, { id: rev.id, origin: rev.origin, at: clock.now(), commit: { message: rev.message, author: rev.author, committedAt: rev.committedAt } });
        schedule(spec.pollIntervalMs);
      } catch (err) {
        if (closed) return;
        fail(err);
        schedule(Math.min(delay(deps.backoff, st.consecutiveFailures, deps.random), Math.max(spec.pollIntervalMs, deps.backoff.minMs)));
      } finally {
        fetching = undefined;
      }
    })();
    await fetching;
    if (again && !closed) {
      again = false;
      await poll();
    }
  }

  return {
    async start() {
      if (spec.kind === 'git') {
        await poll();
        return;
      }
      watcher = await watchFolder({
        dir: spec.dir,
        debounceMs: spec.debounceMs,
        clock,
        onRevision: (rev) => accept(rev),
        onError: (err) => fail(err),
      });
    },
    fetchNow() {
      if (spec.kind === 'git') void poll();
      // A folder is read again: SIGHUP / POST /api/v1/sync see its files even if a file event was missed.
      else watcher?.refresh();
    },
    latest: () => latest,
    lastFileEventAt: () => watcher?.lastEventAt(),
    state: () => ({ ...st, ...(st.latest ? { latest: { ...st.latest } } : {}) }),
    async close() {
      closed = true;
      abort.abort(new Error('source closed'));
      if (timer) clock.clearTimeout(timer);
      await fetching?.catch(() => undefined);
      await watcher?.close();
    },
  };
}

/**
 * Folder source, live (SPEC §1): watches a directory with chokidar and yields a new Revision
 * when its manifests change, only after writes settle.
 *
 * - Debounce on the injected Clock: every file event restarts a `debounceMs` timer; the folder
 *   is read when no event came for that long. A burst (an editor's write-temp-then-rename, a
 *   `git checkout`, a half-written file finished later) becomes one read.
 * - Settling, checked after reading: if an event arrived while reading, or a file's size on
 *   disk differs from what was read (a writer still appending), the read is discarded and the
 *   debounce starts over. chokidar's own awaitWriteFinish is not used: it polls on real timers,
 *   which the Clock abstraction (and fake-clock tests) could not control.
 * - A revision is emitted only when its id (content hash) differs from the last one, so
 *   touching a file, saving unchanged content or editing a non-manifest emits nothing.
 * - Hidden directories are not watched (the selection skips them anyway); hidden files that can
 *   matter (`.berthignore`, `.x.yaml`) are.
 * - The watcher tells when the folder last saw a file event (`lastEventAt`), so a consumer can
 *   hold back what a revision would destroy until the folder has been quiet for longer than the
 *   debounce (a writer pausing mid-file produces a valid but partial revision; see
 *   docs/decisions.md).
 * - Files outside the folder that its kustomizations read (`../base`, sources/kustomize-read.ts)
 *   are watched too: the directories holding them, one level deep each, recomputed from every
 *   revision read. They lie inside the Git work tree holding the folder (nothing outside it is
 *   read, so nothing outside it is watched), and a change there reads the folder again.
 * - Errors (the directory deleted, a file unreadable) go to onError, once per distinct error;
 *   the watcher re-reads every `retryMs` and, once a read succeeds again, restarts chokidar,
 *   since a directory that was deleted and re-created is a new inode chokidar no longer sees.
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { MAX_FILE_BYTES } from '../model/limits.js';
import type { Clock, ClockTimer } from '../model/clock.js';
import { BerthError } from '../model/errors.js';
import { readPath } from './folder.js';
import type { Revision } from '../model/revision.js';
import { IGNORE_FILE, MANIFEST_EXTENSIONS } from './select.js';

export interface FolderWatcher {
  /**
   * Clock time of the newest file event, or of the moment watching (re)started when no event
   * came since: what happened to the files before that is unknown, so it counts as one.
   */
  lastEventAt(): number;
  /** Read the folder again now (a missed event, an operator's "sync now"): emits only if it changed. */
  refresh(): void;
  close(): Promise<void>;
}

export interface WatchEvent {
  type: 'add' | 'addDir' | 'change' | 'unlink' | 'unlinkDir';
  /** Relative to the watched directory, '/'-separated. */
  path: string;
}

export interface WatchFolderOptions {
  dir: string;
  /** Quiet time after the last file event before the folder is read. Default 300. */
  debounceMs?: number;
  clock: Clock;
  onRevision: (rev: Revision) => void;
  onError: (err: unknown) => void;
  /** Emit the revision found at start (default true); when false it only sets the baseline. */
  emitInitial?: boolean;
  /** How often a failing folder is read again. Default 1000. */
  retryMs?: number;
  /** Every relevant file event as it arrives (for logs, metrics and tests). */
  onEvent?: (event: WatchEvent) => void;
  /** How each read of the folder ended (for logs, metrics and tests). */
  onRead?: (outcome: ReadOutcome) => void;
  /** Reads the folder; default readPath from ./folder.js. */
  read?: (dir: string) => Promise<Revision>;
}

/**
 * `emitted`: a new revision went to onRevision (or became the baseline); `unchanged`: same id
 * as the last one; `superseded`: files changed during the read; `unsettled`: a file's size on
 * disk differs from what was read; `failed`: the read threw (see onError).
 */
export type ReadOutcome = 'emitted' | 'unchanged' | 'superseded' | 'unsettled' | 'failed';

export const DEFAULT_DEBOUNCE_MS = 300;
export const DEFAULT_RETRY_MS = 1_000;

/**
 * Starts watching. Resolves once chokidar is ready and the initial read is done (emitted
 * through onRevision, or onError if it failed). Rejects with INPUT_UNREADABLE when `dir` is
 * not a directory at start.
 */
export async function watchFolder(options: WatchFolderOptions): Promise<FolderWatcher> {
  const dir = resolve(options.dir);
  const st = await stat(dir).catch((cause: unknown) => {
    throw new BerthError('INPUT_UNREADABLE', `cannot watch ${options.dir}`, { path: options.dir, reason: 'not-found' }, { cause });
  });
  if (!st.isDirectory()) {
    throw new BerthError('INPUT_UNREADABLE', `cannot watch ${options.dir}: not a directory`, { path: options.dir, reason: 'not-a-directory' });
  }
  const w = new FolderWatch(dir, options);
  await w.start();
  return { lastEventAt: () => w.lastEventAt, refresh: () => w.refresh(), close: () => w.close() };
}

class FolderWatch {
  private readonly debounceMs: number;
  private readonly retryMs: number;
  private readonly read: (dir: string) => Promise<Revision>;
  private watcher: FSWatcher | undefined;
  /** Directories outside the folder its kustomizations read from, watched one level deep. */
  private outside: FSWatcher | undefined;
  private outsideDirs: string[] = [];
  private timer: ClockTimer | undefined;
  /** Bumped by every file event; a read that saw it change did not see settled files. */
  private seq = 0;
  private reading = false;
  private readAgain = false;
  private lastId: string | undefined;
  private baselineOnly: boolean;
  private failing = false;
  private lastErrorKey: string | undefined;
  private closed = false;
  /**
   * The directory chokidar was started on (device, inode, birth time). A folder replaced under
   * the same path (`rm -rf dir && mkdir dir`, a tool swapping in a new copy) is a new directory
   * the running watcher never reports on again; a read that finds another one restarts it
   * (recover). The inode number alone does not tell (file systems reuse it at once); the birth
   * time does where the file system keeps one, and chokidar's `unlinkDir` of the folder itself,
   * when it comes, tells too (rewatch).
   */
  private watchedNode: string | undefined;
  /** chokidar saw the folder itself go: the next successful read watches it afresh. */
  private rewatch = false;
  /** See FolderWatcher.lastEventAt. */
  lastEventAt: number;

  constructor(
    private readonly dir: string,
    private readonly options: WatchFolderOptions,
  ) {
    this.debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    this.retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
    this.read = options.read ?? readPath;
    this.baselineOnly = options.emitInitial === false;
    this.lastEventAt = options.clock.now();
  }

  async start(): Promise<void> {
    this.watcher = await this.startWatcher();
    await this.readFolder();
  }

  refresh(): void {
    this.schedule(0);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const w = this.watcher;
    this.watcher = undefined;
    const o = this.outside;
    this.outside = undefined;
    await Promise.all([w?.close(), o?.close()]);
  }

  /**
   * Watches the directories outside the folder that `rev` read files from (and no others): each
   * one level deep, so a base's own files are seen, a new file next to them too (a resource the
   * base's kustomization adds), and nothing below that its build did not read.
   */
  private async watchOutside(rev: Revision): Promise<void> {
    const dirs = [...new Set(rev.files.filter((f) => f.path.startsWith('../') && !f.refused).map((f) => dirname(join(this.dir, f.path))))].sort();
    if (dirs.join('\0') === this.outsideDirs.join('\0')) return;
    const old = this.outside;
    this.outside = undefined;
    this.outsideDirs = dirs;
    await old?.close();
    if (dirs.length === 0 || this.closed) return;
    const w = watch(dirs, { ignoreInitial: true, persistent: true, awaitWriteFinish: false, followSymlinks: false, depth: 0 });
    let ready = false;
    w.on('all', (type, path) => {
      if (ready && this.outside === w) this.onFileEvent(type, path);
    });
    w.on('error', (err) => {
      if (this.closed || this.outside !== w) return;
      this.report(err);
      this.schedule(this.debounceMs);
    });
    this.outside = w;
    await new Promise<void>((resolve) => w.once('ready', () => resolve()));
    ready = true;
    if (this.closed || this.outside !== w) await w.close();
    // What changed out there between the read and this watch being ready went unseen: look once more.
    else this.schedule(this.debounceMs);
  }

  private async startWatcher(): Promise<FSWatcher> {
    this.watchedNode = await this.dirNode();
    const w = watch(this.dir, {
      ignoreInitial: true,
      persistent: true,
      awaitWriteFinish: false,
      // A link out of the folder is refused by the reader (./folder-tree.ts); following it here
      // would still watch the host directory it names and log its file names as events. Links
      // that stay inside are seen through their targets, which are watched where they are.
      followSymlinks: false,
      ignored: (path: string, stats?: Stats) => this.ignored(path, stats),
    });
    // chokidar 5 reports existing symlinks as `add` before 'ready' even with ignoreInitial when
    // followSymlinks is off. Nothing before 'ready' is news: the read that follows it sees it all.
    let ready = false;
    w.on('all', (type, path) => {
      if (ready) this.onFileEvent(type, path);
    });
    w.on('error', (err) => {
      if (this.closed) return;
      this.report(err);
      this.schedule(this.debounceMs);
    });
    await new Promise<void>((resolve) =>
      w.once('ready', () => {
        ready = true;
        resolve();
      }),
    );
    return w;
  }

  private ignored(path: string, stats: Stats | undefined): boolean {
    const rel = relative(this.dir, path);
    if (rel === '' || rel.startsWith('..')) return false;
    const parts = rel.split(sep);
    if (parts.slice(0, -1).some((p) => p.startsWith('.'))) return true;
    const last = parts[parts.length - 1] ?? '';
    if (!last.startsWith('.')) return false;
    if (stats?.isDirectory()) return true;
    const lower = last.toLowerCase();
    return !(last === IGNORE_FILE || MANIFEST_EXTENSIONS.some((ext) => lower.endsWith(ext)));
  }

  private onFileEvent(type: string, path: string): void {
    if (this.closed) return;
    this.seq++;
    this.lastEventAt = this.options.clock.now();
    if (type === 'unlinkDir' && resolve(path) === this.dir) this.rewatch = true;
    const event: WatchEvent = { type: type as WatchEvent['type'], path: relative(this.dir, path).split(sep).join('/') };
    this.callback(() => this.options.onEvent?.(event));
    this.schedule(this.debounceMs);
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined;
      void this.readFolder();
    }, ms);
  }

  private async readFolder(): Promise<void> {
    if (this.closed) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = true;
    try {
      const outcome = await this.readOnce();
      if (!this.closed) this.callback(() => this.options.onRead?.(outcome));
    } finally {
      this.reading = false;
      if (this.readAgain && !this.closed) {
        this.readAgain = false;
        void this.readFolder();
      }
    }
  }

  private async readOnce(): Promise<ReadOutcome> {
    const seq = this.seq;
    try {
      // The path as the caller gave it, so the revision's origin reads as they wrote it.
      const rev = await this.read(this.options.dir);
      // Files changed while we read: the event's own debounce timer reads again later.
      if (this.closed || this.seq !== seq) return 'superseded';
      if (!(await this.sizesMatch(rev))) {
        this.schedule(this.debounceMs);
        return 'unsettled';
      }
      await this.watchOutside(rev);
      // An outside file changed while its watch was being set up: read again.
      if (this.closed || this.seq !== seq) return 'superseded';
      // The folder failed, or was replaced by a new directory since the watch started: watch it afresh.
      if (this.failing || this.rewatch || (await this.dirNode()) !== this.watchedNode) await this.recover();
      if (this.closed || rev.id === this.lastId) return 'unchanged';
      this.lastId = rev.id;
      if (this.baselineOnly) this.baselineOnly = false;
      else this.emit(rev);
      return 'emitted';
    } catch (err) {
      if (!this.closed) {
        this.failing = true;
        this.report(err);
        this.schedule(this.retryMs);
      }
      return 'failed';
    }
  }

  /**
   * A writer still appending shows as a size on disk different from the bytes just read. A file
   * past MAX_FILE_BYTES is read only up to one byte past the limit (readPath), which is settled
   * enough: validation rejects it whatever follows.
   */
  private async sizesMatch(rev: Revision): Promise<boolean> {
    for (const file of rev.files) {
      // A refused link has no content to compare, and stat would look through it.
      if (file.refused) continue;
      const st = await stat(join(this.dir, file.path)).catch(() => undefined);
      if (!st) return false;
      const capped = file.content.length > MAX_FILE_BYTES && st.size >= file.content.length;
      if (st.size !== file.content.length && !capped) return false;
    }
    return true;
  }

  /** `dev:ino:birthtime` of the watched directory now; undefined when it cannot be stat'ed. */
  private async dirNode(): Promise<string | undefined> {
    const st = await stat(this.dir).catch(() => undefined);
    return st ? `${st.dev}:${st.ino}:${st.birthtimeMs}` : undefined;
  }

  /** The folder is readable again after failing, or is a new directory: watch it afresh (a new inode). */
  private async recover(): Promise<void> {
    this.failing = false;
    this.rewatch = false;
    this.lastErrorKey = undefined;
    const old = this.watcher;
    this.watcher = undefined;
    await old?.close();
    if (this.closed) return;
    this.watcher = await this.startWatcher();
    if (this.closed) {
      await this.watcher.close();
      return;
    }
    // Changes between the old watcher's end and the new one's start were not seen.
    this.lastEventAt = this.options.clock.now();
    this.schedule(this.debounceMs);
  }

  private emit(rev: Revision): void {
    this.callback(() => this.options.onRevision(rev));
  }

  /** A consumer's callback that throws is reported, and must not stop the watcher. */
  private callback(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.report(err);
    }
  }

  /** onError once per distinct failure, so a folder missing for an hour is not an error per second. */
  private report(err: unknown): void {
    const key = errorKey(err);
    if (key === this.lastErrorKey) return;
    this.lastErrorKey = key;
    try {
      this.options.onError(err);
    } catch {
      // A throwing callback must not stop the watcher.
    }
  }
}

function errorKey(err: unknown): string {
  if (err instanceof Error) return `${(err as { code?: unknown }).code ?? err.name}:${err.message}`;
  return String(err);
}

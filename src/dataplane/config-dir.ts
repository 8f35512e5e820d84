/**
 * The program side of the config-directory protocol (protocol.ts): notice new
 * `config-<generation>.json` files, apply the highest generation that verifies, delete the
 * ones it supersedes, and publish `status.json` atomically.
 *
 * New files are noticed with fs.watch *and* a polling scan: inotify does not reliably report
 * files the Docker daemon extracts into a container's overlay filesystem from outside it.
 */
import { watch, type FSWatcher } from 'node:fs';
import { lstat, mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from './log.js';
import { errorText } from './log.js';
import type { ConfigEnvelope, DataplaneKind, DataplaneStatus, StatusError } from './protocol.js';
import { decodeConfig, parseConfigFileName, STATUS_FILE } from './protocol.js';
import { readRegularFile, UnsafeFileError, writeFileAtomic } from './safe-file.js';

/** A config file larger than this is refused (its writer is a bug or an attack). */
export const MAX_CONFIG_BYTES = 64 * 1024 * 1024;

export interface ConfigDirOptions<K extends DataplaneKind> {
  dir: string;
  kind: K;
  /** Applies a verified config. Runtime trouble (a port that cannot be bound) belongs in status, not in a throw. */
  apply: (config: ConfigEnvelope<K>) => Promise<void> | void;
  /** Called when the set of errors or the applied generation changed (time to rewrite status). */
  onChange: () => void;
  log: Logger;
  now: () => number;
  /** Polling scan interval; the fallback for missed fs.watch events. */
  pollMs: number;
  /** Use fs.watch as well as polling (default true). */
  watch?: boolean;
}

interface FileError {
  signature: string;
  error: StatusError;
}

export class ConfigDirWatcher<K extends DataplaneKind> {
  private applied: ConfigEnvelope<K> | undefined;
  private appliedAtMs: number | undefined;
  private readonly fileErrors = new Map<string, FileError>();
  private staleErrors: StatusError[] = [];
  private lastListing = new Set<string>();
  private watcher: FSWatcher | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly o: ConfigDirOptions<K>) {}

  get current(): ConfigEnvelope<K> | undefined {
    return this.applied;
  }

  get appliedAt(): number | undefined {
    return this.appliedAtMs;
  }

  errors(): StatusError[] {
    return [...this.staleErrors, ...[...this.fileErrors.values()].map((f) => f.error)];
  }

  /** Creates the directory if needed, applies what is already there, then watches. */
  async start(): Promise<void> {
    await mkdir(this.o.dir, { recursive: true });
    await this.scan();
    if (this.o.watch !== false) {
      try {
        this.watcher = watch(this.o.dir, { persistent: false }, () => this.scheduleScan());
        this.watcher.on('error', (err) => {
          this.o.log.warn('config watch failed; polling only', { err: errorText(err) });
          this.watcher?.close();
          this.watcher = undefined;
        });
      } catch (err) {
        this.o.log.warn('config watch unavailable; polling only', { err: errorText(err) });
      }
    }
    this.pollTimer = setInterval(() => void this.scan(), this.o.pollMs);
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.close();
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.debounce) clearTimeout(this.debounce);
  }

  private scheduleScan(): void {
    if (this.debounce || this.stopped) return;
    // Tar extraction fires several events per file; one scan shortly after is enough.
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.scan();
    }, 15);
  }

  /** One scan at a time; a request during a scan runs one more scan after it. */
  scan(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.scanOnce().catch((err: unknown) => this.o.log.error('config scan failed', { err: errorText(err) }));
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async scanOnce(): Promise<void> {
    if (this.stopped) return;
    const names = await readdir(this.o.dir);
    const files = names
      .map((name) => ({ name, generation: parseConfigFileName(name) }))
      .filter((f): f is { name: string; generation: number } => f.generation !== undefined)
      .sort((a, b) => b.generation - a.generation);
    const before = this.applied?.generation ?? 0;
    let changed = false;
    for (const f of files) {
      if (f.generation <= (this.applied?.generation ?? 0)) break;
      const outcome = await this.tryFile(f.name, f.generation);
      if (outcome === 'applied') {
        changed = true;
        break;
      }
      if (outcome === 'failed') changed = true;
    }
    const appliedGen = this.applied?.generation ?? 0;
    if (appliedGen > before) this.staleErrors = [];
    for (const f of files) {
      if (f.generation >= appliedGen) continue;
      // A file that was not here last time and is not newer than what was already running is a
      // writer bug (generation reused or going backwards): report it, then drop it like the rest.
      if (!this.lastListing.has(f.name) && f.generation <= before && before > 0) {
        this.staleErrors.push({
          code: 'STALE_GENERATION',
          message: `generation ${f.generation} is not above the applied generation ${before}; ignored`,
          file: f.name,
          generation: f.generation,
          at: new Date(this.o.now()).toISOString(),
        });
        this.o.log.warn('stale config ignored', { file: f.name, generation: f.generation, applied: before });
        changed = true;
      }
      await unlink(join(this.o.dir, f.name)).catch(() => {});
    }
    for (const name of this.fileErrors.keys()) {
      const g = parseConfigFileName(name) ?? 0;
      if (g <= appliedGen || !names.includes(name)) {
        this.fileErrors.delete(name);
        changed = true;
      }
    }
    this.lastListing = new Set(files.filter((f) => f.generation >= appliedGen).map((f) => f.name));
    if (changed) this.o.onChange();
  }

  private async tryFile(name: string, generation: number): Promise<'applied' | 'failed' | 'skipped'> {
    const path = join(this.o.dir, name);
    let signature: string;
    let text: string;
    try {
      // lstat: the file itself, never a link's target (the volume's content is hostile).
      const st = await lstat(path);
      signature = `${st.size}:${st.mtimeMs}:${st.ino}`;
      // Unchanged since it last failed to verify: still being extracted, or abandoned.
      if (this.fileErrors.get(name)?.signature === signature) return 'skipped';
      try {
        text = (await readRegularFile(path, MAX_CONFIG_BYTES)).toString('utf8');
      } catch (err) {
        if (!(err instanceof UnsafeFileError)) throw err;
        this.recordFileError(name, signature, generation, 'UNSAFE_FILE', err.message);
        return 'failed';
      }
    } catch {
      return 'skipped'; // deleted between readdir and read
    }
    const decoded = decodeConfig(text, this.o.kind, generation);
    if (!decoded.ok) {
      this.recordFileError(name, signature, generation, decoded.error.code, decoded.error.message);
      return 'failed';
    }
    try {
      await this.o.apply(decoded.config);
    } catch (err) {
      this.recordFileError(name, signature, generation, 'APPLY_FAILED', errorText(err));
      return 'failed';
    }
    this.applied = decoded.config;
    this.appliedAtMs = this.o.now();
    return 'applied';
  }

  private recordFileError(name: string, signature: string, generation: number, code: string, message: string): void {
    this.fileErrors.set(name, { signature, error: { code, message, file: name, generation, at: new Date(this.o.now()).toISOString() } });
    // Logged once per file version: a file mid-extraction is normal and may fail once or twice.
    this.o.log.warn('config file rejected', { file: name, generation, code, reason: message });
  }
}

export interface StatusFileOptions {
  dir: string;
  build: () => DataplaneStatus;
  /** Periodic refresh (connection counts change without config changes). */
  intervalMs: number;
  log: Logger;
}

/**
 * Publishes status.json with temp file + rename, so a reader (Docker getArchive) sees either
 * the previous or the next version, never half of one. Writes are coalesced and skipped when
 * nothing but the timestamp would change.
 */
export class StatusFile {
  private lastBody = '';
  private timer: NodeJS.Timeout | undefined;
  private pending: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly o: StatusFileOptions) {}

  start(): void {
    this.timer = setInterval(() => this.request(), this.o.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
  }

  /** Write soon (coalesces bursts of changes into one write). */
  request(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      void this.flush();
    }, 10);
  }

  /** Write now if anything changed; resolves when written. */
  flush(): Promise<void> {
    this.writing = this.writing.then(() => this.writeIfChanged());
    return this.writing;
  }

  private async writeIfChanged(): Promise<void> {
    const status = this.o.build();
    const { updatedAt: _updatedAt, ...comparable } = status;
    const body = JSON.stringify(comparable);
    if (body === this.lastBody) return;
    const tmp = join(this.o.dir, `.${STATUS_FILE}.${process.pid}.tmp`);
    try {
      await writeFileAtomic(join(this.o.dir, STATUS_FILE), tmp, `${JSON.stringify(status, null, 1)}\n`);
      this.lastBody = body;
    } catch (err) {
      this.o.log.error('status write failed', { err: errorText(err) });
    }
  }
}

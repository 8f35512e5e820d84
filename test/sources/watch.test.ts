import { appendFile, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { validateRevision } from '../../src/manifests/index.js';
import { MAX_FILE_BYTES } from '../../src/model/limits.js';
import type { Clock } from '../../src/model/clock.js';
import { isBerthError } from '../../src/model/errors.js';
import { systemClock } from '../../src/runtime/clock.js';
import { readPath } from '../../src/sources/folder.js';
import type { Revision } from '../../src/model/revision.js';
import { watchFolder, type FolderWatcher, type ReadOutcome, type WatchEvent, type WatchFolderOptions } from '../../src/sources/watch.js';
import { FakeClock } from '../support/fake-clock.js';
import { makeTempDir } from '../support/git-server.js';

// Real git processes and file events: slow on a loaded 2-core CI box, never hanging.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const DEBOUNCE = 300;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function tempDir(files: Record<string, string> = {}): Promise<string> {
  const t = await makeTempDir('berth-watch-');
  cleanups.push(t.cleanup);
  for (const [p, c] of Object.entries(files)) {
    await mkdir(join(t.path, p, '..'), { recursive: true });
    await writeFile(join(t.path, p), c);
  }
  return t.path;
}

/** A watcher with everything it reports recorded; reads are counted so tests can wait for them. */
async function watched(dir: string, clock: Clock, extra: Partial<WatchFolderOptions> = {}) {
  const revs: Revision[] = [];
  const errors: unknown[] = [];
  const events: WatchEvent[] = [];
  const reads = { started: 0, outcomes: [] as ReadOutcome[] };
  const read = extra.read ?? readPath;
  const watcher: FolderWatcher = await watchFolder({
    dir,
    clock,
    debounceMs: DEBOUNCE,
    onRevision: (r) => revs.push(r),
    onError: (e) => errors.push(e),
    onEvent: (e) => events.push(e),
    onRead: (o) => reads.outcomes.push(o),
    ...extra,
    read: (d) => {
      reads.started++;
      return read(d);
    },
  });
  cleanups.push(() => watcher.close());
  return { watcher, revs, errors, events, reads };
}

function text(rev: Revision | undefined): Record<string, string> {
  return Object.fromEntries((rev?.files ?? []).map((f) => [f.path, f.content.toString()]));
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Real time passes until file events stop arriving (they come from the OS, not the fake clock). */
async function quiet(events: readonly unknown[], quietMs = 150): Promise<void> {
  let seen = events.length;
  let since = Date.now();
  const start = Date.now();
  while (Date.now() - since < quietMs) {
    if (Date.now() - start > 20_000) throw new Error('file events did not settle');
    await new Promise((r) => setTimeout(r, 10));
    if (events.length !== seen) {
      seen = events.length;
      since = Date.now();
    }
  }
}

/** Lets reads that a timer started finish (they run on the real file system). */
async function readsDone(reads: { started: number; outcomes: readonly ReadOutcome[] }): Promise<void> {
  await waitFor(() => reads.started === reads.outcomes.length, 'reads to finish');
}

describe('watchFolder under a fake clock', () => {
  it('emits the initial revision, then one revision per settled burst of writes', async () => {
    const dir = await tempDir({ 'a.yaml': 'v: 1\n' });
    const clock = new FakeClock();
    const w = await watched(dir, clock);
    expect(w.revs).toHaveLength(1);
    expect(text(w.revs[0])).toEqual({ 'a.yaml': 'v: 1\n' });

    await writeFile(join(dir, 'a.yaml'), 'v: 2\n');
    await quiet(w.events);
    expect(w.events.length).toBeGreaterThan(0);
    await clock.advance(DEBOUNCE - 1);
    await writeFile(join(dir, 'b.yaml'), 'b: 1\n');
    await quiet(w.events);
    await clock.advance(DEBOUNCE - 1);
    await readsDone(w.reads);
    expect(w.revs).toHaveLength(1);
    expect(w.reads.started).toBe(1);

    await clock.advance(1);
    await waitFor(() => w.revs.length === 2, 'second revision');
    expect(text(w.revs[1])).toEqual({ 'a.yaml': 'v: 2\n', 'b.yaml': 'b: 1\n' });
    expect(w.reads.started).toBe(2);
    expect(w.errors).toEqual([]);
  });

  it('a half-written file is never emitted: only the completed content is', async () => {
    const dir = await tempDir({ 'a.yaml': 'v: 1\n' });
    const clock = new FakeClock();
    const w = await watched(dir, clock);
    await writeFile(join(dir, 'big.yaml'), 'kind: ConfigMap\ndata:\n');
    await quiet(w.events);
    await clock.advance(DEBOUNCE / 2);
    await appendFile(join(dir, 'big.yaml'), '  key: value\n');
    await quiet(w.events);
    await clock.advance(DEBOUNCE);
    await waitFor(() => w.revs.length === 2, 'revision');
    await readsDone(w.reads);
    expect(w.revs.map((r) => text(r)['big.yaml'])).toEqual([undefined, 'kind: ConfigMap\ndata:\n  key: value\n']);
  });

  it('an atomic save (write temp, rename over) yields exactly one revision', async () => {
    const dir = await tempDir({ 'a.yaml': 'v: 1\n' });
    const clock = new FakeClock();
    const w = await watched(dir, clock);
    await writeFile(join(dir, 'a.yaml.tmp'), 'v: 2\n');
    await writeFile(join(dir, '.a.yaml.swx'), 'swap');
    await rename(join(dir, 'a.yaml.tmp'), join(dir, 'a.yaml'));
    await rm(join(dir, '.a.yaml.swx'));
    await quiet(w.events, 250); // chokidar holds unlinks ~100 ms to recognise atomic saves
    await clock.advance(DEBOUNCE);
    await waitFor(() => w.revs.length === 2, 'revision');
    await quiet(w.events);
    await clock.advance(DEBOUNCE * 3);
    await readsDone(w.reads);
    expect(w.revs).toHaveLength(2);
    expect(text(w.revs[1])).toEqual({ 'a.yaml': 'v: 2\n' });
  });

  it('lastEventAt is the start of watching, then the time of the newest file event, read or not', async () => {
    const dir = await tempDir({ 'a.yaml': 'v: 1\n' });
    const clock = new FakeClock();
    const started = clock.now();
    const w = await watched(dir, clock);
    expect(w.watcher.lastEventAt()).toBe(started);
    await clock.advance(5_000);
    expect(w.watcher.lastEventAt()).toBe(started);
    await writeFile(join(dir, 'a.yaml'), 'v: 2\n');
    await quiet(w.events);
    expect(w.watcher.lastEventAt()).toBe(started + 5_000);
    // Reading after the debounce is not an event; a non-manifest's event is (it may be a rename's half).
    await clock.advance(DEBOUNCE);
    await waitFor(() => w.revs.length === 2, 'revision');
    expect(w.watcher.lastEventAt()).toBe(started + 5_000);
    await writeFile(join(dir, 'README.md'), 'hello\n');
    await quiet(w.events);
    expect(w.watcher.lastEventAt()).toBe(started + 5_000 + DEBOUNCE);
  });

  it('emits nothing when the content did not change or only non-manifests changed', async () => {
    const dir = await tempDir({ 'a.yaml': 'v: 1\n' });
    const clock = new FakeClock();
    const w = await watched(dir, clock);
    await writeFile(join(dir, 'a.yaml'), 'v: 1\n');
    await writeFile(join(dir, 'README.md'), 'hello\n');
    await quiet(w.events);
    expect(w.events.length).toBeGreaterThan(0);
    await clock.advance(DEBOUNCE);
    await waitFor(() => w.reads.started === 2, 'a read');
    await readsDone(w.reads);
    expect(w.revs).toHaveLength(1);
    expect(w.reads.outcomes).toEqual(['emitted', 'unchanged']);
  });

  it('does not watch hidden directories, but does watch .berthignore', async () => {
    const dir = await tempDir({ 'a.yaml': 'v: 1\n', 'b.yaml': 'b: 1\n', '.git/HEAD': 'ref: x\n' });
    const clock = new FakeClock();
    const w = await watched(dir, clock);
    await writeFile(join(dir, '.git', 'x.yaml'), 'x: 1\n');
    await mkdir(join(dir, '.cache', 'deep'), { recursive: true });
    await writeFile(join(dir, '.cache', 'deep', 'y.yaml'), 'y: 1\n');
    await quiet(w.events, 200);
    expect(w.events).toEqual([]);
    expect(clock.pending).toBe(0);

    await writeFile(join(dir, '.berthignore'), 'b.yaml\n');
    await quiet(w.events);
    expect(w.events.map((e) => e.path)).toContain('.berthignore');
    await clock.advance(DEBOUNCE);
    await waitFor(() => w.revs.length === 2, 'revision');
    expect(Object.keys(text(w.revs[1]))).toEqual(['a.yaml']);
  });

  it('re-reads when a file on disk differs in size from what was read (writer still appending)', async () => {
    const dir = await tempDir({ 'a.yaml': 'v: 1\n' });
    const clock = new FakeClock();
    let calls = 0;
    // The second read returns a truncated file, as if it raced a writer; the third is honest.
    const read = async (d: string): Promise<Revision> => {
      const rev = await readPath(d);
      if (++calls !== 2) return rev;
      return { ...rev, id: 'torn', files: rev.files.map((f) => ({ ...f, content: f.content.subarray(0, 3) })) };
    };
    const w = await watched(dir, clock, { read });
    await writeFile(join(dir, 'a.yaml'), 'v: 2\n');
    await quiet(w.events);
    await clock.advance(DEBOUNCE);
    await waitFor(() => w.reads.started === 2, 'torn read');
    await readsDone(w.reads);
    expect(w.revs).toHaveLength(1);
    expect(w.reads.outcomes).toEqual(['emitted', 'unsettled']);
    expect(clock.pending).toBe(1);
    await clock.advance(DEBOUNCE);
    await waitFor(() => w.revs.length === 2, 'revision');
    expect(text(w.revs[1])).toEqual({ 'a.yaml': 'v: 2\n' });
  });

  it('reports a deleted directory once, keeps trying, and follows it when it returns', async () => {
    const parent = await tempDir();
    const dir = join(parent, 'manifests');
    await mkdir(dir);
    await writeFile(join(dir, 'a.yaml'), 'v: 1\n');
    const clock = new FakeClock();
    const w = await watched(dir, clock, { retryMs: 1_000 });

    await rm(dir, { recursive: true });
    await quiet(w.events, 250);
    await clock.advance(DEBOUNCE);
    await waitFor(() => w.errors.length === 1, 'an error');
    for (let i = 0; i < 3; i++) {
      await clock.advance(1_000);
      await readsDone(w.reads);
    }
    expect(w.errors).toHaveLength(1);
    expect(isBerthError(w.errors[0]) || (w.errors[0] as { code?: string }).code === 'ENOENT').toBe(true);
    expect(w.revs).toHaveLength(1);

    await mkdir(dir);
    await writeFile(join(dir, 'a.yaml'), 'v: 2\n');
    await clock.advance(1_000);
    await waitFor(() => w.revs.length === 2, 'revision after return');
    expect(text(w.revs[1])).toEqual({ 'a.yaml': 'v: 2\n' });

    // The re-created directory is watched: a later edit is seen.
    await readsDone(w.reads);
    await clock.advance(DEBOUNCE);
    await readsDone(w.reads);
    const before = w.events.length;
    await writeFile(join(dir, 'a.yaml'), 'v: 3\n');
    await waitFor(() => w.events.length > before, 'event in the re-created directory');
    await quiet(w.events);
    await clock.advance(DEBOUNCE);
    await waitFor(() => w.revs.length === 3, 'revision after edit');
    expect(text(w.revs[2])).toEqual({ 'a.yaml': 'v: 3\n' });
  });

  it('a file past the size limit is emitted as read (capped), not waited on forever', async () => {
    const dir = await tempDir({ 'a.yaml': 'v: 1\n' });
    const clock = new FakeClock();
    const w = await watched(dir, clock);
    await writeFile(join(dir, 'huge.yaml'), Buffer.alloc(MAX_FILE_BYTES + 4096, 0x61));
    await quiet(w.events, 250);
    await clock.advance(DEBOUNCE);
    await waitFor(() => w.revs.length === 2, 'revision');
    expect(w.revs[1]?.files.find((f) => f.path === 'huge.yaml')?.content.length).toBe(MAX_FILE_BYTES + 1);
  });

  it('emitInitial: false only sets the baseline', async () => {
    const dir = await tempDir({ 'a.yaml': 'v: 1\n' });
    const clock = new FakeClock();
    const w = await watched(dir, clock, { emitInitial: false });
    expect(w.revs).toEqual([]);
    await writeFile(join(dir, 'a.yaml'), 'v: 1\n');
    await quiet(w.events);
    await clock.advance(DEBOUNCE);
    await readsDone(w.reads);
    expect(w.revs).toEqual([]);
    await writeFile(join(dir, 'a.yaml'), 'v: 2\n');
    await quiet(w.events);
    await clock.advance(DEBOUNCE);
    await waitFor(() => w.revs.length === 1, 'revision');
    expect(text(w.revs[0])).toEqual({ 'a.yaml': 'v: 2\n' });
  });

  it('after close, nothing is read or emitted and no timer is left', async () => {
    const dir = await tempDir({ 'a.yaml': 'v: 1\n' });
    const clock = new FakeClock();
    const w = await watched(dir, clock);
    await writeFile(join(dir, 'a.yaml'), 'v: 2\n');
    await quiet(w.events);
    expect(clock.pending).toBe(1);
    await w.watcher.close();
    expect(clock.pending).toBe(0);
    await writeFile(join(dir, 'a.yaml'), 'v: 3\n');
    await new Promise((r) => setTimeout(r, 100));
    await clock.advance(DEBOUNCE * 10);
    expect(w.revs).toHaveLength(1);
    expect(w.reads.started).toBe(1);
  });

  it('a throwing onRevision is reported and the watcher keeps going', async () => {
    const dir = await tempDir({ 'a.yaml': 'v: 1\n' });
    const clock = new FakeClock();
    const seen: string[] = [];
    const w = await watched(dir, clock, {
      onRevision: (r) => {
        seen.push(r.id);
        if (seen.length === 2) throw new Error('consumer failed');
      },
    });
    for (const v of [2, 3]) {
      await writeFile(join(dir, 'a.yaml'), `v: ${v}\n`);
      await quiet(w.events);
      await clock.advance(DEBOUNCE);
      await waitFor(() => seen.length === v, `revision ${v}`);
    }
    expect(w.errors.map((e) => (e as Error).message)).toEqual(['consumer failed']);
  });

  it('links out of the folder are refused, not read, and the host directories they name are not watched', async () => {
    const MARKER = 'HOST-FILE-MARKER-watch';
    const outside = await tempDir({ 'secret.yaml': `k: ${MARKER}\n`, 'dir/x.yaml': `k: ${MARKER}\n` });
    const dir = await tempDir({ 'a.yaml': 'v: 1\n' });
    await symlink(join(outside, 'secret.yaml'), join(dir, 'leak.yaml'));
    await symlink(join(outside, 'dir'), join(dir, 'ext'));
    await symlink(join(dir, 'nowhere.yaml'), join(dir, 'gone.yaml'));
    const clock = new FakeClock();
    const w = await watched(dir, clock);
    expect(w.revs[0]?.files.map((f) => [f.path, f.refused ?? f.content.toString()])).toEqual([
      ['a.yaml', 'v: 1\n'],
      ['ext', 'symlink-outside-root'],
      ['gone.yaml', 'symlink-dangling'],
      ['leak.yaml', 'symlink-outside-root'],
    ]);
    expect(validateRevision(w.revs[0]!.files).problems.filter((p) => p.file !== 'a.yaml').map((p) => [p.file, p.code])).toEqual([
      ['ext', 'symlink-outside-root'],
      ['gone.yaml', 'symlink-dangling'],
      ['leak.yaml', 'symlink-outside-root'],
    ]);

    // A change in the host directory behind `ext` is no event of this folder.
    await writeFile(join(outside, 'dir', 'y.yaml'), `k: ${MARKER}\n`);
    await quiet(w.events, 250);
    expect(w.events).toEqual([]);

    // Refused links have nothing to settle: an edit next to them is emitted, not re-read forever.
    await writeFile(join(dir, 'a.yaml'), 'v: 2\n');
    await quiet(w.events);
    await clock.advance(DEBOUNCE);
    await waitFor(() => w.revs.length === 2, 'revision');
    await readsDone(w.reads);
    expect(w.reads.outcomes).toEqual(['emitted', 'emitted']);
    expect(JSON.stringify(w.revs.map((r) => r.files.map((f) => f.content.toString())))).not.toContain(MARKER);
    expect(w.errors).toEqual([]);
  });

  it('refuses to start on a missing directory or a file', async () => {
    const dir = await tempDir({ 'a.yaml': 'v: 1\n' });
    for (const path of [join(dir, 'missing'), join(dir, 'a.yaml')]) {
      let err: unknown;
      try {
        await watchFolder({ dir: path, clock: new FakeClock(), onRevision: () => {}, onError: () => {} });
      } catch (e) {
        err = e;
      }
      expect(isBerthError(err, 'INPUT_UNREADABLE')).toBe(true);
    }
  });
});

describe('watchFolder under the real clock', () => {
  it('follows an edit, an atomic save and a half-written file with real debounce', async () => {
    const dir = await tempDir({ 'a.yaml': 'v: 1\n' });
    const debounceMs = 400;
    const revs: Revision[] = [];
    const errors: unknown[] = [];
    const watcher = await watchFolder({ dir, clock: systemClock, debounceMs, onRevision: (r) => revs.push(r), onError: (e) => errors.push(e) });
    cleanups.push(() => watcher.close());
    expect(revs).toHaveLength(1);

    await writeFile(join(dir, 'a.yaml'), 'v: 2\n');
    await waitFor(() => revs.length === 2, 'edit');
    expect(text(revs[1])).toEqual({ 'a.yaml': 'v: 2\n' });

    await writeFile(join(dir, 'a.yaml.new'), 'v: 3\n');
    await rename(join(dir, 'a.yaml.new'), join(dir, 'a.yaml'));
    await waitFor(() => revs.length === 3, 'atomic save');
    expect(text(revs[2])).toEqual({ 'a.yaml': 'v: 3\n' });

    await writeFile(join(dir, 'b.yaml'), 'kind: ConfigMap\n');
    await new Promise((r) => setTimeout(r, 50));
    await appendFile(join(dir, 'b.yaml'), 'data: {k: v}\n');
    await waitFor(() => revs.length === 4, 'completed file');
    await new Promise((r) => setTimeout(r, debounceMs * 3));
    expect(revs).toHaveLength(4);
    expect(text(revs[3])).toEqual({ 'a.yaml': 'v: 3\n', 'b.yaml': 'kind: ConfigMap\ndata: {k: v}\n' });
    expect(errors).toEqual([]);
  });
});

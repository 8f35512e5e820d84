import { getEventListeners } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import type Dockerode from 'dockerode';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BerthError } from '../../../src/model/errors.js';
import type { DockerClient } from '../../../src/apply/docker.js';
import { createDaemonMetrics } from '../../../src/runtime/api/metrics.js';
import { createControlPlane } from '../../../src/runtime/compose.js';
import { createDaemon, type Daemon } from '../../../src/runtime/daemon/daemon.js';
import { PRUNE_CONFIRM_MS } from '../../../src/runtime/daemon/prune-confirm.js';
import type { SourceSpec } from '../../../src/runtime/daemon/source.js';
import { createLogger, silentLogger, type Logger } from '../../../src/runtime/log.js';
import { openStore, type Store } from '../../../src/runtime/store/index.js';
import { readPath } from '../../../src/sources/folder.js';
import type { GitFetchResult, GitSource } from '../../../src/sources/git.js';
import { FakeClock } from '../../support/fake-clock.js';
import { processAlive } from '../../../src/cli/process-alive.js';

/**
 * The daemon's control flow with a stand-in Docker (STYLE.md allows one for control flow; the
 * proof that passes change the host is in test/e2e/daemon-*.test.ts): a Docker that answers
 * nothing within its deadline makes passes fail, back off and retry on the fake clock, never
 * hang and never stop the daemon; an invalid revision touches Docker not at all.
 */
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A Docker whose list calls fail like a wedged dockerd past the 60 s deadline, until `heal()`. */
function fakeDocker(networks: Array<Partial<Dockerode.NetworkInspectInfo>> = []) {
  let wedged = true;
  const lists: number[] = [];
  const streams: PassThrough[] = [];
  const fail = () => Promise.reject(Object.assign(new Error('Docker did not answer GET /containers/json within 60 s'), { code: 'ETIMEDOUT' }));
  const list = <T>(value: T) => () => (lists.push(1), wedged ? fail() : Promise.resolve(value));
  const api = {
    listContainers: list([]),
    listNetworks: list(networks),
    listVolumes: list({ Volumes: [] }),
    ping: () => (wedged ? fail() : Promise.resolve('OK')),
    // Every pass reads the node once (runtime/node-facts.ts).
    info: () => Promise.resolve({ Name: 'unit-host', Architecture: 'x86_64', OSType: 'linux' }),
    getEvents: () => {
      const s = new PassThrough();
      streams.push(s);
      return Promise.resolve(s);
    },
  } as unknown as Dockerode;
  const docker: DockerClient = {
    api,
    calls: { byOperation: new Map(), total: () => 0, mutating: () => 0, reset: () => undefined },
    apiVersion: () => Promise.resolve('1.41'),
  };
  cleanups.push(() => streams.forEach((s) => s.destroy()));
  return { docker, lists, heal: () => (wedged = false) };
}

function fakeSource(files: Record<string, string | Buffer>) {
  let current = { id: 'rev-1', files };
  const source: GitSource = {
    description: 'https://git.example.com/deploy.git@main',
    fetch: async () =>
      ({ id: current.id, origin: 'git test', files: Object.entries(current.files).map(([path, c]) => ({ path, content: Buffer.isBuffer(c) ? c : Buffer.from(c) })), commit: current.id, message: '', author: '', committedAt: 0 }) satisfies GitFetchResult,
  };
  return { source, push: (id: string, f: Record<string, string | Buffer>) => (current = { id, files: f }) };
}

function setup(files: Record<string, string | Buffer>, options: { source?: SourceSpec; log?: Logger; onChange?: (what: 'status' | 'resources', reason: string) => void } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-daemon-'));
  const clock = new FakeClock();
  const store: Store = openStore({ isProcessAlive: processAlive, dir, clock });
  // The app's network exists already: a revision of ConfigMaps then needs no Docker change at all.
  const fake = fakeDocker(options.source?.kind === 'folder' ? [{ Id: 'n1', Name: 'berth_unit_default', Labels: { 'berth.namespace': 'default' } }] : []);
  const src = fakeSource(files);
  const metrics = createDaemonMetrics();
  const log = options.log ?? silentLogger();
  const daemon: Daemon = createDaemon(
    { docker: fake.docker, store, clock, log, random: () => 0, metrics, plane: createControlPlane({ docker: fake.docker, store, clock, log }, 'unit'), holder: { id: 'daemon:test:1', pid: process.pid, hostname: 'test', kind: 'daemon' }, ...(options.onChange ? { onChange: options.onChange } : {}) },
    {
      app: 'unit',
      source: options.source ?? { kind: 'git', source: src.source, pollIntervalMs: 60_000 },
      validate: {},
      allowEmpty: false,
      resyncIntervalMs: 300_000,
      passTimeoutMs: 60_000,
      passBackoff: { minMs: 1_000, factor: 2, capMs: 300_000, jitter: 0.2 },
      sourceBackoff: { minMs: 1_000, factor: 2, capMs: 300_000, jitter: 0.2 },
    },
  );
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => store.close(), () => daemon.stop());
  return { clock, store, daemon, metrics, ...fake, ...src };
}

describe('daemon control flow', () => {
  it('a pass that hits the Docker deadline fails, backs off, retries, and recovers; the daemon never stops', async () => {
    const { clock, store, daemon, lists, heal, metrics } = setup({});
    await daemon.start();
    await clock.advance(0);
    const passesAt = (n: number) => lists.length / 3 === n;
    expect(passesAt(1)).toBe(true);
    expect(daemon.status().lastPass).toMatchObject({ result: 'failed', error: { code: 'DOCKER_UNREACHABLE' } });
    // Retries after 1 s, 2 s, 4 s (random 0 = no jitter shortening).
    await clock.advance(999);
    expect(passesAt(1)).toBe(true);
    await clock.advance(1);
    expect(passesAt(2)).toBe(true);
    await clock.advance(2_000);
    expect(passesAt(3)).toBe(true);
    expect(daemon.status().loop).toMatchObject({ failures: 3, retryAt: clock.now() + 4_000 });
    expect((await daemon.readiness()).checks).toMatchObject({ docker: false, store: true, firstFetch: true, lease: true });
    heal();
    await clock.advance(4_000);
    // A pass that observes lists once more: the host's edges (runtime/edge.ts), shared by every app.
    expect(lists.length).toBe(3 * 3 + 4);
    expect(daemon.status()).toMatchObject({ lastPass: { result: 'synced', revision: 'rev-1' }, loop: { failures: 0 } });
    expect(store.getSourceStatus('unit')).toMatchObject({ syncState: 'Synced', lastApplied: { revision: 'rev-1' } });
    expect(metrics.syncs.get({ result: 'failed' })).toBe(3);
    expect(metrics.syncs.get({ result: 'synced' })).toBe(1);
  });

  it.each([
    ['full', 'SQLITE_FULL', 'database or disk is full'],
    ['corrupt', 'SQLITE_CORRUPT', 'database disk image is malformed'],
  ])('a store that fails before the pass reaches Docker (%s) fails the pass: status, readiness, metrics and a held event say so; a pass that works clears it', async (fault, code, text) => {
    const { clock, store, daemon, heal, metrics } = setup({});
    heal();
    await daemon.start();
    // Issue 13 #2: a failed read of the inventory used to escape the pass's bookkeeping.
    const failing = vi.spyOn(store, 'getInventory').mockImplementation(() => {
      throw new BerthError('STORE_ERROR', `state store: getInventory failed: ${text}`, { op: 'getInventory', sqliteCode: code });
    });
    const addEvent = vi.spyOn(store, 'addEvent').mockImplementation(() => {
      throw new BerthError('STORE_ERROR', `state store: addEvent failed: ${text}`, { op: 'addEvent', sqliteCode: code });
    });
    const integrity = vi.spyOn(store, 'checkIntegrity').mockReturnValue(fault === 'corrupt' ? { ok: false, messages: ['Page 7: btreeInitPage() returns error code 11'] } : { ok: true, messages: ['ok'] });
    await clock.advance(0);
    expect(daemon.status().lastPass).toMatchObject({ result: 'failed', error: { code: 'STORE_ERROR' } });
    expect(daemon.status().store).toMatchObject({ ok: false, fault });
    expect(await daemon.readiness()).toMatchObject({ ready: false, checks: { store: false, lastPass: false } });
    expect(metrics.syncs.get({ result: 'failed' })).toBe(1);
    expect(metrics.storeHealthy.get()).toBe(0);
    expect(metrics.storeFaults.get({ fault })).toBeGreaterThanOrEqual(1);
    expect(daemon.heldEvents()).toEqual([expect.objectContaining({ reason: 'ReconcileFailed', count: 1, message: expect.stringContaining(text) })]);
    failing.mockRestore();
    addEvent.mockRestore();
    integrity.mockRestore();
    await clock.advance(1_000);
    expect(daemon.status().lastPass).toMatchObject({ result: 'synced' });
    expect(daemon.status().store).toMatchObject({ ok: true });
    expect(await daemon.readiness()).toMatchObject({ ready: true });
    expect(metrics.storeHealthy.get()).toBe(1);
  });

  it('tells onChange of a new revision and of each pass that ends; wake() passes for an intent at once; passes() newest first', async () => {
    const changes: string[] = [];
    const { clock, store, daemon, heal } = setup({}, { onChange: (what, reason) => changes.push(`${what} ${reason}`) });
    heal();
    await daemon.start();
    await clock.advance(0);
    expect(changes).toEqual(['status revision', 'status pass-finished', 'resources pass-finished']);
    store.addIntent('unit', { type: 'pause', deployment: 'Deployment/default/none' });
    daemon.wake();
    await clock.advance(0);
    expect(daemon.passes().map((p) => p.reasons)).toEqual([['intent'], ['source', 'start']]);
    expect(store.listPendingIntents('unit')).toEqual([]);
  });

  it('a rollout under way caps the back-off of failing passes at its progress deadline, so the rollback is not late', async () => {
    const { clock, store, daemon } = setup({});
    const key = 'Deployment/default/web';
    const object = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { progressDeadlineSeconds: 5 } };
    store.replaceInventory('unit', [{ key, kind: 'Deployment', namespace: 'default', name: 'web', specHash: 'h1', object }], { sourceRevision: 'rev-0' });
    store.beginRollout('unit', key, { templateHash: 'abc', template: {}, sourceRevision: 'rev-0' });
    const started = clock.now();
    await daemon.start();
    // Docker is wedged: passes fail at 0, 1 s and 3 s; the next back-off (4 s) would land at 7 s.
    await clock.advance(3_000);
    expect(daemon.status().loop.failures).toBe(3);
    expect(daemon.status().loop.retryAt).toBe(started + 5_000 + 100);
    // Past the deadline, with Docker still down: the plain back-off again, no tight loop.
    await clock.advance(2_100);
    expect(daemon.status().loop.retryAt! - clock.now()).toBe(8_000);
  });

  it('is not ready until a revision has been read from the source (a wrong URL keeps it unready)', async () => {
    const unreachable: GitSource = { description: 'https://git.example.com/nope.git@main', fetch: () => Promise.reject(new Error('HTTP 404 Not Found')) };
    const { clock, daemon, heal } = setup({}, { source: { kind: 'git', source: unreachable, pollIntervalMs: 60_000 } });
    heal();
    await daemon.start();
    await clock.advance(10_000);
    expect(daemon.status().source).toMatchObject({ firstFetchDone: true, consecutiveFailures: expect.any(Number) });
    expect(await daemon.readiness()).toEqual({ ready: false, checks: { store: true, docker: true, firstFetch: false, lease: true, lastPass: true } });
  });

  it('an invalid revision applies nothing, is reported with file:line, and is not retried until the source moves', async () => {
    const { clock, store, daemon, lists, heal, push } = setup({ 'web.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name}\ndata: {a: "1"}\n' });
    heal();
    await daemon.start();
    await clock.advance(0);
    expect(lists).toEqual([]);
    const status = store.getSourceStatus('unit')!;
    expect(status).toMatchObject({ syncState: 'Failed', lastFailed: { revision: 'rev-1' } });
    expect(status.lastError!.problems.map((p) => [p.file, p.line, p.severity])).toEqual([['web.yaml', 3, 'error']]);
    expect(store.listEvents({ app: 'unit' }).map((e) => e.reason)).toEqual(['InvalidRevision']);
    // The event alone says what to fix, with file:line:col.
    expect(store.listEvents({ app: 'unit' })[0]!.message).toMatch(/^revision rev-1 is invalid, nothing from it was applied and the last applied revision keeps running: web\.yaml:3:\d+: /);
    // Drift checks and API syncs do not re-validate the refused revision (the inventory is empty: nothing to heal).
    daemon.sync('api');
    await clock.advance(300_000);
    expect(store.listEvents({ app: 'unit' }).map((e) => e.reason)).toEqual(['InvalidRevision']);
    push('rev-2', {});
    daemon.sync('webhook');
    await clock.advance(10);
    // A newer revision applied: the refused one is history (events keep it), not a standing failure.
    const after = store.getSourceStatus('unit')!;
    expect(after).toMatchObject({ syncState: 'Synced', lastApplied: { revision: 'rev-2' } });
    expect(after.lastFailed).toBeUndefined();
    expect(after.lastError).toBeUndefined();
  });
});

describe('daemon problem locations', () => {
  // Issue 11 review, finding 6, and issue 13: a problem about a whole file read `bin.yaml:0:0`;
  // it is at the file's first line, so every reader (text, JSON, the API) has a position.
  it('a file-level problem is at file:1:1, as validate prints it', async () => {
    const { clock, store, daemon, heal } = setup({ 'bin.yaml': Buffer.from([0xff, 0xfe, 0x41]), 'web.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name}\n' });
    heal();
    await daemon.start();
    await clock.advance(0);
    const message = store.listEvents({ app: 'unit' })[0]!.message;
    expect(message).toMatch(/: bin\.yaml:1:1: file is not valid UTF-8.*; web\.yaml:3:\d+: /);
    expect(message).not.toContain(':0:0');
  });
});

const cm = (name: string, v = '1') => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {v: "${v}"}\n`;
const DEBOUNCE = 200;

async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * A daemon watching a real folder (chokidar) under the fake clock, with `all.yaml` applied.
 * File events come from the OS in real time while fake time stands still, so each arrives
 * stamped with the fake time of its write.
 */
async function folderDaemon(all: string) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-daemon-watch-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'all.yaml'), all);
  const lines: Array<{ msg: string; pruned?: number; waitMs?: number }> = [];
  const destination = new Writable({ write: (c: Buffer, _e, cb) => (lines.push(JSON.parse(c.toString())), cb()) });
  const s = setup({}, { source: { kind: 'folder', dir, description: `folder ${dir}`, debounceMs: DEBOUNCE }, log: createLogger({ destination }) });
  s.heal();
  await s.daemon.start();
  await s.clock.advance(0);
  await s.daemon.idle();
  const applied = () => s.store.getSourceStatus('unit')?.lastApplied?.revision;
  const inventory = () => s.store.getInventory('unit').map((e) => e.name);
  const waiting = () => lines.filter((l) => l.msg === 'revision would prune objects; waiting for the folder to stay quiet');
  /** Rewrites files, lets their events arrive, lets the debounce pass and runs the pass the new revision triggers. */
  async function save(write: () => Promise<void>): Promise<string> {
    const before = s.daemon.latestRevision()?.id;
    await write();
    await new Promise((r) => setTimeout(r, 300));
    const id = (await readPath(dir)).id;
    await s.clock.advance(DEBOUNCE);
    await waitFor(() => s.daemon.latestRevision()?.id === id && id !== before, 'the new revision read');
    await s.clock.advance(0);
    await s.daemon.idle();
    return id;
  }
  /** Advances fake time (timers fire, passes run) and waits for the daemon to be idle. */
  async function advance(ms: number): Promise<void> {
    await s.clock.advance(ms);
    await s.daemon.idle();
  }
  return { ...s, dir, applied, inventory, waiting, save, advance };
}

describe('daemon: folder revisions that would prune wait for the folder to stay quiet', () => {
  it('a file rewritten in two writes 0.6 s apart never applies its first half; nothing is pruned', async () => {
    const f = await folderDaemon(cm('a') + '---\n' + cm('b'));
    const first = f.applied();
    expect(f.inventory()).toEqual(['a', 'b']);
    const t0 = f.clock.now();
    // First write: everything up to the last `---` (a valid revision without b).
    const partial = await f.save(() => writeFile(join(f.dir, 'all.yaml'), cm('a', '2') + '---\n'));
    expect([f.applied(), f.inventory()]).toEqual([first, ['a', 'b']]);
    expect(f.waiting().map((l) => [l.pruned, l.waitMs])).toEqual([[1, PRUNE_CONFIRM_MS - DEBOUNCE]]);
    await f.advance(600 - DEBOUNCE);
    const whole = await f.save(() => appendFile(join(f.dir, 'all.yaml'), cm('b')));
    // The completed file applies right after its debounce: it deletes nothing, so nothing waits.
    expect(whole).not.toBe(partial);
    expect([f.applied(), f.inventory(), f.clock.now() - t0]).toEqual([whole, ['a', 'b'], 600 + DEBOUNCE]);
    await f.advance(PRUNE_CONFIRM_MS * 3);
    expect([f.applied(), f.inventory(), f.waiting().length]).toEqual([whole, ['a', 'b'], 1]);
  });

  it('a real deletion is pruned once the folder has been quiet for the window since its last event', async () => {
    const f = await folderDaemon(cm('a') + '---\n' + cm('b'));
    const first = f.applied();
    const t0 = f.clock.now();
    const without = await f.save(() => writeFile(join(f.dir, 'all.yaml'), cm('a')));
    expect([f.applied(), f.inventory()]).toEqual([first, ['a', 'b']]);
    await f.advance(PRUNE_CONFIRM_MS - DEBOUNCE - 1);
    expect([f.applied(), f.inventory(), f.clock.now() - t0]).toEqual([first, ['a', 'b'], PRUNE_CONFIRM_MS - 1]);
    await f.advance(1);
    expect([f.applied(), f.inventory()]).toEqual([without, ['a']]);
    expect(f.store.getSourceStatus('unit')).toMatchObject({ syncState: 'Synced' });
    expect(f.waiting()).toHaveLength(1);
  });

  it('a newer pruning revision during the wait restarts the window from its own event', async () => {
    const f = await folderDaemon(cm('a') + '---\n' + cm('b') + '---\n' + cm('c'));
    const first = f.applied();
    const t0 = f.clock.now();
    await f.save(() => writeFile(join(f.dir, 'all.yaml'), cm('a') + '---\n' + cm('b')));
    await f.advance(1_000 - DEBOUNCE);
    const second = await f.save(() => writeFile(join(f.dir, 'all.yaml'), cm('a')));
    await f.advance(PRUNE_CONFIRM_MS - DEBOUNCE - 1);
    expect([f.applied(), f.inventory(), f.clock.now() - t0]).toEqual([first, ['a', 'b', 'c'], 1_000 + PRUNE_CONFIRM_MS - 1]);
    await f.advance(1);
    expect([f.applied(), f.inventory()]).toEqual([second, ['a']]);
    expect(f.waiting().map((l) => l.pruned)).toEqual([1, 2]);
  });

  it('an edit that deletes nothing applies right after the debounce', async () => {
    const f = await folderDaemon(cm('a') + '---\n' + cm('b'));
    const t0 = f.clock.now();
    const edited = await f.save(() => writeFile(join(f.dir, 'all.yaml'), cm('a', '2') + '---\n' + cm('b') + '---\n' + cm('c')));
    expect([f.applied(), f.inventory(), f.clock.now() - t0, f.waiting()]).toEqual([edited, ['a', 'b', 'c'], DEBOUNCE, []]);
  });
});

describe('daemon abort listeners', () => {
  /** Every AbortSignal that gets an 'abort' listener while `fn` runs, so a test can count what stays attached. */
  async function watchSignals(fn: () => Promise<void>): Promise<Set<AbortSignal>> {
    const signals = new Set<AbortSignal>();
    const add = EventTarget.prototype.addEventListener;
    const spy = vi.spyOn(EventTarget.prototype, 'addEventListener').mockImplementation(function (this: EventTarget, ...args: Parameters<EventTarget['addEventListener']>) {
      if (this instanceof AbortSignal && args[0] === 'abort') signals.add(this);
      add.apply(this, args);
    });
    try {
      await fn();
      return signals;
    } finally {
      spy.mockRestore();
    }
  }
  const mostListeners = (signals: Set<AbortSignal>) => Math.max(0, ...[...signals].map((s) => getEventListeners(s, 'abort').length));

  it('passes that end converged do not pile readiness watches onto one long-lived signal (MaxListenersExceededWarning)', async () => {
    const { clock, daemon, heal } = setup({});
    heal();
    const signals = await watchSignals(async () => {
      await daemon.start();
      await clock.advance(0);
      // Each pass ends converged and re-arms the (hour-long) idle readiness watch.
      for (let i = 0; i < 100; i++) {
        daemon.sync('api');
        await clock.advance(10);
      }
    });
    expect(daemon.status().lastPass).toMatchObject({ result: 'synced' });
    expect(signals.size).toBeGreaterThan(0);
    expect(mostListeners(signals)).toBeLessThanOrEqual(1);
    await daemon.stop();
    expect(mostListeners(signals)).toBe(0);
  });
});

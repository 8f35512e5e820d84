import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import { afterEach, describe, expect, it } from 'vitest';
import type { DockerClient } from '../../../src/apply/docker.js';
import { createDaemonMetrics } from '../../../src/runtime/api/metrics.js';
import { createDaemon, type Daemon } from '../../../src/runtime/daemon/daemon.js';
import { silentLogger } from '../../../src/runtime/log.js';
import { openStore, type Store } from '../../../src/runtime/store/index.js';
import type { GitFetchResult, GitSource } from '../../../src/sources/git.js';
import { FakeClock } from '../../support/fake-clock.js';

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
function fakeDocker() {
  let wedged = true;
  const lists: number[] = [];
  const streams: PassThrough[] = [];
  const fail = () => Promise.reject(Object.assign(new Error('Docker did not answer GET /containers/json within 60 s'), { code: 'ETIMEDOUT' }));
  const list = <T>(value: T) => () => (lists.push(1), wedged ? fail() : Promise.resolve(value));
  const api = {
    listContainers: list([]),
    listNetworks: list([]),
    listVolumes: list({ Volumes: [] }),
    ping: () => (wedged ? fail() : Promise.resolve('OK')),
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

function fakeSource(files: Record<string, string>) {
  let current = { id: 'rev-1', files };
  const source: GitSource = {
    description: 'https://git.example.com/deploy.git@main',
    fetch: async () =>
      ({ id: current.id, origin: 'git test', files: Object.entries(current.files).map(([path, c]) => ({ path, content: Buffer.from(c) })), commit: current.id, message: '', author: '', committedAt: 0 }) satisfies GitFetchResult,
  };
  return { source, push: (id: string, f: Record<string, string>) => (current = { id, files: f }) };
}

function setup(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-daemon-'));
  const clock = new FakeClock();
  const store: Store = openStore({ dir, clock });
  const fake = fakeDocker();
  const src = fakeSource(files);
  const metrics = createDaemonMetrics();
  const daemon: Daemon = createDaemon(
    { docker: fake.docker, store, clock, log: silentLogger(), random: () => 0, metrics, holder: { id: 'daemon:test:1', pid: process.pid, hostname: 'test', kind: 'daemon' } },
    {
      app: 'unit',
      source: { kind: 'git', source: src.source, pollIntervalMs: 60_000 },
      validate: {},
      allowEmpty: false,
      resyncIntervalMs: 300_000,
      passTimeoutMs: 60_000,
      passBackoff: { minMs: 1_000, factor: 2, maxMs: 300_000, jitter: 0.2 },
      sourceBackoff: { minMs: 1_000, factor: 2, maxMs: 300_000, jitter: 0.2 },
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
    expect(passesAt(4)).toBe(true);
    expect(daemon.status()).toMatchObject({ lastPass: { result: 'synced', revision: 'rev-1' }, loop: { failures: 0 } });
    expect(store.getSourceStatus('unit')).toMatchObject({ syncState: 'Synced', lastApplied: { revision: 'rev-1' } });
    expect(metrics.syncs.get({ result: 'failed' })).toBe(3);
    expect(metrics.syncs.get({ result: 'synced' })).toBe(1);
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
    // Drift checks and API syncs do not re-validate the refused revision (the inventory is empty: nothing to heal).
    daemon.sync('api');
    await clock.advance(300_000);
    expect(store.listEvents({ app: 'unit' }).map((e) => e.reason)).toEqual(['InvalidRevision']);
    push('rev-2', {});
    daemon.sync('webhook');
    await clock.advance(10);
    expect(store.getSourceStatus('unit')).toMatchObject({ syncState: 'Synced', lastApplied: { revision: 'rev-2' }, lastFailed: { revision: 'rev-1' } });
  });
});

import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { processAlive } from '../../../src/cli/process-alive.js';
import { waitForLease, type LeaseHolder } from '../../../src/runtime/store/index.js';
import { readLines, storeHarness } from './harness.js';

const h = storeHarness();
const TTL = 15_000;
const daemon: LeaseHolder = { id: 'daemon-1', pid: 101, hostname: 'box', kind: 'daemon' };
const cli: LeaseHolder = { id: 'cli-1', pid: 202, hostname: 'box', kind: 'cli' };

/** Two connections to one file sharing one clock: two berth processes on one host. */
function twoProcesses(isProcessAlive: (pid: number) => boolean = () => true) {
  const a = h.open({ isProcessAlive });
  const b = h.open({ dir: a.dir, clock: a.clock, isProcessAlive });
  return { clock: a.clock, a: a.store, b: b.store };
}

describe('leases', () => {
  it('gives the lease to one holder; a second one is told who holds it and until when', () => {
    const { clock, a, b } = twoProcesses();
    const t0 = clock.now();
    expect(a.acquireLease('app', daemon, TTL)).toEqual({ acquired: true, lease: { app: 'app', holder: daemon, acquiredAt: t0, renewedAt: t0, expiresAt: t0 + TTL } });
    expect(b.acquireLease('app', cli, TTL)).toEqual({ acquired: false, heldBy: daemon, expiresAt: t0 + TTL });
    expect(b.acquireLease('other-app', cli, TTL).acquired).toBe(true);
    expect([a.holdsLease('app', daemon.id), b.holdsLease('app', cli.id)]).toEqual([true, false]);
  });

  it('re-acquiring by the holder renews and keeps acquiredAt', async () => {
    const { clock, a } = twoProcesses();
    const t0 = clock.now();
    a.acquireLease('app', daemon, TTL);
    await clock.advance(5000);
    expect(a.acquireLease('app', daemon, TTL)).toEqual({
      acquired: true,
      lease: { app: 'app', holder: daemon, acquiredAt: t0, renewedAt: t0 + 5000, expiresAt: t0 + 5000 + TTL },
    });
  });

  it('lets an expired lease be taken over; the old holder can no longer renew or release it', async () => {
    const { clock, a, b } = twoProcesses();
    a.acquireLease('app', daemon, TTL);
    await clock.advance(TTL - 1);
    expect(b.acquireLease('app', cli, TTL).acquired).toBe(false);
    await clock.advance(1);
    expect(a.holdsLease('app', daemon.id)).toBe(false);
    const taken = b.acquireLease('app', cli, TTL);
    expect(taken).toMatchObject({ acquired: true, tookOverFrom: daemon, lease: { holder: cli } });
    expect([a.renewLease('app', daemon.id, TTL), a.releaseLease('app', daemon.id), b.getLease('app')?.holder]).toEqual([false, false, cli]);
  });

  it('keeps a renewed lease past its first expiry', async () => {
    const { clock, a, b } = twoProcesses();
    a.acquireLease('app', daemon, TTL);
    await clock.advance(TTL / 2);
    expect(a.renewLease('app', daemon.id, TTL)).toBe(true);
    await clock.advance(TTL / 2 + 1);
    expect(b.acquireLease('app', cli, TTL)).toMatchObject({ acquired: false, expiresAt: clock.now() - 1 + TTL / 2 });
  });

  it('frees the lease at once on release', () => {
    const { a, b } = twoProcesses();
    a.acquireLease('app', daemon, TTL);
    expect(a.releaseLease('app', daemon.id)).toBe(true);
    expect(b.getLease('app')).toBeUndefined();
    expect(b.acquireLease('app', cli, TTL)).toMatchObject({ acquired: true });
    expect(b.acquireLease('app', cli, TTL)).not.toHaveProperty('tookOverFrom');
  });

  it.each([
    { name: 'a dead pid on the same host is taken over before expiry', holder: daemon, takenOver: true },
    { name: 'a pid on another host is never judged, only its TTL frees it', holder: { ...daemon, hostname: 'elsewhere' }, takenOver: false },
    { name: 'the claimant’s own pid is not judged dead', holder: { ...daemon, pid: cli.pid }, takenOver: false },
  ])('$name', ({ holder, takenOver }) => {
    const { a, b } = twoProcesses((pid) => pid !== daemon.pid && pid !== cli.pid);
    a.acquireLease('app', holder, TTL);
    expect(b.acquireLease('app', cli, TTL).acquired).toBe(takenOver);
  });

  it.each([
    { name: 'a live holder drives the app', alive: true, asker: 'box', live: true },
    { name: 'a dead holder on the asker’s host drives nothing (a command would take over at once)', alive: false, asker: 'box', live: false },
    { name: 'a holder on another host is judged by its TTL only', alive: false, asker: 'elsewhere', live: true },
  ])('liveLease: $name', ({ alive, asker, live }) => {
    const { a, b } = twoProcesses(() => alive);
    a.acquireLease('app', daemon, TTL);
    expect(b.liveLease('app', asker)?.holder.id).toBe(live ? daemon.id : undefined);
  });

  it('liveLease: an expired lease drives nothing', async () => {
    const { a, clock } = twoProcesses();
    a.acquireLease('app', daemon, TTL);
    await clock.advance(TTL + 1);
    expect(a.liveLease('app', 'elsewhere')).toBeUndefined();
  });

  it('detects live and dead processes', () => {
    const exited = spawnSync(process.execPath, ['-e', '']);
    expect([processAlive(process.pid), processAlive(exited.pid)]).toEqual([true, false]);
  });

  it('lets exactly one of several live processes racing for a free lease win', async () => {
    const { dir } = h.open();
    const script = fileURLToPath(new URL('./child.ts', import.meta.url));
    const children = ['p1', 'p2', 'p3', 'p4'].map((id) => spawn(process.execPath, ['--import', 'tsx', script, 'lease', dir, id], { stdio: ['pipe', 'pipe', 'inherit'] }));
    try {
      const lines = children.map(readLines);
      await Promise.all(lines.map((next) => next()));
      for (const c of children) c.stdin.write('go\n');
      const results = (await Promise.all(lines.map((next) => next()))).map((line) => JSON.parse(line) as { acquired: boolean });
      expect(results.filter((r) => r.acquired)).toHaveLength(1);
    } finally {
      await Promise.all(children.map((c) => new Promise((resolve) => (c.once('exit', resolve), c.stdin.end()))));
    }
  }, 30_000);
});

describe('waitForLease', () => {
  it('waits while another holder has the lease and takes it when it expires', async () => {
    const { clock, a, b } = twoProcesses();
    a.acquireLease('app', daemon, TTL);
    const waiting = waitForLease({ store: b, clock }, 'app', cli, { ttlMs: TTL, waitMs: 60_000, pollMs: 1000 });
    await clock.advance(TTL);
    await expect(waiting).resolves.toMatchObject({ holder: cli, acquiredAt: clock.now() });
  });

  it.each([
    { name: 'fails fast with waitMs 0', waitMs: 0, advance: 0 },
    { name: 'fails when the wait runs out first', waitMs: 5000, advance: 5000 },
  ])('$name with LEASE_HELD naming the holder', async ({ waitMs, advance }) => {
    const { clock, a, b } = twoProcesses();
    a.acquireLease('app', daemon, TTL);
    const expiresAt = clock.now() + TTL;
    const waiting = waitForLease({ store: b, clock }, 'app', cli, { ttlMs: TTL, waitMs, pollMs: 1000 });
    const settled = waiting.then(() => undefined, (err: unknown) => err);
    await clock.advance(advance);
    expect(await settled).toMatchObject({ code: 'LEASE_HELD', data: { app: 'app', heldBy: daemon, expiresAt } });
  });

  it('stops waiting when aborted', async () => {
    const { clock, a, b } = twoProcesses();
    a.acquireLease('app', daemon, TTL);
    const controller = new AbortController();
    const waiting = waitForLease({ store: b, clock }, 'app', cli, { ttlMs: TTL, waitMs: 60_000, signal: controller.signal });
    const reason = new Error('interrupted');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(b.getLease('app')?.holder).toEqual(daemon);
  });
});

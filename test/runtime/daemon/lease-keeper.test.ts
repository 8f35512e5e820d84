import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { keepLease } from '../../../src/runtime/daemon/lease-keeper.js';
import { silentLogger } from '../../../src/runtime/log.js';
import { openStore, type LeaseHolder } from '../../../src/runtime/store/index.js';
import { FakeClock } from '../../support/fake-clock.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const holder = (id: string, pid: number): LeaseHolder => ({ id, pid, hostname: 'host', kind: 'daemon' });

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'berth-lease-'));
  dirs.push(dir);
  const clock = new FakeClock();
  const store = openStore({ dir, clock, isProcessAlive: () => true });
  return { clock, store };
}

describe('daemon lease', () => {
  it('holds the lease for life, renewing it; a second daemon fails with LEASE_HELD', async () => {
    const { clock, store } = setup();
    const a = keepLease({ store, clock, log: silentLogger(), app: 'web', holder: holder('a', 1), ttlMs: 30_000 });
    expect(() => keepLease({ store, clock, log: silentLogger(), app: 'web', holder: holder('b', 2), ttlMs: 30_000 })).toThrow(expect.objectContaining({ code: 'LEASE_HELD', data: expect.objectContaining({ app: 'web' }) }));
    await clock.advance(10 * 60_000);
    expect([a.held(), store.getLease('web')?.holder.id]).toEqual([true, 'a']);
    expect(store.getLease('web')!.expiresAt).toBeGreaterThan(clock.now());
    a.release();
    expect(store.getLease('web')).toBeUndefined();
    store.close();
  });

  it('stops passes when the lease is lost and takes it back when it can', async () => {
    const { clock, store } = setup();
    let regained = 0;
    const a = keepLease({ store, clock, log: silentLogger(), app: 'web', holder: holder('a', 1), ttlMs: 30_000, onRegained: () => regained++ });
    // Another writer takes over (as after this process stalled past its TTL).
    store.releaseLease('web', 'a');
    expect(store.acquireLease('web', holder('b', 2), 15_000).acquired).toBe(true);
    await clock.advance(10_000);
    expect(a.held()).toBe(false);
    store.releaseLease('web', 'b');
    await clock.advance(10_000);
    expect([a.held(), regained, store.getLease('web')?.holder.id]).toEqual([true, 1, 'a']);
    a.release();
    store.close();
  });
});

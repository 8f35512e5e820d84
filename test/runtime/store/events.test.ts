import { describe, expect, it } from 'vitest';
import type { EventInput } from '../../../src/runtime/store/index.js';
import { FakeClock } from '../../support/fake-clock.js';
import { storeHarness } from './harness.js';

const h = storeHarness();
const POD = 'Pod/default/web-abc12';
const ev = (over: Partial<EventInput> = {}): EventInput => ({
  app: 'app',
  type: 'Warning',
  reason: 'BackOff',
  objectKey: POD,
  message: 'Back-off restarting failed container web',
  ...over,
});

describe('events', () => {
  it('aggregates identical consecutive events of an object into one with a count', async () => {
    const { store, clock } = h.open();
    const t0 = clock.now();
    store.addEvent(ev());
    await clock.advance(10_000);
    store.addEvent(ev());
    await clock.advance(20_000);
    const third = store.addEvent(ev());
    expect(third).toEqual({ ...ev(), id: third.id, count: 3, firstTimestamp: t0, lastTimestamp: t0 + 30_000 });
    expect(store.listEvents({ app: 'app' })).toEqual([third]);
  });

  it('tells onEvent of each event it records, new or counted again, after the write', () => {
    const told: Array<[number, number]> = [];
    const { store } = h.open({ onEvent: (e) => told.push([e.id, e.count]) });
    const first = store.addEvent(ev());
    store.addEvent(ev());
    const other = store.addEvent(ev({ reason: 'Killing' }));
    expect(told).toEqual([
      [first.id, 1],
      [first.id, 2],
      [other.id, 1],
    ]);
    expect(store.listEvents({ app: 'app' })).toHaveLength(2);
  });

  it.each([
    { name: 'type', other: { type: 'Normal' as const } },
    { name: 'reason', other: { reason: 'Killing' } },
    { name: 'message', other: { message: 'Back-off restarting failed container sidecar' } },
  ])('keeps a separate event when the $name differs, and a repeat merges across it (as Kubernetes dedups)', async ({ other }) => {
    const { store, clock } = h.open();
    store.addEvent(ev());
    await clock.advance(1);
    store.addEvent(ev(other));
    await clock.advance(1);
    store.addEvent(ev());
    expect(store.listEvents({ app: 'app' }).map((e) => [e.message, e.count])).toEqual([
      [ev(other).message, 1],
      [ev().message, 2],
    ]);
  });

  it('a repeat under a newer source revision is the same event, counted, and carries the newest revision', async () => {
    const { store, clock } = h.open();
    const t0 = clock.now();
    store.addEvent(ev({ sourceRevision: 'c1' }));
    await clock.advance(1000);
    const again = store.addEvent(ev({ sourceRevision: 'c2' }));
    expect(again).toMatchObject({ count: 2, sourceRevision: 'c2', firstTimestamp: t0, lastTimestamp: t0 + 1000 });
    await clock.advance(1000);
    // An event recorded without a revision (a CLI delete) keeps the one the row had.
    expect(store.addEvent(ev())).toMatchObject({ count: 3, sourceRevision: 'c2' });
    expect(store.listEvents({ app: 'app' })).toHaveLength(1);
  });

  it('a failing probe with alternating messages stays a bounded set of rows, counted', async () => {
    const { store, clock } = h.open();
    for (let i = 0; i < 120; i++) {
      store.addEvent(ev({ reason: 'Unhealthy', message: 'Readiness probe failed: HTTP probe failed with statuscode: 503 (container web)' }));
      store.addEvent(ev({ reason: 'Unhealthy', message: 'Liveness probe failed: HTTP probe failed with statuscode: 500 (container web)' }));
      store.addEvent(ev({ reason: 'Unhealthy', message: `Readiness probe failed: not ready at ${i} (container side)` }));
      await clock.advance(1000);
    }
    const rows = store.listEvents({ app: 'app' });
    expect(rows.length).toBeLessThanOrEqual(10);
    expect(rows.find((e) => e.message.startsWith('Readiness probe failed: HTTP'))?.count).toBe(120);
    expect(rows.find((e) => e.message.startsWith('Liveness'))?.count).toBe(120);
    const combined = rows.find((e) => e.message.startsWith('(combined from similar events): '));
    expect(combined?.message).toBe('(combined from similar events): Readiness probe failed: not ready at 119 (container side)');
    expect(rows.reduce((n, e) => n + e.count, 0)).toBe(360);
  });

  it('an identical event long after the last one starts a fresh row (the event TTL)', async () => {
    const { store, clock } = h.open();
    store.addEvent(ev());
    await clock.advance(2 * 60 * 60_000);
    store.addEvent(ev());
    expect(store.listEvents({ app: 'app' }).map((e) => e.count)).toEqual([1, 1]);
  });

  it('aggregates per object: another object in between does not break the run', async () => {
    const { store, clock } = h.open();
    store.addEvent(ev());
    await clock.advance(1);
    store.addEvent(ev({ objectKey: 'Pod/default/web-def34' }));
    await clock.advance(1);
    store.addEvent(ev());
    expect(store.listEvents({ app: 'app' }).map((e) => [e.objectKey, e.count])).toEqual([
      ['Pod/default/web-def34', 1],
      [POD, 2],
    ]);
  });

  it('filters by app, object keys and time, and limits to the newest, oldest first', async () => {
    const { store, clock } = h.open();
    const t0 = clock.now();
    for (const [i, key] of ['Deployment/default/web', 'ReplicaSet/default/web-5d4f', POD, 'Pod/default/other'].entries()) {
      store.addEvent(ev({ type: 'Normal', reason: `R${i}`, objectKey: key, message: `m${i}` }));
      store.addEvent(ev({ app: 'other', type: 'Normal', reason: `R${i}`, objectKey: key, message: `m${i}` }));
      await clock.advance(1000);
    }
    const reasons = (q: Parameters<typeof store.listEvents>[0]) => store.listEvents(q).map((e) => `${e.app}:${e.reason}`);
    expect(reasons({ app: 'app' })).toEqual(['app:R0', 'app:R1', 'app:R2', 'app:R3']);
    expect(reasons({ app: 'app', objectKey: POD })).toEqual(['app:R2']);
    expect(reasons({ app: 'app', objectKey: ['Deployment/default/web', 'ReplicaSet/default/web-5d4f', POD] })).toEqual(['app:R0', 'app:R1', 'app:R2']);
    expect(reasons({ app: 'app', objectKey: [] })).toEqual([]);
    expect(reasons({ app: 'app', since: t0 + 2000 })).toEqual(['app:R2', 'app:R3']);
    expect(reasons({ app: 'app', limit: 2 })).toEqual(['app:R2', 'app:R3']);
    expect(reasons({ limit: 2 })).toEqual(['app:R3', 'other:R3']);
    expect(reasons({ objectKey: POD })).toEqual(['app:R2', 'other:R2']);
  });

  it('orders an aggregated event by its last occurrence', async () => {
    const { store, clock } = h.open();
    store.addEvent(ev());
    await clock.advance(1000);
    store.addEvent(ev({ objectKey: 'Pod/default/b', reason: 'Started', type: 'Normal', message: 'started' }));
    await clock.advance(1000);
    store.addEvent(ev());
    expect(store.listEvents({ app: 'app' }).map((e) => e.reason)).toEqual(['Started', 'BackOff']);
  });

  it('keeps only the newest events per app, trimming in the same write', async () => {
    const { store, clock } = h.open({ eventRetentionPerApp: 3 });
    for (let i = 0; i < 5; i++) {
      store.addEvent(ev({ message: `m${i}` }));
      store.addEvent(ev({ app: 'quiet', message: `q${i}`, objectKey: `Pod/default/q${i}` }));
      await clock.advance(1);
    }
    expect(store.listEvents({ app: 'app' }).map((e) => e.message)).toEqual(['m2', 'm3', 'm4']);
    expect(store.listEvents({ app: 'quiet' }).map((e) => e.message)).toEqual(['q2', 'q3', 'q4']);
  });

  it('never moves lastTimestamp backwards when the clock does', () => {
    const { store, clock, dir } = h.open();
    store.addEvent(ev());
    const behind = h.open({ dir, clock: new FakeClock(clock.now() - 60_000) });
    behind.store.addEvent(ev());
    expect(store.listEvents({ app: 'app' }).map((e) => [e.count, e.firstTimestamp, e.lastTimestamp])).toEqual([[2, clock.now(), clock.now()]]);
  });
});

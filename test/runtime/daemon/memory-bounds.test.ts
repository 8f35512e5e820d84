import { describe, expect, it } from 'vitest';
import { collectDue, createIdleCollector, IDLE_GC_DELAY_MS, IDLE_GC_GROWTH_BYTES } from '../../../src/runtime/daemon/idle-gc.js';
import { recentIds } from '../../../src/runtime/daemon/recent-ids.js';
import { silentLogger } from '../../../src/runtime/log.js';
import { FakeClock } from '../../support/fake-clock.js';

/**
 * Bounds on what the daemon keeps while it idles (issue 13 #7: memory grew with the revision
 * and stayed up). The figures against a real daemon are bench/memory.ts's.
 */
describe('recentIds: the refused revisions the daemon remembers', () => {
  it.each<{ name: string; limit: number; added: string[]; kept: string[]; forgotten: string[] }>([
    { name: 'under the limit, all are kept', limit: 3, added: ['a', 'b'], kept: ['a', 'b'], forgotten: [] },
    { name: 'at the limit, all are kept', limit: 3, added: ['a', 'b', 'c'], kept: ['a', 'b', 'c'], forgotten: [] },
    { name: 'past the limit, the oldest go first', limit: 3, added: ['a', 'b', 'c', 'd', 'e'], kept: ['c', 'd', 'e'], forgotten: ['a', 'b'] },
    { name: 'adding an id again makes it the newest', limit: 3, added: ['a', 'b', 'c', 'a', 'd'], kept: ['a', 'c', 'd'], forgotten: ['b'] },
    { name: 'the same id many times is one entry', limit: 2, added: ['a', 'a', 'a', 'b'], kept: ['a', 'b'], forgotten: [] },
    { name: 'a limit of one keeps the latest only', limit: 1, added: ['a', 'b', 'c'], kept: ['c'], forgotten: ['a', 'b'] },
  ])('$name', ({ limit, added, kept, forgotten }) => {
    const ids = recentIds(limit);
    for (const id of added) ids.add(id);
    expect({ kept: kept.filter((id) => ids.has(id)), forgotten: forgotten.filter((id) => ids.has(id)), size: ids.size }).toEqual({ kept, forgotten: [], size: kept.length });
  });

  it('stays at its limit however many revisions are refused', () => {
    const ids = recentIds(32);
    for (let i = 0; i < 10_000; i++) ids.add(`rev-${i}`);
    expect([ids.size, ids.has('rev-9999'), ids.has('rev-9968'), ids.has('rev-9967')]).toEqual([32, true, true, false]);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a limit of %s', (limit) => {
    expect(() => recentIds(limit)).toThrow(RangeError);
  });
});

describe('collectDue: a collection once the heap grew enough since the last one', () => {
  const MB = 1024 * 1024;
  it.each<{ heap: number; baseline: number; growth?: number; due: boolean }>([
    { heap: 20 * MB, baseline: 18 * MB, due: false },
    { heap: 18 * MB + IDLE_GC_GROWTH_BYTES - 1, baseline: 18 * MB, due: false },
    { heap: 18 * MB + IDLE_GC_GROWTH_BYTES, baseline: 18 * MB, due: true },
    { heap: 64 * MB, baseline: 18 * MB, due: true },
    // Before the first collection the baseline is 0: start-up's own garbage counts.
    { heap: 20 * MB, baseline: 0, due: true },
    // V8 collected by itself since (the heap is below what the last collection left).
    { heap: 15 * MB, baseline: 18 * MB, due: false },
    { heap: 10 * MB, baseline: 5 * MB, growth: 4 * MB, due: true },
  ])('heap $heap over baseline $baseline (growth $growth): $due', ({ heap, baseline, growth, due }) => {
    expect(collectDue(heap, baseline, growth)).toBe(due);
  });
});

describe('the idle collector', () => {
  const MB = 1024 * 1024;
  /** A heap of `heap` MB, which a collection brings down to 18 MB. */
  function harness(o: { heap: number; busy?: () => boolean; failing?: boolean }) {
    const clock = new FakeClock();
    let heap = o.heap * MB;
    const collections: number[] = [];
    const gc = createIdleCollector({
      clock,
      log: silentLogger(),
      busy: o.busy ?? (() => false),
      heapBytes: () => heap,
      collect: async () => {
        if (o.failing) throw new Error('inspector not available');
        collections.push(clock.now());
        heap = 18 * MB;
      },
    });
    return { clock, gc, collections, setHeap: (mb: number) => (heap = mb * MB) };
  }

  it.each<{ name: string; heap: number; busy: boolean; collected: number }>([
    { name: 'a grown heap is collected once the daemon has been idle for the delay', heap: 64, busy: false, collected: 1 },
    { name: 'a heap that did not grow is left to V8', heap: 8, busy: false, collected: 0 },
    { name: 'a pass running or due when the delay ends defers it to the next pass end', heap: 64, busy: true, collected: 0 },
  ])('$name', async ({ heap, busy, collected }) => {
    const h = harness({ heap, busy: () => busy });
    h.gc.passEnded();
    await h.clock.advance(IDLE_GC_DELAY_MS - 1);
    expect(h.collections).toHaveLength(0);
    await h.clock.advance(1);
    expect(h.collections).toHaveLength(collected);
  });

  it('passes ending in a row collect once, after the last, and only again once the heap grew again', async () => {
    const h = harness({ heap: 64 });
    for (let i = 0; i < 5; i++) {
      h.gc.passEnded();
      await h.clock.advance(IDLE_GC_DELAY_MS / 2);
    }
    await h.clock.advance(IDLE_GC_DELAY_MS);
    expect(h.collections).toEqual([h.clock.now() - IDLE_GC_DELAY_MS / 2]);
    // What the collection left (18 MB) is the new baseline: a pass that allocated little is no reason.
    h.setHeap(20);
    h.gc.passEnded();
    await h.clock.advance(IDLE_GC_DELAY_MS);
    expect(h.collections).toHaveLength(1);
    h.setHeap(18 + 16);
    h.gc.passEnded();
    await h.clock.advance(IDLE_GC_DELAY_MS);
    expect(h.collections).toHaveLength(2);
  });

  it('stops trying when this Node cannot collect, and after stop()', async () => {
    const failing = harness({ heap: 64, failing: true });
    failing.gc.passEnded();
    await failing.clock.advance(IDLE_GC_DELAY_MS);
    failing.gc.passEnded();
    expect(failing.clock.pending).toBe(0);
    const stopped = harness({ heap: 64 });
    stopped.gc.passEnded();
    stopped.gc.stop();
    await stopped.clock.advance(IDLE_GC_DELAY_MS);
    expect(stopped.collections).toHaveLength(0);
  });

  it('collects for real through the in-process inspector', async () => {
    const clock = new FakeClock();
    let heapReads = 0;
    const gc = createIdleCollector({ clock, log: silentLogger(), busy: () => false, growthBytes: 0, heapBytes: () => ++heapReads });
    let garbage: object | undefined = { big: 'x'.repeat(1000) };
    const ref = new WeakRef(garbage);
    garbage = undefined;
    // A WeakRef keeps its target to the end of the job that made it.
    await new Promise((r) => setTimeout(r, 0));
    gc.passEnded();
    await clock.advance(IDLE_GC_DELAY_MS);
    // The default collect(): HeapProfiler.collectGarbage through node:inspector. The heap is read
    // before and after it, and the garbage made before it is gone (a full collection).
    for (let i = 0; i < 100 && heapReads < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect([heapReads, ref.deref()]).toEqual([2, undefined]);
  });
});

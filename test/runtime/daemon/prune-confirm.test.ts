import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createPruneConfirm, PRUNE_CONFIRM_MS } from '../../../src/runtime/daemon/prune-confirm.js';
import { createLogger } from '../../../src/runtime/log.js';
import type { ChangeKind, ResourceChange } from '../../../src/runtime/pass/index.js';
import { FakeClock } from '../../support/fake-clock.js';

function change(name: string, kind: ChangeKind): ResourceChange {
  return { key: `ConfigMap/default/${name}`, kind: 'ConfigMap', namespace: 'default', name, change: kind };
}

function gate(lastEventAgoMs: number | undefined) {
  const clock = new FakeClock();
  const lines: Array<{ msg: string; pruned: number; waitMs: number }> = [];
  const destination = new Writable({ write: (c: Buffer, _e, cb) => (lines.push(JSON.parse(c.toString())), cb()) });
  const at = lastEventAgoMs === undefined ? undefined : clock.now() - lastEventAgoMs;
  const g = createPruneConfirm({ clock, log: createLogger({ destination }), lastFileEventAt: () => at });
  return { g, clock, lines };
}

describe('prune confirm window (folder revisions that would delete)', () => {
  const cases: Array<{ name: string; lastEventAgoMs: number | undefined; changes: ChangeKind[]; wait: number }> = [
    { name: 'a deletion right after the debounce waits out the rest of the window', lastEventAgoMs: 200, changes: ['unchanged', 'pruned', 'pruned'], wait: PRUNE_CONFIRM_MS - 200 },
    { name: 'a deletion once the folder has been quiet for the window goes on', lastEventAgoMs: PRUNE_CONFIRM_MS, changes: ['pruned'], wait: 0 },
    { name: 'creating and changing objects never waits (an image tag edit keeps its latency)', lastEventAgoMs: 200, changes: ['created', 'configured', 'unchanged'], wait: 0 },
    { name: 'objects left running without prune are not deletions', lastEventAgoMs: 200, changes: ['orphaned'], wait: 0 },
    { name: 'a Git source (no file events) never waits', lastEventAgoMs: undefined, changes: ['pruned'], wait: 0 },
  ];
  it.each(cases)('$name', ({ lastEventAgoMs, changes, wait }) => {
    const { g } = gate(lastEventAgoMs);
    expect(g.confirm('rev-1', changes.map((k, i) => change(`cm-${i}`, k)))).toBe(wait);
  });

  it('counts down from the last file event across passes, and says so once per revision while it waits', async () => {
    const { g, clock, lines } = gate(300);
    const changes = [change('a', 'unchanged'), change('b', 'pruned')];
    expect(g.confirm('rev-1', changes)).toBe(PRUNE_CONFIRM_MS - 300);
    await clock.advance(1_000);
    expect(g.confirm('rev-1', changes)).toBe(PRUNE_CONFIRM_MS - 1_300);
    expect(g.confirm('rev-2', changes)).toBe(PRUNE_CONFIRM_MS - 1_300);
    // The completed file (nothing to prune) goes on; the same half written again waits again.
    expect(g.confirm('rev-3', [change('a', 'unchanged'), change('b', 'unchanged')])).toBe(0);
    expect(g.confirm('rev-2', changes)).toBe(PRUNE_CONFIRM_MS - 1_300);
    await clock.advance(PRUNE_CONFIRM_MS - 1_300);
    expect(g.confirm('rev-2', changes)).toBe(0);
    expect(lines.map((l) => [l.msg, l.pruned, l.waitMs])).toEqual([
      ['revision would prune objects; waiting for the folder to stay quiet', 1, PRUNE_CONFIRM_MS - 300],
      ['revision would prune objects; waiting for the folder to stay quiet', 1, PRUNE_CONFIRM_MS - 1_300],
      ['revision would prune objects; waiting for the folder to stay quiet', 1, PRUNE_CONFIRM_MS - 1_300],
    ]);
  });
});

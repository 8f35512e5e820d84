import { describe, expect, it } from 'vitest';
import { BerthError } from '../../../src/model/errors.js';
import { createSourceDriver } from '../../../src/runtime/daemon/source.js';
import { silentLogger } from '../../../src/runtime/log.js';
import type { GitFetchResult, GitSource } from '../../../src/sources/git.js';
import { FakeClock } from '../../support/fake-clock.js';

const BACKOFF = { minMs: 1_000, factor: 2, capMs: 300_000, jitter: 0 };

/** A Git source whose fetches take `ms` on the fake clock and answer from a script. */
function scriptedSource(clock: FakeClock, script: Array<string | Error>, ms = 50) {
  const fetches: number[] = [];
  let last = 'a';
  const source: GitSource = {
    description: 'https://git.example.com/deploy.git@main',
    async fetch() {
      fetches.push(clock.now());
      if (ms > 0) await clock.sleep(ms);
      const next = script.shift() ?? last;
      if (next instanceof Error) throw next;
      last = next;
      return { id: next, origin: 'git x', files: [], commit: next, message: 'm', author: 'a <a@b>', committedAt: 0 } satisfies GitFetchResult;
    },
  };
  return { source, fetches };
}

function unreachable(attempt: number) {
  return new BerthError('SOURCE_UNREACHABLE', 'connection refused', { reason: 'network', url: 'https://git.example/repo.git', attempt });
}

function driver(clock: FakeClock, source: GitSource, pollIntervalMs = 60_000) {
  const revisions: string[] = [];
  const errors: number[] = [];
  const d = createSourceDriver({
    spec: { kind: 'git', source, pollIntervalMs },
    clock,
    random: () => 0,
    log: silentLogger(),
    backoff: BACKOFF,
    onRevision: (r) => revisions.push(r.id),
    onError: (_e, s) => errors.push(s.consecutiveFailures),
  });
  return { d, revisions, errors };
}

describe('source driver (git)', () => {
  it('polls every interval and reports a revision only when it changes', async () => {
    const clock = new FakeClock();
    const { source, fetches } = scriptedSource(clock, ['a', 'a', 'b', 'b']);
    const { d, revisions } = driver(clock, source);
    const t0 = clock.now();
    const started = d.start();
    await clock.advance(50);
    await started;
    await clock.advance(3 * 60_050 + 10);
    expect(fetches.map((t) => t - t0)).toEqual([0, 60_050, 120_100, 180_150]);
    expect(revisions).toEqual(['a', 'b']);
    expect(d.state()).toMatchObject({ firstFetchDone: true, consecutiveFailures: 0, latest: { id: 'b' } });
    await d.close();
  });

  it('keeps the last revision when the remote is unreachable and retries with back-off capped at the interval', async () => {
    const clock = new FakeClock();
    const script = ['a', ...[1, 2, 3, 4, 5, 6, 7, 8].map(unreachable), 'b'];
    const { source, fetches } = scriptedSource(clock, script, 0);
    const { d, revisions, errors } = driver(clock, source, 30_000);
    const t0 = clock.now();
    await d.start();
    await clock.advance(400_000);
    const gaps = fetches.slice(1).map((t, i) => t - (fetches[i] ?? t0));
    expect(gaps.slice(0, 9)).toEqual([30_000, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(errors).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(revisions).toEqual(['a', 'b']);
    expect(d.latest()?.id).toBe('b');
    await d.close();
  });

  it('fetchNow during a fetch runs exactly one more fetch after it', async () => {
    const clock = new FakeClock();
    const { source, fetches } = scriptedSource(clock, ['a', 'b', 'c'], 1_000);
    const { d, revisions } = driver(clock, source);
    const started = d.start();
    await clock.advance(500);
    d.fetchNow();
    d.fetchNow();
    await clock.advance(2_000);
    await started;
    expect(fetches).toHaveLength(2);
    expect(revisions).toEqual(['a', 'b']);
    await d.close();
  });

  it('records an unreachable first fetch as done (readiness) with the error', async () => {
    const clock = new FakeClock();
    const { source } = scriptedSource(clock, [unreachable(1)], 0);
    const { d } = driver(clock, source);
    await d.start();
    expect(d.state()).toMatchObject({ firstFetchDone: true, consecutiveFailures: 1, lastError: { code: 'SOURCE_UNREACHABLE', reason: 'network' } });
    expect(d.latest()).toBeUndefined();
    await d.close();
  });
});

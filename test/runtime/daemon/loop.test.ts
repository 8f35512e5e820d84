import { describe, expect, it } from 'vitest';
import type { PassContext, PassOutcome, TriggerReason } from '../../../src/runtime/daemon/loop.js';
import { createReconcileLoop } from '../../../src/runtime/daemon/loop.js';
import { FakeClock } from '../../support/fake-clock.js';

const BACKOFF = { minMs: 1_000, factor: 2, capMs: 60_000, jitter: 0.2 };

/** A loop whose passes take `durationMs` on the fake clock and end as `outcomes` says, in order. */
function harness(options: { durationMs?: number; outcomes?: Array<PassOutcome | Error>; random?: number; retryCapMs?: () => number | undefined } = {}) {
  const clock = new FakeClock();
  const passes: Array<{ reasons: TriggerReason[]; at: number; triggeredAt: number; aborted: boolean }> = [];
  const outcomes = [...(options.outcomes ?? [])];
  const retries: Array<number | undefined> = [];
  const loop = createReconcileLoop({
    clock,
    random: () => options.random ?? 0,
    backoff: BACKOFF,
    onPassEnd: (o) => retries.push(o.retryInMs),
    ...(options.retryCapMs ? { retryCapMs: options.retryCapMs } : {}),
    run: async (ctx: PassContext) => {
      const record = { reasons: [...ctx.reasons].sort(), at: clock.now(), triggeredAt: ctx.triggeredAt, aborted: false };
      passes.push(record);
      try {
        await clock.sleep(options.durationMs ?? 100, ctx.signal);
      } catch (err) {
        record.aborted = true;
        throw err;
      }
      const next = outcomes.shift() ?? { status: 'ok' };
      if (next instanceof Error) throw next;
      return next;
    },
  });
  return { clock, loop, passes, retries };
}

describe('reconcile loop', () => {
  it('runs one pass per trigger when idle, starting at once', async () => {
    const { clock, loop, passes } = harness();
    loop.trigger('interval');
    await clock.advance(0);
    expect(passes).toEqual([{ reasons: ['interval'], at: clock.now(), triggeredAt: clock.now(), aborted: false }]);
    await clock.advance(100);
    loop.trigger('docker-event');
    await clock.advance(100);
    expect(passes.map((p) => p.reasons)).toEqual([['interval'], ['docker-event']]);
  });

  it('coalesces triggers that arrive during a pass into exactly one follow-up pass', async () => {
    const { clock, loop, passes } = harness({ durationMs: 1_000 });
    loop.trigger('source');
    await clock.advance(10);
    for (const r of ['docker-event', 'docker-event', 'interval', 'webhook', 'docker-event'] as const) {
      loop.trigger(r);
      await clock.advance(100);
    }
    expect(loop.state()).toMatchObject({ running: true, pending: ['docker-event', 'interval', 'webhook'] });
    await clock.advance(5_000);
    expect(passes.map((p) => p.reasons)).toEqual([['source'], ['docker-event', 'interval', 'webhook']]);
    // The follow-up pass measures latency from the first trigger it coalesced.
    expect(passes[1]!.triggeredAt).toBe(passes[0]!.at + 10);
    await loop.idle();
  });

  it('runs only one pass at a time however many triggers arrive at once', async () => {
    const { clock, loop, passes } = harness({ durationMs: 500 });
    let concurrent = 0;
    let maxConcurrent = 0;
    for (let i = 0; i < 50; i++) loop.trigger(i % 2 ? 'docker-event' : 'cron');
    await clock.advance(0);
    const running = () => (loop.state().running ? 1 : 0);
    for (let t = 0; t < 20; t++) {
      concurrent = running();
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      loop.trigger('interval');
      await clock.advance(100);
    }
    await clock.advance(2_000);
    expect(maxConcurrent).toBe(1);
    // Every pass started after the previous one ended.
    for (let i = 1; i < passes.length; i++) expect(passes[i]!.at).toBeGreaterThanOrEqual(passes[i - 1]!.at + 500);
  });

  it('retries a failed pass with jittered exponential back-off and resets after a success', async () => {
    const fail = new Error('docker unreachable');
    const { clock, loop, passes, retries } = harness({ durationMs: 0, outcomes: [fail, fail, { status: 'failed' }, { status: 'ok' }, fail], random: 0.5 });
    loop.trigger('start');
    await clock.advance(0);
    expect(passes).toHaveLength(1);
    // Jitter 0.2 at random 0.5 shortens each delay by 10 %: 900, 1800, 3600.
    await clock.advance(899);
    expect(passes).toHaveLength(1);
    await clock.advance(1);
    expect(passes).toHaveLength(2);
    await clock.advance(1_800);
    expect(passes).toHaveLength(3);
    await clock.advance(3_599);
    expect(passes).toHaveLength(3);
    expect(loop.state()).toMatchObject({ failures: 3, retryAt: clock.now() + 1 });
    await clock.advance(1);
    expect(passes.map((p) => p.reasons)).toEqual([['start'], ['retry'], ['retry'], ['retry']]);
    expect(loop.state().failures).toBe(0);
    loop.trigger('interval');
    await clock.advance(0);
    expect(retries).toEqual([900, 1_800, 3_600, undefined, 900]);
  });

  it('lets urgent triggers skip a back-off while drift triggers wait for the retry', async () => {
    const { clock, loop, passes } = harness({ durationMs: 0, outcomes: [new Error('boom'), new Error('boom'), { status: 'ok' }] });
    loop.trigger('interval');
    await clock.advance(0);
    await clock.advance(100);
    loop.trigger('docker-event');
    await clock.advance(100);
    expect(passes).toHaveLength(1);
    loop.trigger('source');
    await clock.advance(0);
    expect(passes.map((p) => p.reasons)).toEqual([['interval'], ['docker-event', 'retry', 'source']]);
  });

  it('never stops on failures: keeps retrying at the capped delay', async () => {
    const outcomes = Array.from({ length: 30 }, () => new Error('still failing'));
    const { clock, loop, passes } = harness({ durationMs: 0, outcomes });
    loop.trigger('start');
    await clock.advance(10 * 60_000);
    // 1+2+4+8+16+32 s, then every 60 s (the cap): 7 passes in the first 63 s, one a minute after.
    expect(passes.length).toBeGreaterThanOrEqual(14);
    expect(loop.state().failures).toBe(passes.length);
  });

  it.each([
    ['nothing due: the back-off alone', undefined, [1_000, 2_000, 4_000, 8_000]],
    ['a deadline due in 2.5 s: no retry waits past it', 2_500, [1_000, 2_000, 2_500, 2_500]],
    ['a deadline already past: retry at once', 0, [0, 0, 0, 0]],
  ] as const)('caps the retry delay at what is due sooner (%s)', async (_, cap, expected) => {
    const outcomes = Array.from({ length: 4 }, () => new Error('image pull failed'));
    const { clock, loop, retries } = harness({ durationMs: 0, outcomes, retryCapMs: () => cap });
    loop.trigger('start');
    await clock.advance(20_000);
    expect(retries.slice(0, 4)).toEqual(expected);
  });

  it('supersede aborts the running pass and starts a new one without counting a failure', async () => {
    const { clock, loop, passes } = harness({ durationMs: 10_000 });
    loop.trigger('start');
    await clock.advance(1_000);
    loop.supersede('source');
    await clock.advance(0);
    await clock.advance(0);
    expect(passes.map((p) => [p.reasons, p.aborted])).toEqual([
      [['start'], true],
      [['source'], false],
    ]);
    expect(loop.state().failures).toBe(0);
  });

  it('schedules a follow-up pass when a pass asks for one, unless a trigger comes first', async () => {
    const { clock, loop, passes } = harness({ durationMs: 0, outcomes: [{ status: 'ok', againAfterMs: 5_000 }] });
    loop.trigger('source');
    await clock.advance(4_999);
    expect(passes).toHaveLength(1);
    await clock.advance(1);
    expect(passes.map((p) => p.reasons)).toEqual([['source'], ['follow-up']]);
  });

  it('stop aborts the running pass, waits for it, and ignores later triggers', async () => {
    const { clock, loop, passes } = harness({ durationMs: 60_000 });
    loop.trigger('start');
    await clock.advance(10);
    loop.trigger('interval');
    await loop.stop();
    loop.trigger('source');
    await clock.advance(120_000);
    expect(passes).toEqual([expect.objectContaining({ reasons: ['start'], aborted: true })]);
    expect(loop.state().running).toBe(false);
  });
});

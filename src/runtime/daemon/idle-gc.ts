import { getHeapStatistics } from 'node:v8';
import type { Clock, ClockTimer } from '../../model/clock.js';
import type { Logger } from '../log.js';

/**
 * Why the daemon collects its own garbage once it goes idle (issue 13 #7). A pass over a big
 * revision allocates a lot that lives only for the pass: reading and validating 5,000
 * ConfigMaps allocates ~130 MB, which grows V8's heap to 60+ MB. V8 collects when allocation
 * asks for room, and an idle daemon allocates almost nothing, so the grown heap and its garbage
 * stayed resident: RSS stayed at 125–140 MB after such a pass when a full GC brings it back to
 * ~80 MB. An embedder is expected to tell V8 when it is idle; Node does not, so the daemon does:
 * once no pass has started for IDLE_GC_DELAY_MS after one ended, and only when the heap grew by
 * IDLE_GC_GROWTH_BYTES since the last collection (passes over small apps never pay for one).
 */
export const IDLE_GC_DELAY_MS = 2_000;
export const IDLE_GC_GROWTH_BYTES = 16 * 1024 * 1024;

/** Whether a heap of `heapBytes` is worth a collection, `baselineBytes` being what the last one left. */
export function collectDue(heapBytes: number, baselineBytes: number, growthBytes = IDLE_GC_GROWTH_BYTES): boolean {
  return heapBytes - baselineBytes >= growthBytes;
}

export interface IdleCollectorDeps {
  clock: Clock;
  log: Logger;
  /** True while a pass runs or one is due: the collection waits for the next pass to end. */
  busy: () => boolean;
  /** Committed heap size in bytes (V8's total_heap_size: what is resident). */
  heapBytes?: () => number;
  /** A full, memory-reducing collection; default: through an in-process inspector session. */
  collect?: () => Promise<void>;
  delayMs?: number;
  growthBytes?: number;
}

export interface IdleCollector {
  /** A pass ended: collect after the delay, unless another one starts first. */
  passEnded(): void;
  stop(): void;
}

export function createIdleCollector(deps: IdleCollectorDeps): IdleCollector {
  const { clock } = deps;
  const heapBytes = deps.heapBytes ?? (() => getHeapStatistics().total_heap_size);
  const collect = deps.collect ?? collectThroughInspector;
  const delayMs = deps.delayMs ?? IDLE_GC_DELAY_MS;
  const growthBytes = deps.growthBytes ?? IDLE_GC_GROWTH_BYTES;
  const log = deps.log.child({ component: 'idle-gc' });
  /** What the last collection left (0 before the first: start-up's own garbage counts). */
  let baseline = 0;
  let timer: ClockTimer | undefined;
  let collecting = false;
  let disabled = false;
  let stopped = false;

  async function run(): Promise<void> {
    timer = undefined;
    if (stopped || disabled || collecting || deps.busy()) return;
    const before = heapBytes();
    if (!collectDue(before, baseline, growthBytes)) return;
    collecting = true;
    const startedAt = clock.now();
    try {
      await collect();
      baseline = heapBytes();
      log.debug({ heapBefore: before, heapAfter: baseline, ms: clock.now() - startedAt }, 'collected garbage while idle');
    } catch (err) {
      // A Node built without the inspector: V8's own heuristics then are all there is.
      disabled = true;
      log.debug({ err }, 'cannot collect garbage while idle');
    } finally {
      collecting = false;
    }
  }

  return {
    passEnded() {
      if (stopped || disabled) return;
      if (timer) clock.clearTimeout(timer);
      timer = clock.setTimeout(() => void run(), delayMs);
    },
    stop() {
      stopped = true;
      if (timer) clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}

/**
 * HeapProfiler.collectGarbage through a session of the process's own inspector (node:inspector,
 * no port opened): unlike gc() it needs no --expose-gc flag, and it is V8's memory-reducing
 * collection, which also gives the grown young generation and empty pages back to the system.
 */
async function collectThroughInspector(): Promise<void> {
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  try {
    await new Promise<void>((resolve, reject) => session.post('HeapProfiler.collectGarbage', (err) => (err ? reject(err) : resolve())));
  } finally {
    session.disconnect();
  }
}

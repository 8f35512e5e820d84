import type { EventInput, EventRecord } from './state.js';

/**
 * How the event store folds repeats, after Kubernetes' client-side EventCorrelator
 * (k8s.io/client-go/tools/record/events_cache.go), so a pod failing a probe every second, or a
 * crash loop whose BackOff alternates with Started, adds a count to a few rows instead of a row
 * per occurrence.
 *
 * - Identical events (same object, type, reason, message) seen within
 *   `identicalWindowMs` are one event: count + 1, lastTimestamp moves. Not only the object's
 *   newest event: Kubernetes' dedup cache is keyed by the event, so events in between (the
 *   readiness and the liveness failures of one pod, two failing containers) do not break it.
 *   The window stands in for Kubernetes' event TTL (1 h): an object that fails again much later
 *   gets a fresh row rather than one count spanning days.
 * - Similar events (same object, type, reason, different messages: an exec
 *   probe printing a timestamp) are combined once `maxSimilar` distinct messages were seen within
 *   `similarWindowMs`: from then on one row `(combined from similar events): <latest message>`
 *   takes them, so the rows an object can have per reason stay bounded whatever the messages.
 * - The source revision is not part of the key, as Kubernetes' key has no such thing: the same
 *   endpoints update or probe failure under the next revision is a repeat, not a second row
 *   reading the same (describe svc printed `2 ready` twice after an apply). A bumped event takes
 *   the newest occurrence's revision, as it takes its time.
 */
export interface EventCorrelationPolicy {
  identicalWindowMs: number;
  similarWindowMs: number;
  maxSimilar: number;
}

/** Kubernetes' defaults: 10 similar events within 10 minutes; the event TTL of 1 hour. */
export const DEFAULT_EVENT_CORRELATION: EventCorrelationPolicy = Object.freeze({
  identicalWindowMs: 60 * 60_000,
  similarWindowMs: 10 * 60_000,
  maxSimilar: 10,
});

export const COMBINED_PREFIX = '(combined from similar events): ';

/** An earlier event of the same object as it matters to correlation. */
export type RecentEvent = Pick<EventRecord, 'id' | 'type' | 'reason' | 'message' | 'sourceRevision' | 'lastTimestamp'>;

export type Correlation =
  /** Bump event `id`: count + 1, lastTimestamp = now, message replaced (a combined event shows the latest). */
  | { action: 'bump'; id: number; message: string }
  | { action: 'insert'; message: string };

/**
 * What to do with `event`, given the earlier events of its object (any order; those outside the
 * windows are ignored, so a caller may pass more than the windows need).
 */
export function correlateEvent(
  event: Pick<EventInput, 'type' | 'reason' | 'message' | 'sourceRevision'>,
  recent: readonly RecentEvent[],
  now: number,
  policy: EventCorrelationPolicy = DEFAULT_EVENT_CORRELATION,
): Correlation {
  const similar = recent.filter((r) => r.type === event.type && r.reason === event.reason);
  const identical = newest(similar.filter((r) => r.message === event.message && now - r.lastTimestamp <= policy.identicalWindowMs));
  if (identical) return { action: 'bump', id: identical.id, message: event.message };
  const lately = similar.filter((r) => now - r.lastTimestamp <= policy.similarWindowMs);
  const combined = newest(lately.filter((r) => r.message.startsWith(COMBINED_PREFIX)));
  const message = COMBINED_PREFIX + event.message;
  if (combined) return { action: 'bump', id: combined.id, message };
  // This event is a new distinct message: with it, are there maxSimilar of them?
  const distinct = new Set(lately.map((r) => r.message));
  if (distinct.size + 1 >= policy.maxSimilar) return { action: 'insert', message };
  return { action: 'insert', message: event.message };
}

function newest(events: readonly RecentEvent[]): RecentEvent | undefined {
  let best: RecentEvent | undefined;
  for (const e of events) if (!best || e.lastTimestamp > best.lastTimestamp || (e.lastTimestamp === best.lastTimestamp && e.id > best.id)) best = e;
  return best;
}

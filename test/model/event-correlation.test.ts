import { describe, expect, it } from 'vitest';
import type { Correlation, RecentEvent } from '../../src/model/event-correlation.js';
import { COMBINED_PREFIX, correlateEvent } from '../../src/model/event-correlation.js';

const NOW = 10_000_000;
const MIN = 60_000;
const unhealthy = (message: string) => ({ type: 'Warning' as const, reason: 'Unhealthy', message });
const row = (id: number, message: string, agoMs: number, over: Partial<RecentEvent> = {}): RecentEvent => ({
  id,
  type: 'Warning',
  reason: 'Unhealthy',
  message,
  lastTimestamp: NOW - agoMs,
  ...over,
});
const R = 'Readiness probe failed: HTTP probe failed with statuscode: 503 (container web)';
const L = 'Liveness probe failed: dial tcp 10.0.0.5:8080: connect: connection refused (container web)';
const nine = Array.from({ length: 9 }, (_, i) => row(10 + i, `Readiness probe failed: at ${i}`, MIN));

describe('correlateEvent', () => {
  it.each<{ name: string; event: { type: 'Warning' | 'Normal'; reason: string; message: string; sourceRevision?: string }; recent: RecentEvent[]; want: Correlation }>([
    { name: 'first event of its kind: a new row', event: unhealthy(R), recent: [], want: { action: 'insert', message: R } },
    { name: 'identical to the newest: bumped', event: unhealthy(R), recent: [row(1, R, 1000)], want: { action: 'bump', id: 1, message: R } },
    { name: 'identical to an older one, another in between: bumped all the same', event: unhealthy(R), recent: [row(1, R, 2000), row(2, L, 1000)], want: { action: 'bump', id: 1, message: R } },
    { name: 'two identical rows (one past an earlier TTL): the newest takes it', event: unhealthy(R), recent: [row(1, R, 50 * MIN), row(2, R, 5 * MIN)], want: { action: 'bump', id: 2, message: R } },
    { name: 'identical but older than the 1 h window: a new row', event: unhealthy(R), recent: [row(1, R, 61 * MIN)], want: { action: 'insert', message: R } },
    { name: 'other type: a new row', event: { ...unhealthy(R), type: 'Normal' }, recent: [row(1, R, 1000)], want: { action: 'insert', message: R } },
    { name: 'other reason: a new row', event: { ...unhealthy(R), reason: 'Killing' }, recent: [row(1, R, 1000)], want: { action: 'insert', message: R } },
    // Kubernetes' key has no revision: the same thing under the next revision is a repeat (describe svc read `2 ready` twice).
    { name: 'other source revision: bumped all the same', event: { ...unhealthy(R), sourceRevision: 'c2' }, recent: [row(1, R, 1000, { sourceRevision: 'c1' })], want: { action: 'bump', id: 1, message: R } },
    { name: 'ninth distinct message: still its own row', event: unhealthy('Readiness probe failed: at 9'), recent: nine.slice(0, 8), want: { action: 'insert', message: 'Readiness probe failed: at 9' } },
    { name: 'tenth distinct message in 10 min: a combined row', event: unhealthy('Readiness probe failed: at 9'), recent: nine, want: { action: 'insert', message: `${COMBINED_PREFIX}Readiness probe failed: at 9` } },
    {
      name: 'once combined, a new message bumps the combined row and shows the latest',
      event: unhealthy('Readiness probe failed: at 10'),
      recent: [...nine, row(30, `${COMBINED_PREFIX}Readiness probe failed: at 9`, 1000)],
      want: { action: 'bump', id: 30, message: `${COMBINED_PREFIX}Readiness probe failed: at 10` },
    },
    { name: 'similar messages older than 10 min do not count', event: unhealthy('Readiness probe failed: at 9'), recent: nine.map((r) => ({ ...r, lastTimestamp: NOW - 11 * MIN })), want: { action: 'insert', message: 'Readiness probe failed: at 9' } },
    {
      name: 'a combined row quiet for more than 10 min is not reused',
      event: unhealthy('Readiness probe failed: again'),
      recent: [row(30, `${COMBINED_PREFIX}Readiness probe failed: at 9`, 11 * MIN)],
      want: { action: 'insert', message: 'Readiness probe failed: again' },
    },
  ])('$name', ({ event, recent, want }) => {
    expect(correlateEvent(event, recent, NOW)).toEqual(want);
  });
});

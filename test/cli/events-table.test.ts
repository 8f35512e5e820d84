import { describe, expect, it } from 'vitest';
import { eventItem, eventName, eventObject, eventRows } from '../../src/cli/output/events-table.js';
import { isEventsQuery } from '../../src/cli/commands/get-events.js';
import type { EventRecord } from '../../src/runtime/store/index.js';

const NOW = 1_800_000_000_000;
const MIN = 60_000;
const event = (over: Partial<EventRecord> = {}): EventRecord => ({
  id: 42,
  app: 'shop',
  type: 'Warning',
  reason: 'Unhealthy',
  objectKey: 'Pod/default/web-0',
  message: 'Readiness probe failed: HTTP probe failed with statuscode: 503 (container web)',
  count: 1,
  firstTimestamp: NOW - 2 * MIN,
  lastTimestamp: NOW - 2 * MIN,
  ...over,
});

describe('get events', () => {
  it.each([
    { key: 'Pod/default/web-0', want: { kind: 'Pod', namespace: 'default', name: 'web-0' } },
    { key: 'Deployment/shop/cart', want: { kind: 'Deployment', namespace: 'shop', name: 'cart' } },
    { key: 'Namespace/shop', want: { kind: 'Namespace', namespace: 'default', name: 'shop' } },
    // Inventory keys of cluster-scoped objects have an empty namespace (`Kind//name`): get events showed `persistentvolume//pv-1`.
    { key: 'Namespace//shop', want: { kind: 'Namespace', namespace: 'default', name: 'shop' } },
    { key: 'PersistentVolume//pv-1', want: { kind: 'PersistentVolume', namespace: 'default', name: 'pv-1' } },
    { key: 'ClusterRole//system:metrics-reader', want: { kind: 'ClusterRole', namespace: 'default', name: 'system:metrics-reader' } },
  ])('the object of $key', ({ key, want }) => {
    expect(eventObject(key)).toEqual(want);
  });

  it.each([
    { name: 'one occurrence', over: {}, wide: false, all: false, want: ['2m', 'Warning', 'Unhealthy', 'pod/web-0', event().message] },
    { name: 'repeated: count and span in LAST SEEN', over: { count: 5, firstTimestamp: NOW - 10 * MIN }, wide: false, all: false, want: ['2m (x5 over 10m)', 'Warning', 'Unhealthy', 'pod/web-0', event().message] },
    { name: 'a message over lines is one line', over: { message: 'a\n  b' }, wide: false, all: false, want: ['2m', 'Warning', 'Unhealthy', 'pod/web-0', 'a b'] },
    { name: 'wide: source, first seen, count', over: { count: 5, firstTimestamp: NOW - 10 * MIN }, wide: true, all: false, want: ['2m (x5 over 10m)', 'Warning', 'Unhealthy', 'pod/web-0', 'berth', event().message, '10m', '5'] },
    { name: '-A: namespace first', over: { objectKey: 'Pod/shop/web-0' }, wide: false, all: true, want: ['shop', '2m', 'Warning', 'Unhealthy', 'pod/web-0', event().message] },
  ])('$name', ({ over, wide, all, want }) => {
    const rows = eventRows([event(over)], { now: NOW, wide, allNamespaces: all });
    expect(rows[1]).toEqual(want);
    expect(rows[0]).toHaveLength(want.length);
  });

  it('-o json: a core/v1 Event with its count and timestamps', () => {
    expect(eventItem(event({ count: 5, firstTimestamp: NOW - 10 * MIN, sourceRevision: 'abc123' }), 'shop')).toEqual({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web-0.2a', namespace: 'default', creationTimestamp: '2027-01-15T07:50:00Z', annotations: { 'berth.dev/source-revision': 'abc123' } },
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-0' },
      type: 'Warning',
      reason: 'Unhealthy',
      message: event().message,
      count: 5,
      firstTimestamp: '2027-01-15T07:50:00Z',
      lastTimestamp: '2027-01-15T07:58:00Z',
      source: { component: 'berth' },
      reportingComponent: 'berth',
      reportingInstance: 'shop',
    });
    expect(eventName(event())).toBe('web-0.2a');
  });

  it.each([
    { args: ['events'], want: true },
    { args: ['ev'], want: true },
    { args: ['Event'], want: true },
    { args: ['pods'], want: false },
    { args: [], want: false },
  ])('$args names events: $want', ({ args, want }) => {
    expect(isEventsQuery(args)).toBe(want);
  });
});

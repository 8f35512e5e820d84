import { describe, expect, it } from 'vitest';
import { eventFilterOf, parseEventFieldSelector, parseEventFor, parseEventTypes, selectEvents } from '../../src/cli/output/events-filter.js';
import type { EventFilterFlags } from '../../src/cli/output/events-filter.js';
import { BerthError } from '../../src/model/errors.js';
import type { EventRecord } from '../../src/runtime/store/index.js';

const MIN = 60_000;
let nextId = 1;
const ev = (objectKey: string, type: 'Normal' | 'Warning', reason: string, lastMin: number): EventRecord => ({
  id: nextId++,
  app: 'shop',
  type,
  reason,
  objectKey,
  message: `${reason} of ${objectKey}`,
  count: 1,
  firstTimestamp: lastMin * MIN,
  lastTimestamp: lastMin * MIN,
});

// Stored out of time order on purpose: the answer is sorted by last occurrence.
const EVENTS: EventRecord[] = [
  ev('Pod/default/web-1', 'Warning', 'BackOff', 9),
  ev('Deployment/default/web', 'Normal', 'ScalingReplicaSet', 1),
  ev('Pod/default/web-1', 'Normal', 'Started', 2),
  ev('Service/default/web', 'Normal', 'EndpointsUpdated', 3),
  ev('Pod/shop/cart-0', 'Warning', 'Unhealthy', 4),
  ev('Deployment/shop/web', 'Normal', 'ScalingReplicaSet', 5),
  ev('PersistentVolume//pv-1', 'Normal', 'Bound', 6),
];

const base: EventFilterFlags = { namespace: 'default', allNamespaces: false };
const reasons = (flags: EventFilterFlags) => selectEvents(EVENTS, eventFilterOf(flags)).map((e) => `${e.objectKey} ${e.reason}`);

describe('events: which rows -n, -A, --for, --types and --field-selector keep, oldest first', () => {
  it.each<{ name: string; flags: EventFilterFlags; want: string[] }>([
    {
      name: '-n default, sorted by last seen (a cluster-scoped object lives in default)',
      flags: base,
      want: ['Deployment/default/web ScalingReplicaSet', 'Pod/default/web-1 Started', 'Service/default/web EndpointsUpdated', 'PersistentVolume//pv-1 Bound', 'Pod/default/web-1 BackOff'],
    },
    { name: '-n shop', flags: { ...base, namespace: 'shop' }, want: ['Pod/shop/cart-0 Unhealthy', 'Deployment/shop/web ScalingReplicaSet'] },
    { name: '-A', flags: { ...base, allNamespaces: true }, want: EVENTS.slice().sort((a, b) => a.lastTimestamp - b.lastTimestamp).map((e) => `${e.objectKey} ${e.reason}`) },
    { name: '--for deployment/web: that object only, in -n', flags: { ...base, for: 'deployment/web' }, want: ['Deployment/default/web ScalingReplicaSet'] },
    { name: '--for deploy/web -n shop', flags: { ...base, namespace: 'shop', for: 'deploy/web' }, want: ['Deployment/shop/web ScalingReplicaSet'] },
    { name: '--for po/web-1', flags: { ...base, for: 'po/web-1' }, want: ['Pod/default/web-1 Started', 'Pod/default/web-1 BackOff'] },
    { name: '--for svc/web', flags: { ...base, for: 'svc/web' }, want: ['Service/default/web EndpointsUpdated'] },
    { name: '--for pod/nope: nothing', flags: { ...base, for: 'pod/nope' }, want: [] },
    { name: '--for pv/pv-1 from another -n (cluster-scoped)', flags: { ...base, namespace: 'shop', for: 'pv/pv-1' }, want: ['PersistentVolume//pv-1 Bound'] },
    { name: '--types Warning', flags: { ...base, types: 'Warning' }, want: ['Pod/default/web-1 BackOff'] },
    { name: '--types normal,WARNING', flags: { ...base, namespace: 'shop', types: 'normal,WARNING' }, want: ['Pod/shop/cart-0 Unhealthy', 'Deployment/shop/web ScalingReplicaSet'] },
    { name: 'involvedObject.kind=Pod', flags: { ...base, fieldSelector: 'involvedObject.kind=Pod' }, want: ['Pod/default/web-1 Started', 'Pod/default/web-1 BackOff'] },
    { name: 'involvedObject.kind=pod (any case)', flags: { ...base, fieldSelector: 'involvedObject.kind=pod' }, want: ['Pod/default/web-1 Started', 'Pod/default/web-1 BackOff'] },
    { name: 'involvedObject.name==web', flags: { ...base, fieldSelector: 'involvedObject.name==web' }, want: ['Deployment/default/web ScalingReplicaSet', 'Service/default/web EndpointsUpdated'] },
    { name: 'kind and name, and', flags: { ...base, fieldSelector: 'involvedObject.kind=Service,involvedObject.name=web' }, want: ['Service/default/web EndpointsUpdated'] },
    { name: 'type!=Normal', flags: { ...base, fieldSelector: 'type!=Normal' }, want: ['Pod/default/web-1 BackOff'] },
    { name: 'reason=Unhealthy -A', flags: { ...base, allNamespaces: true, fieldSelector: 'reason=Unhealthy' }, want: ['Pod/shop/cart-0 Unhealthy'] },
    { name: 'involvedObject.namespace=shop -A', flags: { ...base, allNamespaces: true, fieldSelector: 'involvedObject.namespace=shop' }, want: ['Pod/shop/cart-0 Unhealthy', 'Deployment/shop/web ScalingReplicaSet'] },
    { name: 'metadata.namespace=shop with -n default: both hold', flags: { ...base, fieldSelector: 'metadata.namespace=shop' }, want: [] },
    { name: 'source=berth', flags: { ...base, namespace: 'shop', fieldSelector: 'source=berth' }, want: ['Pod/shop/cart-0 Unhealthy', 'Deployment/shop/web ScalingReplicaSet'] },
    { name: '--for and --types together', flags: { ...base, for: 'pod/web-1', types: 'Normal' }, want: ['Pod/default/web-1 Started'] },
  ])('$name', ({ flags, want }) => {
    expect(reasons(flags)).toEqual(want);
  });

  it('metadata.name selects the one event get events -o name printed', () => {
    const [one] = selectEvents(EVENTS, eventFilterOf({ ...base, fieldSelector: 'reason=BackOff' }));
    const name = `web-1.${one!.id.toString(16)}`;
    expect(selectEvents(EVENTS, eventFilterOf({ ...base, fieldSelector: `metadata.name=${name}` })).map((e) => e.id)).toEqual([one!.id]);
  });
});

describe('events: the flags people get wrong are usage errors, with the fix', () => {
  it.each([
    { name: '--for without a name', run: () => parseEventFor('pod'), want: /resource\/name form/ },
    { name: '--for with an empty name', run: () => parseEventFor('pod/'), want: /resource\/name form/ },
    { name: '--for an unknown type', run: () => parseEventFor('widget/x'), want: /no resource type "widget"/ },
    { name: '--types Error', run: () => parseEventTypes('Warning,Error'), want: /valid --types are Normal or Warning: "Error"/ },
    { name: 'an unknown field', run: () => parseEventFieldSelector('spec.nodeName=h1'), want: /"spec.nodeName" is not a known field selector for events/ },
    { name: 'no operator', run: () => parseEventFieldSelector('type'), want: /invalid field selector "type"/ },
  ])('$name', ({ run, want }) => {
    expect(run).toThrow(BerthError);
    expect(run).toThrow(want);
  });

  it.each([
    { text: 'pod/web-0', want: { kind: 'Pod', name: 'web-0' } },
    { text: 'deployments.apps/web', want: { kind: 'Deployment', name: 'web' } },
    { text: 'Service/web', want: { kind: 'Service', name: 'web' } },
    { text: 'sts/db', want: { kind: 'StatefulSet', name: 'db' } },
  ])('--for $text', ({ text, want }) => {
    expect(parseEventFor(text)).toEqual(want);
  });

  it.each([
    { text: 'type=Warning', want: [{ field: 'type', op: '=', value: 'Warning' }] },
    { text: 'involvedObject.name==web, reason!=Pulled', want: [{ field: 'involvedObject.name', op: '=', value: 'web' }, { field: 'reason', op: '!=', value: 'Pulled' }] },
    { text: 'involvedObject.name=', want: [{ field: 'involvedObject.name', op: '=', value: '' }] },
  ])('--field-selector $text', ({ text, want }) => {
    expect(parseEventFieldSelector(text)).toEqual(want);
  });
});

import { kindInfo } from '../../model/kinds.js';
import { rfc3339 } from '../../model/clock.js';
import type { EventRecord } from '../../runtime/store/index.js';
import { humanDuration } from './age.js';
import { eventAge } from './describe.js';

/** The object an event is about, from its key `Kind/namespace/name` (or `Kind//name`, `Kind/name`, cluster-scoped). */
export interface EventObject {
  kind: string;
  namespace: string;
  name: string;
}

export function eventObject(objectKey: string): EventObject {
  const [kind = '', ...rest] = objectKey.split('/');
  const namespaced = kindInfo(kind)?.namespaced ?? rest.length > 1;
  // Events of cluster-scoped objects live in `default`, as Kubernetes records them.
  // Their keys are `Kind//name` (model/types resourceKey, namespace ''), or `Kind/name`.
  if (!namespaced || rest.length < 2) return { kind, namespace: 'default', name: (rest.length > 1 && rest[0] === '' ? rest.slice(1) : rest).join('/') };
  return { kind, namespace: rest[0]!, name: rest.slice(1).join('/') };
}

export interface EventsTableOptions {
  now: number;
  wide: boolean;
  allNamespaces: boolean;
}

/**
 * `kubectl get events`: LAST SEEN (`2m (x5 over 10m)` for a repeated event), TYPE, REASON,
 * OBJECT (`pod/web-0`), MESSAGE; `-o wide` adds SOURCE, FIRST SEEN and COUNT; `-A` a
 * NAMESPACE column first.
 */
export function eventRows(events: readonly EventRecord[], o: EventsTableOptions): string[][] {
  const header = o.wide
    ? ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT']
    : ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'];
  const rows = events.map((e) => {
    const obj = eventObject(e.objectKey);
    const object = `${obj.kind.toLowerCase()}/${obj.name}`;
    const message = e.message.replace(/\s*\n\s*/g, ' ');
    const row = o.wide
      ? [eventAge(e, o.now), e.type, e.reason, object, 'berth', message, humanDuration(o.now - e.firstTimestamp), String(e.count)]
      : [eventAge(e, o.now), e.type, e.reason, object, message];
    return o.allNamespaces ? [obj.namespace, ...row] : row;
  });
  return [o.allNamespaces ? ['NAMESPACE', ...header] : header, ...rows];
}

/** The event's name, unique per row: the object's name and the row id, as Kubernetes names events `<object>.<hex>`. */
export function eventName(e: Pick<EventRecord, 'objectKey' | 'id'>): string {
  return `${eventObject(e.objectKey).name}.${e.id.toString(16)}`;
}

/** A core/v1 Event as `kubectl get events -o json` prints one. */
export function eventItem(e: EventRecord, app: string): Record<string, unknown> {
  const obj = eventObject(e.objectKey);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: eventName(e),
      namespace: obj.namespace,
      creationTimestamp: rfc3339(e.firstTimestamp),
      // The revision whose pass recorded it, as berth's objects carry theirs.
      ...(e.sourceRevision ? { annotations: { 'berth.dev/source-revision': e.sourceRevision } } : {}),
    },
    involvedObject: { kind: obj.kind, ...(obj.kind === 'Namespace' ? {} : { namespace: obj.namespace }), name: obj.name },
    type: e.type,
    reason: e.reason,
    message: e.message,
    count: e.count,
    firstTimestamp: rfc3339(e.firstTimestamp),
    lastTimestamp: rfc3339(e.lastTimestamp),
    source: { component: 'berth' },
    reportingComponent: 'berth',
    reportingInstance: app,
  };
}

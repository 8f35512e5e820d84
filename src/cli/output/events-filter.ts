import { BerthError } from '../../model/errors.js';
import { kindInfo, resolveKindAlias } from '../../model/kinds.js';
import type { EventRecord } from '../../runtime/store/index.js';
import { eventName, eventObject } from './events-table.js';

/**
 * Which events `get events` and `events` print: kubectl's namespace scope (`-n`, `-A`), `--for
 * TYPE/NAME`, `--types=Normal,Warning` and the event fields `--field-selector` knows.
 */
export interface EventFilter {
  /** Undefined with `-A`: every namespace. */
  namespace?: string;
  /** `--for`: the one object the events are about. */
  for?: { kind: string; name: string };
  /** `--types`: undefined prints both. */
  types?: ReadonlySet<string>;
  fields?: readonly FieldRequirement[];
}

export interface FieldRequirement {
  field: EventField;
  op: '=' | '!=';
  value: string;
}

/** Event fields the Kubernetes API server filters on that berth's events carry. */
const FIELDS = ['involvedObject.kind', 'involvedObject.name', 'involvedObject.namespace', 'metadata.name', 'metadata.namespace', 'type', 'reason', 'source', 'reportingComponent'] as const;
export type EventField = (typeof FIELDS)[number];

/** kubectl's `--for pod/web-0` (TYPE/NAME, TYPE by any alias). */
export function parseEventFor(text: string): { kind: string; name: string } {
  const slash = text.indexOf('/');
  if (slash <= 0 || slash === text.length - 1) throw new BerthError('USAGE', `--for must be in resource/name form, e.g. --for pod/web-0: "${text}"`, { flag: '--for', value: text });
  const info = resolveKindAlias(text.slice(0, slash));
  if (!info) throw new BerthError('USAGE', `berth has no resource type "${text.slice(0, slash)}" for --for`, { flag: '--for', value: text });
  return { kind: info.kind, name: text.slice(slash + 1) };
}

/** kubectl's `--types=Warning,Normal`: each case-insensitively Normal or Warning. */
export function parseEventTypes(text: string): ReadonlySet<string> {
  const types = new Set<string>();
  for (const t of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const type = ['Normal', 'Warning'].find((k) => k.toLowerCase() === t.toLowerCase());
    if (!type) throw new BerthError('USAGE', `valid --types are Normal or Warning: "${t}"`, { flag: '--types', value: text });
    types.add(type);
  }
  return types;
}

/** `--field-selector involvedObject.kind=Pod,type!=Normal`: `=`, `==`, `!=`, comma meaning and. */
export function parseEventFieldSelector(text: string): FieldRequirement[] {
  const out: FieldRequirement[] = [];
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const m = /^\s*([A-Za-z.]+)\s*(!=|==|=)\s*(.*?)\s*$/.exec(part);
    if (!m) throw new BerthError('USAGE', `invalid field selector "${part}": want FIELD=VALUE, FIELD==VALUE or FIELD!=VALUE`, { flag: '--field-selector', value: text });
    const field = FIELDS.find((f) => f === m[1]);
    if (!field) throw new BerthError('USAGE', `"${m[1]}" is not a known field selector for events: only ${FIELDS.join(', ')}`, { flag: '--field-selector', value: text });
    out.push({ field, op: m[2] === '!=' ? '!=' : '=', value: m[3]! });
  }
  return out;
}

/** The value of a selectable field, as the Event object berth prints carries it (events-table.ts eventItem). */
export function eventField(e: EventRecord, field: EventField): string {
  const obj = eventObject(e.objectKey);
  switch (field) {
    case 'involvedObject.kind':
      return obj.kind;
    case 'involvedObject.name':
      return obj.name;
    case 'involvedObject.namespace':
      return obj.kind === 'Namespace' ? '' : obj.namespace;
    case 'metadata.name':
      return eventName(e);
    case 'metadata.namespace':
      return obj.namespace;
    case 'type':
      return e.type;
    case 'reason':
      return e.reason;
    case 'source':
    case 'reportingComponent':
      return 'berth';
  }
}

export function eventMatches(e: EventRecord, f: EventFilter): boolean {
  const obj = eventObject(e.objectKey);
  if (f.namespace !== undefined && obj.namespace !== f.namespace) return false;
  if (f.for && (obj.kind !== f.for.kind || obj.name !== f.for.name)) return false;
  if (f.types && !f.types.has(e.type)) return false;
  // Kinds compare case-insensitively: `involvedObject.kind=pod` is what people type.
  const same = (r: FieldRequirement) => (r.field === 'involvedObject.kind' ? eventField(e, r.field).toLowerCase() === r.value.toLowerCase() : eventField(e, r.field) === r.value);
  return (f.fields ?? []).every((r) => same(r) === (r.op === '='));
}

/**
 * The events to print, oldest first by last occurrence (newest at the bottom, as `kubectl events`
 * sorts; `kubectl get events` leaves the API's name order, berth sorts it by time too). Each
 * stored event is already aggregated (count, first and last time), so one row per event.
 */
export function selectEvents(events: readonly EventRecord[], f: EventFilter): EventRecord[] {
  return events.filter((e) => eventMatches(e, f)).sort((a, b) => a.lastTimestamp - b.lastTimestamp || a.id - b.id);
}

export interface EventFilterFlags {
  namespace: string;
  allNamespaces: boolean;
  /** `--for TYPE/NAME`. */
  for?: string;
  /** `--types Normal,Warning`. */
  types?: string;
  fieldSelector?: string;
}

/** The one place the flags of `get events` and `events` become a filter (`watch` code reuses it). */
export function eventFilterOf(flags: EventFilterFlags): EventFilter {
  const target = flags.for !== undefined ? parseEventFor(flags.for) : undefined;
  // A cluster-scoped object's events live in `default` (events-table.ts): `--for pv/x` finds them from any -n.
  const anyNamespace = flags.allNamespaces || (target !== undefined && kindInfo(target.kind)?.namespaced === false);
  return {
    ...(anyNamespace ? {} : { namespace: flags.namespace }),
    ...(target ? { for: target } : {}),
    ...(flags.types !== undefined ? { types: parseEventTypes(flags.types) } : {}),
    ...(flags.fieldSelector !== undefined ? { fields: parseEventFieldSelector(flags.fieldSelector) } : {}),
  };
}

import type { Command } from 'commander';
import { BerthError } from '../../model/errors.js';
import type { CliIO } from '../context.js';
import { print, write } from '../context.js';
import type { EngineFlags } from '../engine-flags.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ObjectPrinter } from '../output/object-printers.js';
import { parseObjectPrinter, renderObjects } from '../output/object-printers.js';
import { sortByJsonPath } from '../output/sort-by.js';
import type { EventFilter, EventFilterFlags } from '../output/events-filter.js';
import { eventFilterOf, selectEvents } from '../output/events-filter.js';
import type { EventRecord, EventStore } from '../../runtime/store/index.js';

/** kubectl's names for the Event resource. */
const EVENT_RESOURCES: ReadonlySet<string> = new Set(['events', 'event', 'ev', 'events.v1', 'events.events.k8s.io']);

/** `berth get events` (any alias), which is not a manifest kind and reads the event store, not the host. */
export function isEventsQuery(args: readonly string[]): boolean {
  return args.length > 0 && EVENT_RESOURCES.has(args[0]!.toLowerCase());
}

/**
 * `get sts,ds,events`: kubectl lists events beside other kinds. The comma list without the event
 * names (none when it names events alone), or undefined when it names no events among others.
 */
export function eventsInList(args: readonly string[]): { others: string[] } | undefined {
  if (args.length !== 1 || !args[0]!.includes(',')) return undefined;
  const parts = args[0]!.split(',');
  const others = parts.filter((p) => !EVENT_RESOURCES.has(p.toLowerCase()));
  if (others.length === parts.length) return undefined;
  return { others: others.length > 0 ? [others.join(',')] : [] };
}

/** `get`'s event filters: kubectl's `--field-selector` (the Event fields), and `--for` of `kubectl events`. */
export function addEventQueryOptions(cmd: Command): Command {
  return cmd
    .option('--for <type/name>', 'events: only those about this object (pod/web-0, deploy/web)')
    .option('--field-selector <selector>', 'events: involvedObject.kind|name|namespace, type, reason, metadata.name (=, ==, !=; comma = and)');
}

/** berth filters fields of events only: another kind with them would silently list everything. */
export function refuseEventOnlyFlags(flags: { for?: string; fieldSelector?: string }): void {
  if (flags.for !== undefined) throw new BerthError('USAGE', '--for selects events: berth get events --for TYPE/NAME', { flag: '--for' });
  if (flags.fieldSelector !== undefined) throw new BerthError('USAGE', 'berth supports --field-selector for events only (involvedObject.kind, involvedObject.name, type, reason, ...)', { flag: '--field-selector', value: flags.fieldSelector });
}

/** The `-o jsonpath=…`/`custom-columns=…` printer of `get`, reading `-file` templates relative to the working directory. */
export function objectPrinterOf(output: string | undefined, io: CliIO): ObjectPrinter | undefined {
  return parseObjectPrinter(output, (path) => readFileSync(resolve(io.cwd, path), 'utf8'));
}

export interface GetEventsFlags extends EngineFlags, EventFilterFlags {
  output?: string;
  headers?: boolean;
  /** Tables of other kinds came before: a blank line between, as kubectl separates them. */
  afterTables?: boolean;
  /** --sort-by JSONPath, applied to the Event objects `-o json` prints. */
  sortBy?: string;
  allowMissingTemplateKeys?: boolean;
  /** `berth events` words its empty answer as `kubectl events` does. */
  verb?: 'get' | 'events';
}

/**
 * The app's events the flags select, oldest first by last occurrence, each one row with its
 * count: what `get events` and `events` print, and what a watch lists before it follows.
 */
export function queryEvents(store: Pick<EventStore, 'listEvents'>, app: string, filter: EventFilter): EventRecord[] {
  return selectEvents(store.listEvents({ app }), filter);
}

/**
 * The app's events, oldest first by last occurrence (the order `describe` prints), in the
 * namespace of the object each is about (`-A`: all). A repeated event is one row with its count.
 */
export async function getEvents(args: readonly string[], flags: GetEventsFlags, io: CliIO): Promise<number> {
  const filter = eventFilterOf(flags);
  if (args.length > 1) throw new BerthError('USAGE', 'berth get events takes no names: it lists the events of the app (use -n NAMESPACE or -A)', { arg: args[1]! });
  const [{ openEngine }, { systemClock }, { eventItem, eventName, eventRows }, { formatColumns }, { parseGetOutput, renderDocument }] = await Promise.all([
    import('../engine.js'),
    import('../../runtime/clock.js'),
    import('../output/events-table.js'),
    import('../output/table.js'),
    import('../output/kube-objects.js'),
  ]);
  const printer = objectPrinterOf(flags.output, io);
  const format = printer ? 'json' : parseGetOutput(flags.output);
  const engine = openEngine(flags, io);
  try {
    const now = systemClock.now();
    const inScope = queryEvents(engine.store, engine.app, filter);
    const events = flags.sortBy === undefined ? inScope : sortByJsonPath(inScope, (e) => eventItem(e, engine.app), flags.sortBy);
    if (printer) {
      write(io.stdout, renderObjects({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: events.map((e) => eventItem(e, engine.app)) }, printer, { allowMissingKeys: flags.allowMissingTemplateKeys ?? true, noHeaders: flags.headers === false }));
      return 0;
    }
    if (format === 'json' || format === 'yaml') {
      write(io.stdout, renderDocument({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: events.map((e) => eventItem(e, engine.app)) }, format));
      return 0;
    }
    if (events.length === 0) {
      const noun = flags.verb === 'events' ? 'events' : 'resources';
      print(io.stderr, flags.allNamespaces ? `No ${noun} found` : `No ${noun} found in ${flags.namespace} namespace.`);
      return 0;
    }
    if (format === 'name') {
      write(io.stdout, events.map((e) => `event/${eventName(e)}\n`).join(''));
      return 0;
    }
    if (flags.afterTables) write(io.stdout, '\n');
    const formatted = formatColumns(eventRows(events, { now, wide: format === 'wide', allNamespaces: flags.allNamespaces }));
    write(io.stdout, flags.headers === false ? formatted.slice(formatted.indexOf('\n') + 1) : formatted);
    return 0;
  } finally {
    await engine.close();
  }
}

import { BerthError } from '../../model/errors.js';
import type { View } from '../../runtime/views/index.js';
import { buildViews, readLiveState } from '../../runtime/views/index.js';
import type { EventRecord } from '../../runtime/store/index.js';
import type { CliIO } from '../context.js';
import { print, write } from '../context.js';
import type { Engine } from '../engine.js';
import { openEngine, refuseOnSwarm } from '../engine.js';
import type { EngineFlags } from '../engine-flags.js';
import type { ResourceQuery } from '../resource-args.js';
import { parseResourceArgs } from '../resource-args.js';
import type { Selector } from '../../model/selectors.js';
import { eventItem, eventName, eventRows } from '../output/events-table.js';
import { kindTable } from '../output/get-output.js';
import { kindNotes } from '../output/kind-notes.js';
import { kubectlName } from '../output/kube-names.js';
import type { GetOutputFormat } from '../output/kube-objects.js';
import { parseGetOutput, renderDocument } from '../output/kube-objects.js';
import type { ObjectPrinter } from '../output/object-printers.js';
import { renderObjects } from '../output/object-printers.js';
import type { Tracked } from '../output/watch-rows.js';
import { alignRow, columnWidths, documentSeparator, firstLook, watchStep } from '../output/watch-rows.js';
import { eventsInList, isEventsQuery, objectPrinterOf, queryEvents, refuseEventOnlyFlags } from './get-events.js';
import type { EventFilter } from '../output/events-filter.js';
import { eventFilterOf } from '../output/events-filter.js';
import type { WatchChanges } from './get-watch-changes.js';
import { dockerChanges, watchChanges } from './get-watch-changes.js';

/**
 * How one kind's objects look and print in a watch: the listing (with the NotFound lines of
 * names asked for), the table rows at a time, and the object `-o json|yaml|jsonpath` prints.
 */
export interface WatchSource<T> {
  look(): Promise<{ items: { key: string; item: T }[]; missing: string[]; now: number }>;
  /** Header and rows; rendered at a fixed time, the rows are what a change is judged by. */
  table(items: readonly T[], now: number): string[][];
  object(item: T): unknown;
  name(item: T): string;
}

/** The flags of `get` a watch reads. */
export interface WatchGetFlags extends EngineFlags, Omit<FollowFlags, 'fixedNow'> {
  allNamespaces?: boolean;
  selector?: string;
  output?: string;
  showLabels?: boolean;
  headers?: boolean;
  sortBy?: string;
  showKind?: boolean;
  labelColumns?: string[];
  allowMissingTemplateKeys?: boolean;
  /** get events: `--for TYPE/NAME`, `--field-selector`, as without -w; `berth events -w`: `--types`. */
  for?: string;
  fieldSelector?: string;
  types?: string;
}

/** What `get` decides and says itself (cli/commands/get.ts, which loads this file and so cannot be imported by it). */
export interface GetParts {
  namespace: string;
  selector: Selector;
  selectViews(all: readonly View[], query: ResourceQuery, scope: { namespace: string; allNamespaces: boolean; selector: Selector }): { views: View[]; missing: string[] };
  noteWhenUndriven(io: CliIO, state: { app: string; controller?: unknown }, views: readonly View[]): void;
}

export interface FollowFlags {
  watchOnly?: boolean;
  ignoreNotFound?: boolean;
  /** The time rows are rendered at to compare them. */
  fixedNow: number;
}

export interface Output {
  format: GetOutputFormat;
  printer: ObjectPrinter | undefined;
  noHeaders: boolean;
  allowMissingKeys: boolean;
}

/**
 * `get … -w` / `--watch-only`, as kubectl prints it: the listing (unless --watch-only), then
 * one row (no header) for each object that is new, prints differently, or is gone (its last
 * row), until Ctrl-C (exit 0). Looks again on Docker's container events of the app and on
 * commits to the store by others (a daemon, an apply), with a slow fallback for what changes
 * with time alone (minReadySeconds).
 */
export async function runGetWatch(args: string[], flags: WatchGetFlags, io: CliIO, get: GetParts): Promise<number> {
  if (eventsInList(args)) throw new BerthError('USAGE', `watch is only supported on one resource type at a time, as kubectl's: "${args[0]!}" names several kinds`, { arg: args[0]! });
  if (flags.sortBy !== undefined) print(io.stderr, 'warning: --watch or --watch-only requested, --sort-by will be ignored');
  const printer = objectPrinterOf(flags.output, io);
  const output: Output = { format: printer ? 'json' : parseGetOutput(flags.output), printer, noHeaders: flags.headers === false, allowMissingKeys: flags.allowMissingTemplateKeys ?? true };
  const { namespace } = get;
  const allNamespaces = flags.allNamespaces ?? false;
  const events = isEventsQuery(args);
  // Parsed before anything opens, so a bad --for, --field-selector or --types is a usage error at once.
  const filter = events ? eventFilterOf({ namespace, allNamespaces, ...(flags.for !== undefined ? { for: flags.for } : {}), ...(flags.fieldSelector !== undefined ? { fieldSelector: flags.fieldSelector } : {}), ...(flags.types !== undefined ? { types: flags.types } : {}) }) : undefined;
  if (!events) refuseEventOnlyFlags(flags);
  if (events && args.length > 1) throw new BerthError('USAGE', 'berth get events takes no names: it lists the events of the app (use -n NAMESPACE or -A)', { arg: args[1]! });
  const viewSource = events ? undefined : viewsSource(args, flags, get, { namespace, allNamespaces }, output.format);
  refuseOnSwarm(flags, io.env, 'get --watch', 'berth get without --watch, or docker service ps SERVICE');
  const engine = openEngine(flags, io);
  try {
    // Docker's container events change what the views show; events live in the store alone.
    const changes = watchChanges({ clock: engine.clock, dataVersion: () => engine.store.dataVersion(), ...(events ? {} : { subscribe: dockerChanges(engine) }) });
    try {
      const followFlags = { ...flags, fixedNow: engine.clock.now() };
      if (viewSource) return await follow(viewSource(engine, io), output, followFlags, io, changes);
      return await follow(eventsSource(engine, { filter: filter ?? {}, allNamespaces, wide: output.format === 'wide' }), output, followFlags, io, changes);
    } finally {
      changes.close();
    }
  } finally {
    await engine.close();
  }
}

/**
 * The watch loop over any source: the first look (NotFound names end it with 1), then a look
 * per change, printing what watchStep says, until `io.interrupted` (0).
 */
export async function follow<T>(source: WatchSource<T>, output: Output, flags: FollowFlags, io: CliIO, changes: WatchChanges): Promise<number> {
  // Tables compare rows rendered at one fixed time, so an AGE ticking on is no change.
  const table = output.printer === undefined && (output.format === 'table' || output.format === 'wide' || output.format === 'name');
  const track = (items: { key: string; item: T }[]): Tracked<T>[] =>
    items.map(({ key, item }) => ({ key, item, change: JSON.stringify(table ? source.table([item], flags.fixedNow)[1] : source.object(item)) }));
  const first = await source.look();
  if (first.missing.length > 0 && !flags.ignoreNotFound) {
    for (const m of first.missing) print(io.stderr, m);
    return 1;
  }
  let seen = firstLook(track(first.items));
  const emitter = createEmitter(source, output, io);
  if (!flags.watchOnly) emitter.emit(first.items.map((x) => x.item), first.now);
  for (;;) {
    try {
      await changes.changed(io.interrupted);
    } catch (err) {
      if (io.interrupted.aborted) return 0;
      throw err;
    }
    const next = await source.look();
    const step = watchStep(seen, track(next.items));
    seen = step.seen;
    if (step.emit.length > 0) emitter.emit(step.emit.map((e) => e.item), next.now);
    if (io.interrupted.aborted) return 0;
  }
}

/** Prints items as the format says, keeping what later rows line up with (widths) or follow (a header, a document). */
function createEmitter<T>(source: WatchSource<T>, output: Output, io: CliIO) {
  let widths: number[] | undefined;
  let documents = 0;
  return {
    emit(items: readonly T[], now: number): void {
      if (items.length === 0) return;
      if (output.printer === undefined && output.format === 'name') {
        write(io.stdout, items.map((i) => `${source.name(i)}\n`).join(''));
        return;
      }
      if (output.printer === undefined && (output.format === 'table' || output.format === 'wide')) {
        const [header, ...rows] = source.table(items, now);
        // The header comes with the first rows printed: the listing, or (--watch-only, an empty listing) the first change.
        const withHeader = widths === undefined && !output.noHeaders;
        widths ??= columnWidths([header!, ...rows]);
        write(io.stdout, [...(withHeader ? [header!] : []), ...rows].map((r) => alignRow(r, widths!)).join(''));
        return;
      }
      for (const item of items) {
        write(io.stdout, renderOne(source.object(item), output, documents));
        documents++;
      }
    },
  };
}

/** One object per change, as kubectl's printers print a watch: custom-columns' header once, jsonpath per object. */
function renderOne(object: unknown, output: Output, before: number): string {
  if (output.printer) return renderObjects(object, output.printer, { allowMissingKeys: output.allowMissingKeys, noHeaders: output.noHeaders || before > 0 });
  const format = output.format === 'yaml' ? 'yaml' : 'json';
  return documentSeparator(format, before) + renderDocument(object, format);
}

/** The objects of one kind `get` would list (views, by the same selection), as a watch source. */
function viewsSource(args: string[], flags: WatchGetFlags, get: GetParts, scope: { namespace: string; allNamespaces: boolean }, format: GetOutputFormat): (engine: Engine, io: CliIO) => WatchSource<View> {
  const query = parseResourceArgs(args);
  const { selector } = get;
  if (flags.selector !== undefined && query.groups.some((g) => g.names)) throw new BerthError('USAGE', 'name cannot be provided when a selector is specified');
  if (query.groups.length !== 1) throw new BerthError('USAGE', `watch is only supported on one resource type at a time, as kubectl's: "${args.join(' ')}" names ${query.groups.length} kinds`, { arg: args[0]! });
  const kind = query.groups[0]!.kind;
  const tableOptions = { allNamespaces: scope.allNamespaces, showKind: flags.showKind ?? false, labelColumns: flags.labelColumns ?? [], showLabels: flags.showLabels ?? false };
  return (engine, io) => {
    let noted = false;
    return {
      async look() {
        const state = await readLiveState(engine, { app: engine.app, hostname: engine.holder.hostname });
        const selected = get.selectViews(buildViews(state, [kind]), query, { ...scope, selector });
        if (!noted) {
          // Said once, as `get` says them: who drives the app, and what the kind means here.
          noted = true;
          get.noteWhenUndriven(io, state, selected.views);
          for (const note of kindNotes([kind])) print(io.stderr, note);
        }
        return { items: selected.views.map((v) => ({ key: v.key, item: v })), missing: selected.missing, now: state.now };
      },
      table: (views, now) => kindTable(kind, views, format, { ...tableOptions, now }, false),
      object: (v) => v.object,
      name: (v) => kubectlName(v.kind, v.name),
    };
  };
}

/** The app's events `get events` lists (the namespace's or all with -A, --for, --field-selector): a new one, or a repeat (its count), prints a row. */
function eventsSource(engine: Engine, o: { filter: EventFilter; allNamespaces: boolean; wide: boolean }): WatchSource<EventRecord> {
  return {
    async look() {
      const events = queryEvents(engine.store, engine.app, o.filter);
      return { items: events.map((e) => ({ key: String(e.id), item: e })), missing: [], now: engine.clock.now() };
    },
    table: (events, now) => eventRows(events, { now, wide: o.wide, allNamespaces: o.allNamespaces }),
    object: (e) => eventItem(e, engine.app),
    name: (e) => `event/${eventName(e)}`,
  };
}

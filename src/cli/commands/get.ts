import type { Command } from 'commander';
import { BerthError } from '../../model/errors.js';
import { kindInfo } from '../../model/kinds.js';
import type { Selector } from '../../model/selectors.js';
import { EVERYTHING, matches, parseSelector, SelectorSyntaxError } from '../../model/selectors.js';
import type { Kind } from '../../model/types.js';
import type { View } from '../../runtime/views/index.js';
import type { CliContext, CliIO } from '../context.js';
import { print } from '../context.js';
import type { EngineFlags } from '../engine-flags.js';
import { addEngineOptions } from '../engine-flags.js';
import type { ResourceQuery } from '../resource-args.js';
import { parseResourceArgs, resourceText } from '../resource-args.js';
import { kindNotes } from '../output/kind-notes.js';
import { otherAppHint } from '../app-hint.js';
import { addEventQueryOptions, eventsInList, getEvents, isEventsQuery, objectPrinterOf, refuseEventOnlyFlags } from './get-events.js';
import { JsonPathError } from '../output/jsonpath.js';
import { collectLabelColumns, parseBoolFlag, TEMPLATE_FORMATS } from '../output/object-printers.js';
import { sortByJsonPath } from '../output/sort-by.js';
import { NAMESPACE_HELP } from '../help-defaults.js';
import { NOT_FOUND_PREFIX } from '../not-found.js';

export interface ScopeFlags {
  namespace?: string;
  allNamespaces?: boolean;
}

interface GetFlags extends EngineFlags, ScopeFlags {
  selector?: string;
  output?: string;
  ignoreNotFound?: boolean;
  showLabels?: boolean;
  headers?: boolean;
  sortBy?: string;
  showKind?: boolean;
  labelColumns?: string[];
  allowMissingTemplateKeys?: boolean;
  for?: string;
  fieldSelector?: string;
  watch?: boolean;
  watchOnly?: boolean;
}

export function addNamespaceOption(cmd: Command): Command {
  return cmd.option('-n, --namespace <ns>', NAMESPACE_HELP);
}

export function registerGet(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('get')
    .description('list resources the app runs, as kubectl does: get KIND [NAME...] | get KIND/NAME... | get all')
    .argument('<resource...>', 'KIND [NAME...], KIND1,KIND2, KIND/NAME..., or all; kinds by any alias (po, deploy, rs, rc, svc, ns, cm, secret, pvc, pv, sc, job, cj, sts, ds, sa, role, rolebinding, clusterrole, clusterrolebinding, pdb, ing, ingressclass, gc, gtw, httproute, issuer, clusterissuer, cert); events (ev) lists the app events; nodes (no) the Docker host')
    .option('-A, --all-namespaces', 'list across all namespaces')
    .option('-l, --selector <selector>', 'label selector: a=b, a!=b, a in (x,y), a notin (x), a, !a (comma = and)')
    .option('-o, --output <format>', 'wide, json, yaml, name, jsonpath=TEMPLATE, jsonpath-file=FILE, jsonpath-as-json=TEMPLATE, custom-columns=HEADER:PATH,..., custom-columns-file=FILE')
    .option('--show-labels', 'add a LABELS column')
    .option('--no-headers', 'print tables without their header row')
    .option('--ignore-not-found', 'no error when a named object does not exist')
    .option('--sort-by <jsonpath>', 'sort by the value at a JSONPath (.metadata.name, {.status.startTime}): numbers numerically, quantities as quantities, strings naturally')
    .option('--show-kind', 'names read kind/name even for one kind')
    .option('-L, --label-columns <keys>', 'a column per label key (comma-separated, repeatable)', collectLabelColumns)
    .option('--allow-missing-template-keys <bool>', 'jsonpath: a missing field prints nothing (true, the default) or is an error (false)', parseBoolFlag)
    .option('-w, --watch', 'after the listing, print a row for every object that changes or goes, until Ctrl-C')
    .option('--watch-only', 'print the changes only, not the listing first');
  addEventQueryOptions(cmd);
  addNamespaceOption(cmd);
  addEngineOptions(cmd);
  cmd.action(async (args: string[], flags: GetFlags) => {
    // kubectl users write `-o=json` (pflag reads `-o=` as `-o`); commander keeps the `=`.
    if (flags.output?.startsWith('=')) flags.output = flags.output.slice(1);
    try {
      await runGet(args, flags, ctx);
    } catch (err) {
      // A template that fails on these objects is kubectl's "error executing jsonpath", exit 1; one that cannot be parsed is a usage error.
      if (!(err instanceof JsonPathError)) throw err;
      if (err.phase === 'parse') throw new BerthError('USAGE', `error parsing --sort-by ${flags.sortBy ?? ''}: ${err.message}`, { value: flags.sortBy ?? '' });
      print(ctx.io.stderr, `error: ${err.message}`);
      ctx.exitCode = 1;
    }
  });
}

async function runGet(args: string[], flags: GetFlags, ctx: CliContext): Promise<void> {
  // Loaded, not imported: get-nodes.ts reads this file's helpers.
  const nodes = await import('./get-nodes.js');
  const nodeQuery = nodes.nodesQuery(args);
  if (nodeQuery) {
    refuseEventOnlyFlags(flags);
    ctx.exitCode = await nodes.getNodes(nodeQuery, flags, ctx.io, { selector: parseSelectorFlag(flags.selector), notFoundPrefix: NOT_FOUND_PREFIX });
    return;
  }
  if (flags.watch || flags.watchOnly) {
    // get's own selection and notes handed in: get-watch.ts cannot import this file (it loads it).
    const parts = { namespace: namespaceOf(flags, ctx.io), selector: parseSelectorFlag(flags.selector), selectViews, noteWhenUndriven };
    ctx.exitCode = await (await import('./get-watch.js')).runGetWatch(args, flags, ctx.io, parts);
    return;
  }
  const eventFlags = () => ({ ...flags, namespace: namespaceOf(flags, ctx.io), allNamespaces: flags.allNamespaces ?? false });
  const mixed = eventsInList(args);
  if (mixed) {
    // Tables one after the other, as kubectl prints them; one json/yaml document cannot hold both stores' answers.
    if (flags.output === 'json' || flags.output === 'yaml' || TEMPLATE_FORMATS.some((f) => flags.output?.startsWith(f)))
      throw new BerthError('USAGE', `berth get lists events with other kinds only as tables; run \`berth get events -o ${flags.output}\` on its own`, { arg: args[0]! });
    const printed = { tables: false };
    const code = mixed.others.length > 0 ? await get(mixed.others, flags, ctx.io, printed) : 0;
    ctx.exitCode = Math.max(code, await getEvents(['events'], { ...eventFlags(), afterTables: printed.tables }, ctx.io));
    return;
  }
  if (isEventsQuery(args)) {
    ctx.exitCode = await getEvents(args, eventFlags(), ctx.io);
    return;
  }
  refuseEventOnlyFlags(flags);
  ctx.exitCode = await get(args, flags, ctx.io);
}

export function namespaceOf(flags: ScopeFlags, io: CliIO): string {
  return flags.namespace ?? io.env.BERTH_NAMESPACE ?? 'default';
}

export function parseSelectorFlag(text: string | undefined): Selector {
  if (text === undefined) return EVERYTHING;
  try {
    return parseSelector(text);
  } catch (err) {
    if (err instanceof SelectorSyntaxError) throw new BerthError('USAGE', err.message, { selector: text, position: err.position });
    throw err;
  }
}

interface Selection {
  views: View[];
  /** kubectl-style NotFound lines for named objects that do not exist. */
  missing: string[];
}

/**
 * The views a query names: of the kinds asked for, in the namespace (cluster-scoped kinds and
 * `-A` ignore it), matching the selector, and by name when names were given.
 */
export function selectViews(all: readonly View[], query: ResourceQuery, scope: { namespace: string; allNamespaces: boolean; selector: Selector }): Selection {
  const views: View[] = [];
  const missing: string[] = [];
  for (const group of query.groups) {
    const namespaced = kindInfo(group.kind)?.namespaced ?? true;
    const candidates = all.filter((v) => v.kind === group.kind && (!namespaced || scope.allNamespaces || v.namespace === scope.namespace) && matches(scope.selector, v.labels));
    if (!group.names) {
      views.push(...candidates);
      continue;
    }
    for (const name of group.names) {
      const found = candidates.filter((v) => v.name === name);
      if (found.length) views.push(...found);
      else missing.push(notFoundText(group.kind, name));
    }
  }
  return { views, missing };
}

const WORKLOAD_KINDS: ReadonlySet<string> = new Set(['Deployment', 'ReplicaSet', 'ReplicationController', 'Pod', 'Job', 'CronJob', 'DaemonSet', 'StatefulSet']);

/**
 * With no berth process holding the app's lease, nothing heals, rolls out or runs CronJobs
 * between commands: `get` and `describe` of workloads say so on stderr (stdout stays parseable).
 */
export function noteWhenUndriven(io: CliIO, state: { app: string; controller?: unknown }, views: readonly View[]): void {
  if (state.controller !== undefined || !views.some((v) => WORKLOAD_KINDS.has(v.kind))) return;
  print(io.stderr, `note: nothing drives app ${state.app} right now: no berth daemon runs for it, so nothing heals between commands; run \`berth daemon\` (docs/daemon.md)`);
}

/** kubectl's NotFound line without "from server": berth reads a local store, not an API server (docs/cli.md). */
export function notFoundText(kind: Kind, name: string): string {
  return `${NOT_FOUND_PREFIX}${resourceText(kind)} "${name}" not found`;
}

export { NOT_FOUND_PREFIX };

async function get(args: string[], flags: GetFlags, io: CliIO, printed?: { tables: boolean }): Promise<number> {
  const query = parseResourceArgs(args);
  const selector = parseSelectorFlag(flags.selector);
  if (flags.selector !== undefined && query.groups.some((g) => g.names)) throw new BerthError('USAGE', 'name cannot be provided when a selector is specified');
  // Loaded when get runs, not at start-up: other commands should not pay for dockerode and SQLite.
  const [{ openEngine }, { buildViews, readLiveState, containersOnly }, { parseGetOutput, writeGet }] = await Promise.all([
    import('../engine.js'),
    import('../../runtime/views/index.js'),
    import('../output/get-output.js'),
  ]);
  const printer = objectPrinterOf(flags.output, io);
  const format = printer ? 'json' : parseGetOutput(flags.output);
  const namespace = namespaceOf(flags, io);
  const allNamespaces = flags.allNamespaces ?? false;
  const engine = openEngine(flags, io);
  try {
    if (engine.plane.backend.kind === 'swarm') {
      const { getOnSwarm } = await import('./get-swarm.js');
      return await getOnSwarm(engine, query, { namespace, allNamespaces, selector, output: printer ? 'printer' : format, noHeaders: flags.headers === false }, io);
    }
    const kinds = query.groups.map((g) => g.kind);
    // A table of pods shows no sandbox's start: those inspects are skipped (views/detail.ts).
    const podTable = !printer && (format === 'table' || format === 'wide') && flags.sortBy === undefined && kinds.every((k) => k === 'Pod');
    const state = await readLiveState(engine, { app: engine.app, hostname: engine.holder.hostname, ...(podTable ? { detail: containersOnly } : {}) });
    const selected = selectViews(buildViews(state, kinds), query, { namespace, allNamespaces, selector });
    const missing = selected.missing;
    const views = flags.sortBy === undefined ? selected.views : sortByJsonPath(selected.views, (v) => v.object, flags.sortBy);
    if (printed) printed.tables = views.length > 0;
    const appHint = views.length === 0 && !allNamespaces ? otherAppHint(engine.store, engine.app, kinds, namespace) : undefined;
    writeGet(io, views, query, format, { now: state.now, namespace, allNamespaces, showLabels: flags.showLabels ?? false, noHeaders: flags.headers === false, quietEmpty: missing.length > 0, printer, allowMissingKeys: flags.allowMissingTemplateKeys ?? true, showKind: flags.showKind ?? false, labelColumns: flags.labelColumns ?? [], appHint });
    noteWhenUndriven(io, state, views);
    for (const note of kindNotes(kinds)) print(io.stderr, note);
    if (flags.ignoreNotFound) return 0;
    for (const m of missing) print(io.stderr, m);
    // kubectl exits 1 for any error, a missing object included.
    return missing.length ? 1 : 0;
  } finally {
    await engine.close();
  }
}

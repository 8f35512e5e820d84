import { BerthError } from '../../model/errors.js';
import type { CliIO } from '../context.js';
import { print, write } from '../context.js';
import type { EngineFlags } from '../engine-flags.js';
import { VERSION } from '../version-info.js';
import { objectPrinterOf } from './get-events.js';
import type { Selector } from '../../model/selectors.js';

/** kubectl's names for the Node resource. */
const NODE_RESOURCES: ReadonlySet<string> = new Set(['nodes', 'node', 'no']);

/** The resource part of `nodes`, `node/NAME`, or undefined when the argument names something else. */
function nodeResource(arg: string): { names: string[] } | undefined {
  const slash = arg.indexOf('/');
  if (slash < 0) return NODE_RESOURCES.has(arg.toLowerCase()) ? { names: [] } : undefined;
  return NODE_RESOURCES.has(arg.slice(0, slash).toLowerCase()) ? { names: [arg.slice(slash + 1)] } : undefined;
}

/** `berth get nodes [NAME...]` / `get node/NAME...`: the Docker host is a node, not a manifest kind (model/kinds.ts). */
export function nodesQuery(args: readonly string[]): { names: string[] } | undefined {
  // The node is read from Docker, not the app's state: it is not listed among other kinds.
  if (args[0]?.includes(',') && args[0].split(',').some((p) => NODE_RESOURCES.has(p.toLowerCase())))
    throw new BerthError('USAGE', 'berth lists nodes on their own: run `berth get nodes` (or `describe node`) separately', { arg: args[0] });
  const first = args[0] !== undefined ? nodeResource(args[0]) : undefined;
  if (!first) return undefined;
  if (args[0]!.includes('/')) {
    const all = args.map(nodeResource);
    if (all.some((r) => r === undefined)) throw new BerthError('USAGE', 'there is no need to specify a resource type as a separate argument when passing arguments in resource/name form', { arg: args[0]! });
    return { names: all.flatMap((r) => r!.names) };
  }
  return { names: args.slice(1) };
}

export interface GetNodesFlags extends EngineFlags {
  selector?: string;
  output?: string;
  headers?: boolean;
  showLabels?: boolean;
  labelColumns?: string[];
  ignoreNotFound?: boolean;
  allowMissingTemplateKeys?: boolean;
  sortBy?: string;
  watch?: boolean;
  watchOnly?: boolean;
}

/** get's own parsing handed in: get.ts loads this file, so this file cannot import it. */
export interface GetNodesParts {
  selector: Selector;
  notFoundPrefix: string;
}

/** The engine's host as the one node; `-n`/`-A` do not apply (nodes are cluster-scoped, as in kubectl). */
export async function getNodes(query: { names: string[] }, flags: GetNodesFlags, io: CliIO, parts: GetNodesParts): Promise<number> {
  if (flags.watch || flags.watchOnly) throw new BerthError('USAGE', 'berth get nodes does not watch: the node is the Docker host, read when asked', { flag: '--watch' });
  const selector = parts.selector;
  if (flags.selector !== undefined && query.names.length > 0) throw new BerthError('USAGE', 'name cannot be provided when a selector is specified');
  const [{ openEngine }, { systemClock }, { readNodeDetails }, { nodeObject, nodeRows, selectNodes, swarmNodeObject }, { formatColumns }, { parseGetOutput, renderDocument }, { renderObjects, labelColumnHeader }, { sortByJsonPath }] = await Promise.all([
    import('../engine.js'),
    import('../../runtime/clock.js'),
    import('../../runtime/node-details.js'),
    import('../output/node-object.js'),
    import('../output/table.js'),
    import('../output/kube-objects.js'),
    import('../output/object-printers.js'),
    import('../output/sort-by.js'),
  ]);
  const printer = objectPrinterOf(flags.output, io);
  const format = printer ? 'json' : parseGetOutput(flags.output);
  const engine = openEngine(flags, io);
  try {
    const options = { now: systemClock.now(), berthVersion: VERSION };
    // On a Swarm every node of it; on one host, the host.
    const all =
      engine.plane.backend.kind === 'swarm'
        ? (await (await import('../../apply/swarm/observe.js')).listSwarmNodes(engine.docker)).map((n) => swarmNodeObject(n, options))
        : [nodeObject(await readNodeDetails(engine.docker, engine.store.getAppliedPolicy(engine.app)), options)];
    const selected = selectNodes(all, query.names, selector);
    const nodes = flags.sortBy === undefined ? selected.nodes : sortByJsonPath(selected.nodes, (n) => n, flags.sortBy);
    const missing = flags.ignoreNotFound ? [] : selected.missing;
    // kubectl prints one named object as itself, a listing as a List.
    const doc = query.names.length === 1 && nodes.length === 1 ? nodes[0]! : { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: nodes };
    if (printer) write(io.stdout, renderObjects(doc, printer, { allowMissingKeys: flags.allowMissingTemplateKeys ?? true, noHeaders: flags.headers === false }));
    else if (format === 'json' || format === 'yaml') write(io.stdout, renderDocument(doc, format));
    else if (nodes.length === 0) {
      if (missing.length === 0) print(io.stderr, 'No resources found');
    } else if (format === 'name') write(io.stdout, nodes.map((n) => `node/${n.metadata.name}\n`).join(''));
    else {
      let rows = nodeRows(nodes, { wide: format === 'wide' });
      const keys = flags.labelColumns ?? [];
      if (keys.length) rows = rows.map((r, i) => [...r, ...keys.map((k) => (i === 0 ? labelColumnHeader(k) : (nodes[i - 1]!.metadata.labels[k] ?? '')))]);
      if (flags.showLabels) rows = rows.map((r, i) => [...r, i === 0 ? 'LABELS' : Object.entries(nodes[i - 1]!.metadata.labels).map(([k, v]) => `${k}=${v}`).sort().join(',') || '<none>']);
      write(io.stdout, formatColumns(flags.headers === false ? rows.slice(1) : rows));
    }
    for (const name of missing) print(io.stderr, `${parts.notFoundPrefix}nodes "${name}" not found`);
    return missing.length ? 1 : 0;
  } finally {
    await engine.close();
  }
}

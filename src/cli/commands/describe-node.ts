import { BerthError } from '../../model/errors.js';
import type { ViewOf } from '../../runtime/views/index.js';
import type { CliIO } from '../context.js';
import { print, write } from '../context.js';
import type { EngineFlags } from '../engine-flags.js';
import { VERSION } from '../version-info.js';
import { NOT_FOUND_PREFIX, parseSelectorFlag } from './get.js';

/**
 * `berth describe node [NAME]`: the Docker host in kubectl's layout, with the app's pods on it
 * (all its namespaces) and their requests and limits against allocatable. A NAME matches by
 * prefix, as describe does for other kinds.
 */
export async function describeNodes(query: { names: string[] }, flags: EngineFlags & { selector?: string }, io: CliIO): Promise<number> {
  const selector = parseSelectorFlag(flags.selector);
  if (flags.selector !== undefined && query.names.length > 0) throw new BerthError('USAGE', 'name cannot be provided when a selector is specified');
  const [{ openEngine, refuseOnSwarm }, { readNodeDetails }, { buildViews, readLiveState }, { nodeObject, selectNodes }, { describeNode }] = await Promise.all([
    import('../engine.js'),
    import('../../runtime/node-details.js'),
    import('../../runtime/views/index.js'),
    import('../output/node-object.js'),
    import('../output/describe-node.js'),
  ]);
  refuseOnSwarm(flags, io.env, 'describe node', 'berth get nodes -o wide --show-labels --backend swarm, or docker node inspect NAME on the manager');
  const engine = openEngine(flags, io);
  try {
    const [details, state] = await Promise.all([readNodeDetails(engine.docker, engine.store.getAppliedPolicy(engine.app)), readLiveState(engine, { app: engine.app, hostname: engine.holder.hostname })]);
    const node = nodeObject(details, { now: state.now, berthVersion: VERSION });
    const byPrefix = query.names.map((name) => (node.metadata.name.startsWith(name) ? node.metadata.name : name));
    const { nodes, missing } = selectNodes([node], byPrefix, selector);
    const pods = buildViews(state, ['Pod']).filter((v): v is ViewOf<'Pod'> => v.kind === 'Pod');
    write(io.stdout, nodes.map((n) => describeNode({ node: n, pods, app: engine.app, now: state.now })).join('\n\n'));
    if (nodes.length === 0 && missing.length === 0) print(io.stderr, 'No resources found');
    for (const name of missing) print(io.stderr, `${NOT_FOUND_PREFIX}nodes "${name}" not found`);
    return missing.length ? 1 : 0;
  } finally {
    await engine.close();
  }
}

import type { Command } from 'commander';
import { BerthError } from '../../model/errors.js';
import { kindInfo } from '../../model/kinds.js';
import { matches } from '../../model/selectors.js';
import type { View, ViewOf } from '../../runtime/views/index.js';
import type { CliContext, CliIO } from '../context.js';
import { print, write } from '../context.js';
import type { EngineFlags } from '../engine-flags.js';
import { addEngineOptions } from '../engine-flags.js';
import { parseResourceArgs } from '../resource-args.js';
import type { ScopeFlags } from './get.js';
import { addNamespaceOption, namespaceOf, noteWhenUndriven, notFoundText, parseSelectorFlag } from './get.js';

interface DescribeFlags extends EngineFlags, ScopeFlags {
  selector?: string;
}

/** Events per object, newest kept: enough to see what happened lately without flooding. */
const EVENT_LIMIT = 50;

export function registerDescribe(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('describe')
    .description('show details of resources with their recent events: describe KIND [NAME_PREFIX...] | describe KIND/NAME')
    .argument('<resource...>', 'KIND [NAME...] or KIND/NAME...; a NAME that matches nothing exactly describes every object whose name starts with it; node [NAME] describes the Docker host')
    .option('-A, --all-namespaces', 'across all namespaces')
    .option('-l, --selector <selector>', 'label selector (equality and set-based)');
  addNamespaceOption(cmd);
  addEngineOptions(cmd);
  cmd.action(async (args: string[], flags: DescribeFlags) => {
    ctx.exitCode = await describe(args, flags, ctx.io);
  });
}

async function describe(args: string[], flags: DescribeFlags, io: CliIO): Promise<number> {
  const nodeQuery = (await import('./get-nodes.js')).nodesQuery(args);
  if (nodeQuery) return (await import('./describe-node.js')).describeNodes(nodeQuery, flags, io);
  const query = parseResourceArgs(args);
  const selector = parseSelectorFlag(flags.selector);
  if (flags.selector !== undefined && query.groups.some((g) => g.names)) throw new BerthError('USAGE', 'name cannot be provided when a selector is specified');
  const namespace = namespaceOf(flags, io);
  // Loaded when describe runs, not at start-up (see apply).
  const [{ openEngine }, { buildViews, readLiveState, podsNamed }, { describeView }] = await Promise.all([
    import('../engine.js'),
    import('../../runtime/views/index.js'),
    import('../output/describe-kinds.js'),
  ]);
  const engine = openEngine(flags, io);
  try {
    if (engine.plane.backend.kind === 'swarm') return await (await import('./describe-swarm.js')).describeOnSwarm(engine, query, { namespace, allNamespaces: flags.allNamespaces ?? false, selector }, io);
    // `describe pod NAME…` shows those pods' details only: the others' containers are not inspected (views/detail.ts).
    const names = query.groups.every((g) => g.kind === 'Pod' && g.names) && flags.selector === undefined ? query.groups.flatMap((g) => g.names ?? []) : undefined;
    const detail = names ? { detail: podsNamed(flags.allNamespaces ? undefined : namespace, names) } : {};
    const state = await readLiveState(engine, { app: engine.app, hostname: engine.holder.hostname, ...detail });
    const kinds = [...new Set([...query.groups.map((g) => g.kind), 'Pod' as const, 'ReplicaSet' as const])];
    const all = buildViews(state, kinds);
    const chosen: View[] = [];
    const missing: string[] = [];
    for (const group of query.groups) {
      const namespaced = kindInfo(group.kind)?.namespaced ?? true;
      const candidates = all.filter((v) => v.kind === group.kind && (!namespaced || flags.allNamespaces || v.namespace === namespace) && matches(selector, v.labels));
      if (!group.names) {
        chosen.push(...candidates);
        continue;
      }
      for (const name of group.names) {
        // kubectl describes by prefix when no object has exactly this name.
        const exact = candidates.filter((v) => v.name === name);
        const found = exact.length ? exact : candidates.filter((v) => v.name.startsWith(name));
        if (found.length) chosen.push(...found);
        else missing.push(notFoundText(group.kind, name));
      }
    }
    const pods = all.filter((v): v is ViewOf<'Pod'> => v.kind === 'Pod');
    const replicaSets = all.filter((v): v is ViewOf<'ReplicaSet'> => v.kind === 'ReplicaSet');
    const texts = chosen.map((v) =>
      describeView(v, { events: engine.store.listEvents({ app: engine.app, objectKey: v.key, limit: EVENT_LIMIT }), now: state.now, pods, replicaSets }),
    );
    write(io.stdout, texts.join('\n\n'));
    noteWhenUndriven(io, state, chosen);
    if (chosen.length === 0 && missing.length === 0) print(io.stderr, flags.allNamespaces ? 'No resources found' : `No resources found in ${namespace} namespace.`);
    for (const m of missing) print(io.stderr, m);
    return missing.length ? 1 : 0;
  } finally {
    await engine.close();
  }
}

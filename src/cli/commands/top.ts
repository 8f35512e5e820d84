import type { Command } from 'commander';
import { BerthError } from '../../model/errors.js';
import { matches } from '../../model/selectors.js';
import { shortHumanDuration } from '../output/age.js';
import type { CliContext, CliIO } from '../context.js';
import { print, write } from '../context.js';
import type { EngineFlags } from '../engine-flags.js';
import { addEngineOptions } from '../engine-flags.js';
import { otherAppHint } from '../app-hint.js';
import type { ScopeFlags } from './get.js';
import { addNamespaceOption, namespaceOf, notFoundText, NOT_FOUND_PREFIX, parseSelectorFlag } from './get.js';

interface TopFlags extends EngineFlags {
  selector?: string;
  sortBy?: string;
  headers?: boolean;
}

interface TopPodFlags extends TopFlags, ScopeFlags {
  containers?: boolean;
  sum?: boolean;
}

interface TopNodeFlags extends TopFlags {
  showCapacity?: boolean;
}

/**
 * `top pod|node`: CPU and memory in use, as kubectl top shows the Metrics API's figures. berth
 * measures them itself (runtime/top.ts): there is no metrics pipeline, so there is no delay
 * after a pod starts beyond Docker's one-second sample.
 */
export function registerTop(program: Command, ctx: CliContext): void {
  const top = program.command('top').description('display resource (CPU/memory) usage of pods or of the node (the Docker host)');
  const pod = top
    .command('pod')
    .aliases(['pods', 'po'])
    .description("CPU and memory of the app's pods: top pod [NAME | -l label]")
    .argument('[name]', 'one pod')
    .option('-A, --all-namespaces', 'pods of every namespace')
    .option('-l, --selector <selector>', 'label selector: a=b, a!=b, a in (x,y), a notin (x), a, !a (comma = and)')
    .option('--containers', 'a line per container of each pod')
    .option('--sort-by <field>', 'cpu or memory: the largest first')
    .option('--sum', 'a line with the total of the pods shown')
    .option('--no-headers', 'print the table without its header row');
  addNamespaceOption(pod);
  addEngineOptions(pod);
  pod.action(async (name: string | undefined, flags: TopPodFlags) => {
    ctx.exitCode = await topPods(name, flags, ctx.io);
  });
  const node = top
    .command('node')
    .aliases(['nodes', 'no'])
    .description('CPU and memory of the node, the Docker host, against its allocatable: top node [NAME | -l label]')
    .argument('[name]', 'the node')
    .option('-l, --selector <selector>', "label selector on the node's labels")
    .option('--sort-by <field>', 'cpu or memory: the largest first')
    .option('--show-capacity', 'percentages of capacity instead of allocatable (the same on berth: it reserves nothing)')
    .option('--no-headers', 'print the table without its header row');
  addEngineOptions(node);
  node.action(async (name: string | undefined, flags: TopNodeFlags) => {
    ctx.exitCode = await topNodes(name, flags, ctx.io);
  });
}

async function topPods(name: string | undefined, flags: TopPodFlags, io: CliIO): Promise<number> {
  const selector = parseSelectorFlag(flags.selector);
  if (name !== undefined && flags.selector !== undefined) throw new BerthError('USAGE', 'only one of NAME or --selector can be provided', { arg: name });
  const [{ parseTopSort, podTopRows }, { formatColumns }] = await Promise.all([import('../output/top-table.js'), import('../output/table.js')]);
  const sortBy = parseTopSort(flags.sortBy);
  const namespace = namespaceOf(flags, io);
  const allNamespaces = flags.allNamespaces ?? false;
  // Loaded when top runs, not at start-up (see get).
  const [{ openEngine, refuseOnSwarm }, { readLiveState }, { readPodUsage }] = await Promise.all([import('../engine.js'), import('../../runtime/views/index.js'), import('../../runtime/top.js')]);
  refuseOnSwarm(flags, io.env, 'top', 'docker stats on each node');
  const engine = openEngine(flags, io);
  try {
    const state = await readLiveState(engine, { app: engine.app, hostname: engine.holder.hostname });
    const pods = state.host.pods.filter((p) => (allNamespaces || p.namespace === namespace) && matches(selector, p.labels) && (name === undefined || p.name === name));
    if (name !== undefined && pods.length === 0) {
      print(io.stderr, notFoundText('Pod', name));
      return 1;
    }
    const usage = await readPodUsage(engine.docker, pods);
    if (name !== undefined && usage.length === 0) {
      // kubectl's words for a pod the Metrics API has no figure for: here, one with no running container.
      print(io.stderr, `error: Metrics not available for pod ${namespace}/${name}, age: ${shortHumanDuration(state.now - pods[0]!.createdAt)}`);
      return 1;
    }
    if (pods.length === 0) {
      const hint = allNamespaces ? undefined : otherAppHint(engine.store, engine.app, ['Pod'], namespace);
      print(io.stderr, allNamespaces ? 'No resources found' : `No resources found in ${namespace} namespace${hint ?? '.'}`);
      return 0;
    }
    if (usage.length === 0) {
      print(io.stderr, 'error: metrics not available yet');
      return 1;
    }
    write(io.stdout, formatColumns(podTopRows(usage, { allNamespaces, containers: flags.containers ?? false, sum: flags.sum ?? false, noHeaders: flags.headers === false, ...(sortBy ? { sortBy } : {}) })));
    return 0;
  } finally {
    await engine.close();
  }
}

async function topNodes(name: string | undefined, flags: TopNodeFlags, io: CliIO): Promise<number> {
  const selector = parseSelectorFlag(flags.selector);
  if (name !== undefined && flags.selector !== undefined) throw new BerthError('USAGE', 'only one of NAME or --selector can be provided', { arg: name });
  const [{ parseTopSort, nodeTopRows }, { formatColumns }] = await Promise.all([import('../output/top-table.js'), import('../output/table.js')]);
  const sortBy = parseTopSort(flags.sortBy);
  const [{ openEngine, refuseOnSwarm }, { readHostNode }, { readNodeUsage }] = await Promise.all([import('../engine.js'), import('../../runtime/node-facts.js'), import('../../runtime/top.js')]);
  refuseOnSwarm(flags, io.env, 'top', 'docker stats on each node');
  const engine = openEngine(flags, io);
  try {
    const host = await readHostNode(engine.docker, engine.store.getAppliedPolicy(engine.app));
    if (name !== undefined && host.node.name !== name) {
      print(io.stderr, `${NOT_FOUND_PREFIX}nodes "${name}" not found`);
      return 1;
    }
    if (!matches(selector, host.node.labels)) {
      print(io.stderr, 'No resources found');
      return 0;
    }
    const capacity = { cores: host.facts.allocatable.cpu, bytes: host.facts.allocatable.memory };
    const usage = await readNodeUsage(engine.clock, { node: host.node, capacity, local: dockerIsLocal(io.env.DOCKER_HOST) });
    write(io.stdout, formatColumns(nodeTopRows([usage], { noHeaders: flags.headers === false, showCapacity: flags.showCapacity ?? false, ...(sortBy ? { sortBy } : {}) })));
    return 0;
  } finally {
    await engine.close();
  }
}

/** Docker on this machine (its default socket, or a unix socket named): /proc here is the node's. */
export function dockerIsLocal(dockerHost: string | undefined): boolean {
  return dockerHost === undefined || dockerHost === '' || dockerHost.startsWith('unix://');
}

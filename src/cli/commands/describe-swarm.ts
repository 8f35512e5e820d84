import type { CliIO } from '../context.js';
import { print, write } from '../context.js';
import type { Engine } from '../engine.js';
import type { ResourceQuery } from '../resource-args.js';
import { BerthError } from '../../model/errors.js';
import { escapeControl } from '../../model/excerpt.js';
import type { Selector } from '../../model/selectors.js';
import { matches } from '../../model/selectors.js';
import { age } from '../output/age.js';
import { formatColumns } from '../output/table.js';
import { listSwarmNodes, listSwarmTasks, observeSwarm } from '../../apply/swarm/observe.js';
import { slotHistory, swarmPods } from '../../runtime/swarm/pods.js';
import { NOT_FOUND_PREFIX } from '../not-found.js';

/**
 * `describe pod` on a Swarm: the pod as `describe` shows one on a host, and the task history of
 * its slot: each task Swarm made for it, on which node, and how it ended (a node that failed
 * shows as a move to another node).
 */
export async function describeOnSwarm(engine: Engine, query: ResourceQuery, o: { namespace: string; allNamespaces: boolean; selector: Selector }, io: CliIO): Promise<number> {
  const other = query.groups.filter((g) => g.kind !== 'Pod').map((g) => g.kind);
  if (other.length) throw new BerthError('USAGE', `on --backend swarm, describe shows pods and nodes; not ${other.join(', ')}`, { hint: 'berth get deploy,sts,ds,job --backend swarm lists workloads with their task counts; berth diff -f PATH --backend swarm the manifests against the Swarm' });
  const observed = await observeSwarm(engine.docker, engine.app);
  const [tasks, nodes] = await Promise.all([listSwarmTasks(engine.docker, observed.services.map((s) => s.id)), listSwarmNodes(engine.docker)]);
  const now = engine.clock.now();
  const pods = swarmPods(observed.services, tasks, nodes).filter((p) => (o.allNamespaces || p.namespace === o.namespace) && matches(o.selector, p.labels));
  const names = query.groups.flatMap((g) => g.names ?? []);
  const missing = names.filter((n) => !pods.some((p) => p.name === n || p.name.startsWith(n)));
  const chosen = names.length ? pods.filter((p) => names.some((n) => p.name === n || p.name.startsWith(n))) : pods;
  const nodeAddr = new Map(nodes.map((n) => [n.hostname, n.addr]));
  const texts = chosen.map((p) => {
    const lines = [
      ['Name:', p.name],
      ['Namespace:', p.namespace],
      ['Node:', `${p.node}${nodeAddr.get(p.node) ? `/${nodeAddr.get(p.node)}` : ''}`],
      ['Labels:', Object.entries(p.labels).map(([k, v]) => `${k}=${v}`).join(',') || '<none>'],
      ['Status:', p.status],
      ['IP:', p.ip ?? '<none>'],
      ['Controlled By:', p.owner.replace(/^(\w+)\/[^/]*\//, '$1/')],
      ['Swarm Task:', p.taskId],
      ['Restarts:', String(p.restarts)],
    ].map(([k, v]) => `${k!.padEnd(15)}${v}`);
    const history = slotHistory(p, tasks, nodes).map((h) => [h.taskId.slice(0, 12), h.node, h.desiredState, h.state, age(h.at, now), h.message || '']);
    return `${lines.join('\n')}\nTask history (newest first):\n${formatColumns([['TASK', 'NODE', 'DESIRED', 'STATE', 'AGE', 'MESSAGE'], ...history]).replace(/^/gm, '  ').trimEnd()}\n`;
  });
  write(io.stdout, escapeControl(texts.join('\n')));
  if (chosen.length === 0 && missing.length === 0) print(io.stderr, o.allNamespaces ? 'No resources found' : `No resources found in ${o.namespace} namespace.`);
  for (const m of missing) print(io.stderr, `${NOT_FOUND_PREFIX}pods "${m}" not found`);
  return missing.length ? 1 : 0;
}

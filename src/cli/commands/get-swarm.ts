import { BerthError } from '../../model/errors.js';
import type { CliIO } from '../context.js';
import { print, write } from '../context.js';
import type { Engine } from '../engine.js';
import type { ResourceQuery } from '../resource-args.js';
import { formatColumns } from '../output/table.js';
import { age } from '../output/age.js';
import { escapeControl } from '../../model/excerpt.js';
import type { Selector } from '../../model/selectors.js';
import { matches } from '../../model/selectors.js';
import { listServiceProgress, listSwarmNodes, listSwarmTasks, observeSwarm } from '../../apply/swarm/observe.js';
import { swarmPods } from '../../runtime/swarm/pods.js';
import { SWARM_LABELS } from '../../plan/swarm/names.js';

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicaSet', 'ReplicationController']);

export interface SwarmGetOptions {
  namespace: string;
  allNamespaces: boolean;
  selector: Selector;
  output: string;
  noHeaders: boolean;
}

/**
 * `get` on a Swarm (--backend swarm): pods are the app's tasks, with the node each runs on;
 * workloads show their services' running and desired task counts. Other kinds live only in the
 * manifests berth applied: `berth get` on the same state without --backend swarm lists them.
 */
export async function getOnSwarm(engine: Engine, query: ResourceQuery, o: SwarmGetOptions, io: CliIO): Promise<number> {
  const kinds = new Set(query.groups.map((g) => g.kind as string));
  const other = [...kinds].filter((k) => k !== 'Pod' && !WORKLOAD_KINDS.has(k));
  if (other.length) throw new BerthError('USAGE', `on --backend swarm, get lists pods, workloads and nodes; not ${other.join(', ')}`, { hint: 'berth diff -f PATH --backend swarm compares the manifests with what runs on the Swarm' });
  if (o.output !== 'table' && o.output !== 'wide' && o.output !== 'name') throw new BerthError('USAGE', `on --backend swarm, get prints tables (-o wide, -o name); not -o ${o.output}`);
  const observed = await observeSwarm(engine.docker, engine.app);
  const now = engine.clock.now();
  const inScope = (ns: string) => o.allNamespaces || ns === o.namespace;
  const named = (kind: string, name: string) => {
    const g = query.groups.find((x) => x.kind === kind);
    return !g?.names || g.names.includes(name);
  };
  let printed = 0;
  if (kinds.has('Pod')) {
    const [tasks, nodes] = await Promise.all([listSwarmTasks(engine.docker, observed.services.map((s) => s.id)), listSwarmNodes(engine.docker)]);
    const pods = swarmPods(observed.services, tasks, nodes).filter((p) => inScope(p.namespace) && named('Pod', p.name) && matches(o.selector, p.labels));
    if (o.output === 'name') write(io.stdout, pods.map((p) => `pod/${p.name}\n`).join(''));
    else if (pods.length) {
      const wide = o.output === 'wide';
      const header = [...(o.allNamespaces ? ['NAMESPACE'] : []), 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', ...(wide ? ['IP', 'NODE'] : [])];
      const rows = pods.map((p) => [...(o.allNamespaces ? [p.namespace] : []), p.name, p.ready ? '1/1' : '0/1', p.status, String(p.restarts), age(p.createdAt, now), ...(wide ? [p.ip ?? '<none>', p.node] : [])]);
      write(io.stdout, escapeControl(formatColumns(o.noHeaders ? rows : [header, ...rows])));
    }
    printed += pods.length;
  }
  const workloadKinds = [...kinds].filter((k) => WORKLOAD_KINDS.has(k));
  if (workloadKinds.length) {
    const status = await serviceStatus(engine);
    const rows = observed.services
      .filter((s) => s.labels[SWARM_LABELS.role] === 'workload' && workloadKinds.includes(s.labels[SWARM_LABELS.kind] ?? '') && inScope(s.labels[SWARM_LABELS.namespace] ?? 'default'))
      .filter((s) => named(s.labels[SWARM_LABELS.kind]!, s.labels[SWARM_LABELS.name] ?? ''))
      .map((s) => {
        const st = status.get(s.id);
        const name = `${s.labels[SWARM_LABELS.kind]!.toLowerCase()}/${s.labels[SWARM_LABELS.name]}${s.labels[SWARM_LABELS.ordinal] ? `-${s.labels[SWARM_LABELS.ordinal]}` : ''}`;
        return [...(o.allNamespaces ? [s.labels[SWARM_LABELS.namespace] ?? ''] : []), name, `${st?.running ?? 0}/${st?.desired ?? 0}`, s.updateState ?? 'completed', age(st?.createdAt, now), ...(o.output === 'wide' ? [s.name] : [])];
      });
    if (o.output === 'name') write(io.stdout, rows.map((r) => `${r[o.allNamespaces ? 1 : 0]}\n`).join(''));
    else if (rows.length) {
      const header = [...(o.allNamespaces ? ['NAMESPACE'] : []), 'NAME', 'READY', 'UPDATE', 'AGE', ...(o.output === 'wide' ? ['SWARM-SERVICE'] : [])];
      write(io.stdout, escapeControl(formatColumns(o.noHeaders ? rows : [header, ...rows])));
    }
    printed += rows.length;
  }
  if (printed === 0) print(io.stderr, o.allNamespaces ? 'No resources found' : `No resources found in ${o.namespace} namespace.`);
  return 0;
}

async function serviceStatus(engine: Engine): Promise<Map<string, { running: number; desired: number; createdAt: number }>> {
  const list = await listServiceProgress(engine.docker, engine.app);
  return new Map(list.map((s) => [s.ID, { running: s.ServiceStatus?.RunningTasks ?? 0, desired: s.ServiceStatus?.DesiredTasks ?? 0, createdAt: Date.parse(s.CreatedAt ?? '') || 0 }]));
}

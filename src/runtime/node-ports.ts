import type { DockerClient } from '../apply/docker.js';
import { dockerError } from '../apply/docker.js';
import { readHostListeners } from '../apply/services/host-listeners.js';
import { BerthError } from '../model/errors.js';
import type { DesiredState } from '../plan/desired.js';
import type { NodePortObservation, NodePortProblem } from '../plan/node-ports.js';
import { needsNewNodePort, planNodePorts } from '../plan/node-ports.js';
import type { ObservedState } from '../plan/observed.js';
import { commitChanges } from './commit.js';
import type { Store } from './store/index.js';

export interface NodePortDeps {
  docker: DockerClient;
  store: Store;
  /** The kernel's socket tables (default /proc/net): tests point it at tables of their own. */
  procNet?: string;
}

/**
 * What NodePort planning needs, read and never written: every app's allocations and the
 * round-robin cursor from the store, and the host's ports in use, which are read (Docker and
 * /proc) only when some Service port needs a new allocation.
 */
export async function readNodePorts(deps: NodePortDeps, app: string, desired: Pick<DesiredState, 'services' | 'byKey'>): Promise<NodePortObservation> {
  // The store's two halves together, before awaiting the host: one consistent reading.
  const allocations = deps.store.listNodePorts();
  const cursor = deps.store.nodePortCursor();
  const hostPorts = needsNewNodePort(app, desired, allocations) ? await readHostPorts(deps) : new Set<number>();
  return { allocations, cursor, hostPorts };
}

/**
 * The node ports a pass plans with (ObservedState.nodePorts). A requested port someone holds
 * (or a full range) fails the pass before anything changes, a dry run included: it shows what
 * the pass would do. Only a real pass commits the claims and releases; a dry run shows the
 * ports it would allocate.
 */
export async function settleNodePorts(
  deps: NodePortDeps,
  app: string,
  desired: Pick<DesiredState, 'services' | 'byKey'>,
  observed: Pick<ObservedState, 'services'>,
  options: { dryRun: boolean },
): Promise<Record<string, Record<string, number>>> {
  const planned = planNodePorts(app, desired, observed.services, await readNodePorts(deps, app, desired));
  if (planned.problems.length > 0) throw nodePortError(planned.problems);
  if (!options.dryRun) commitChanges(deps.store, app, planned.changes);
  return planned.ports;
}

/** The planner's problems as the one error a pass fails with: the first one's code and data, every message. */
export function nodePortError(problems: readonly NodePortProblem[]): BerthError {
  const first = problems[0]!;
  return new BerthError(first.code, problems.map((p) => p.message).join('; '), first.data);
}

/**
 * Host ports in use: those Docker publishes for any container (another state dir's Services,
 * other software) and those a host process listens on or is bound to, TCP or UDP alike: a node
 * port there would be refused when the Service is made (apply/services/containers.ts).
 */
async function readHostPorts(deps: NodePortDeps): Promise<Set<number>> {
  let published: number[];
  try {
    const all = await deps.docker.api.listContainers();
    published = all.flatMap((c) => (c.Ports ?? []).flatMap((p) => (p.PublicPort ? [p.PublicPort] : [])));
  } catch (err) {
    throw dockerError(err, 'listing published host ports');
  }
  return new Set([...published, ...(await readHostListeners(deps.procNet)).map((l) => l.port)]);
}

import type { DockerClient } from '../../apply/docker.js';
import { observeSwarm } from '../../apply/swarm/observe.js';
import type { DesiredState } from '../../plan/desired.js';
import { describeSwarmAction, planSwarm } from '../../plan/swarm/plan.js';
import { needsServiceProxy } from '../../plan/swarm/services.js';
import type { SwarmBackend } from '../compose.js';

/** What a pass on the Swarm would change for this desired state (`berth diff` on a Swarm). */
export async function swarmDrift(docker: DockerClient, app: string, desired: DesiredState, backend: SwarmBackend): Promise<Array<{ key: string; action: string; message: string }>> {
  const observed = await observeSwarm(docker, app);
  const plan = planSwarm(app, desired, observed, needsServiceProxy(desired.services) ? await backend.proxyImage() : 'none');
  return plan.actions.map((a) => ({ key: a.key, action: a.type, message: describeSwarmAction(a) }));
}

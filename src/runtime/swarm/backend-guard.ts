import type { DockerClient } from '../../apply/docker.js';
import { dockerError } from '../../apply/docker.js';
import { L } from '../../apply/labels.js';
import { BerthError } from '../../model/errors.js';
import { ownerFilter } from '../../plan/swarm/names.js';

/**
 * One app runs on one backend. An app applied with --backend docker on a manager's engine and
 * then with --backend swarm (or the other way round) would run twice, and its NodePorts would
 * collide on that node; each backend's pass refuses while the other's objects of the app exist.
 */
async function assertNotOnOneHost(docker: DockerClient, app: string): Promise<void> {
  let found: unknown[];
  try {
    found = await docker.api.listContainers({ all: true, limit: 1, filters: { label: [`${L.managed}=true`, `${L.app}=${app}`] } });
  } catch (err) {
    throw dockerError(err, 'looking for the app on this engine as one host');
  }
  if (found.length > 0) throw twice(app, 'docker', 'swarm');
}

export async function assertNotOnSwarm(docker: DockerClient, app: string): Promise<void> {
  let found: unknown[];
  try {
    found = await docker.api.listServices({ filters: ownerFilter(app) });
  } catch (err) {
    throw dockerError(err, 'looking for the app on this Swarm');
  }
  if (found.length > 0) throw twice(app, 'swarm', 'docker');
}

function twice(app: string, runsOn: string, asked: string): BerthError {
  return new BerthError('USAGE', `app ${app} already runs on this engine with --backend ${runsOn}; --backend ${asked} would run it a second time`, {
    app,
    hint: `use --backend ${runsOn}, or remove it there first (berth delete --all --all-namespaces --backend ${runsOn} --app ${app}), or pick another --app`,
  });
}

/** The engine is a Swarm manager and the app does not run on it as one host. */
export async function assertSwarmTarget(docker: DockerClient, app: string): Promise<void> {
  await assertManager(docker);
  await assertNotOnOneHost(docker, app);
}

async function assertManager(docker: DockerClient): Promise<void> {
  let info: { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
  try {
    info = await docker.api.info();
  } catch (err) {
    throw dockerError(err, 'asking the engine whether it is a Swarm manager');
  }
  if (info.Swarm?.LocalNodeState !== 'active' || !info.Swarm.ControlAvailable)
    throw new BerthError('USAGE', `--backend swarm needs a Swarm manager; this engine is ${info.Swarm?.LocalNodeState === 'active' ? 'a worker' : 'not in a Swarm'}`, {
      hint: 'point DOCKER_HOST at a manager node (docker swarm init makes one), or use --backend docker',
    });
}

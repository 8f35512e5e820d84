import { statfs } from 'node:fs/promises';
import type { DockerClient } from '../apply/docker.js';
import { dockerError } from '../apply/docker.js';
import type { DesiredState, DesiredStateOptions } from '../plan/desired.js';
import { buildDesiredState } from '../plan/desired.js';
import type { NodeFacts } from '../plan/downward-plan.js';
import { readsNode } from '../plan/downward-plan.js';
import type { Resource } from '../model/types.js';

/**
 * The Docker host as the node its pods run on: its name (`spec.nodeName`, as `get pod -o wide`
 * shows it) and what it has (Kubernetes' allocatable, which resourceFieldRef reads when a
 * container sets no limit): CPUs and memory as Docker reports them, and the size of the disk
 * Docker keeps containers on. That disk is measured only when berth shares the host's
 * filesystem; else it is 0.
 */
export async function readNodeFacts(docker: DockerClient): Promise<NodeFacts> {
  let info: { Name?: string; NCPU?: number; MemTotal?: number; DockerRootDir?: string };
  try {
    info = (await docker.api.info()) as typeof info;
  } catch (err) {
    throw dockerError(err, 'reading the Docker host information');
  }
  const disk = info.DockerRootDir ? await statfs(info.DockerRootDir).catch(() => undefined) : undefined;
  return {
    name: info.Name ?? 'docker',
    allocatable: { cpu: info.NCPU ?? 0, memory: info.MemTotal ?? 0, ephemeralStorage: disk ? disk.blocks * disk.bsize : 0 },
  };
}

/** The desired state, with the node read from Docker only when a template reads it (one `GET /info`). */
export async function buildDesiredStateOnHost(docker: DockerClient, resources: readonly Resource[], options: DesiredStateOptions): Promise<DesiredState> {
  const desired = buildDesiredState(resources, options);
  if (!desired.workloads.some((w) => readsNode(w.podTemplate.spec))) return desired;
  return buildDesiredState(resources, { ...options, node: await readNodeFacts(docker) });
}

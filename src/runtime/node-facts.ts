import { statfs } from 'node:fs/promises';
import type { DockerClient } from '../apply/docker.js';
import { dockerError } from '../apply/docker.js';
import type { HostPolicy } from '../model/policy.js';
import type { NodeInfo } from '../model/node-scheduling.js';
import { goArch, nodeOf } from '../model/node-scheduling.js';
import type { NodeFacts } from '../plan/downward-plan.js';

/**
 * The Docker host as the one Kubernetes node its pods run on, read from one `GET /info`: the
 * single source of "this host as a node" for DaemonSet placement, local PersistentVolumes'
 * nodeAffinity, the downward API (`spec.nodeName`, allocatable) and the views (`get pods -o
 * wide` NODE, describe). Its name is Docker's `info.Name`, not the OS host name of the berth
 * process: with DOCKER_HOST naming another machine, that machine runs the pods. Its labels and
 * taints add the host policy's (`--node-label`, `--node-taint`, config nodeLabels/nodeTaints).
 */
export interface HostNode {
  node: NodeInfo;
  /** The downward API's view of the same node: its name and allocatable. */
  facts: NodeFacts;
  /** The engine manages a Swarm: an app may run there with --backend swarm (runtime/swarm/backend-guard.ts). */
  swarmManager?: boolean;
}

/**
 * Allocatable (what resourceFieldRef reads when a container sets no limit): CPUs and memory as
 * Docker reports them, and the size of the disk Docker keeps containers on. That disk is
 * measured only when berth shares the host's filesystem; else it is 0.
 */
export async function readHostNode(docker: DockerClient, policy: Pick<HostPolicy, 'nodeLabels' | 'nodeTaints'> | undefined): Promise<HostNode> {
  let info: { Name?: string; OSType?: string; Architecture?: string; NCPU?: number; MemTotal?: number; DockerRootDir?: string; Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
  try {
    info = (await docker.api.info()) as typeof info;
  } catch (err) {
    throw dockerError(err, 'reading the Docker host information');
  }
  const node = nodeOf({ name: info.Name || 'docker', arch: goArch(info.Architecture || 'x86_64'), ...(info.OSType ? { os: info.OSType } : {}) }, policy);
  const disk = info.DockerRootDir ? await statfs(info.DockerRootDir).catch(() => undefined) : undefined;
  const swarmManager = info.Swarm?.LocalNodeState === 'active' && info.Swarm.ControlAvailable === true;
  return { node, facts: { name: node.name, allocatable: { cpu: info.NCPU ?? 0, memory: info.MemTotal ?? 0, ephemeralStorage: disk ? disk.blocks * disk.bsize : 0 } }, ...(swarmManager ? { swarmManager } : {}) };
}

import type { DockerClient } from '../apply/docker.js';
import { dockerError } from '../apply/docker.js';
import type { HostPolicy } from '../model/policy.js';
import type { HostNode } from './node-facts.js';
import { readHostNode } from './node-facts.js';

/**
 * The Docker host as `get nodes` / `describe node` show it: the node every layer uses
 * (runtime/node-facts.ts readHostNode: name, labels, taints, allocatable) plus what kubelet
 * reports as nodeInfo, from the same engine's `GET /info`.
 */
export interface NodeDetails extends HostNode {
  system: {
    /** Docker's `OperatingSystem` ("Debian GNU/Linux 12 (bookworm)"). */
    osImage: string;
    kernelVersion: string;
    /** kubelet's spelling: `docker://20.10.24`. */
    containerRuntimeVersion: string;
    operatingSystem: string;
    architecture: string;
  };
}

export async function readNodeDetails(docker: DockerClient, policy: Pick<HostPolicy, 'nodeLabels' | 'nodeTaints'> | undefined): Promise<NodeDetails> {
  const host = await readHostNode(docker, policy);
  let info: { OperatingSystem?: string; KernelVersion?: string; ServerVersion?: string; OSType?: string };
  try {
    info = (await docker.api.info()) as typeof info;
  } catch (err) {
    throw dockerError(err, 'reading the Docker host information');
  }
  return {
    ...host,
    system: {
      osImage: info.OperatingSystem ?? '',
      kernelVersion: info.KernelVersion ?? '',
      containerRuntimeVersion: `docker://${info.ServerVersion ?? 'unknown'}`,
      operatingSystem: info.OSType || 'linux',
      architecture: host.node.labels['kubernetes.io/arch'] ?? '',
    },
  };
}

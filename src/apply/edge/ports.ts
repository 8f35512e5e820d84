import type Dockerode from 'dockerode';
import { BerthError } from '../../model/errors.js';
import type { DockerClient } from '../docker.js';
import { dockerError } from '../docker.js';
import { L } from '../labels.js';
import type { HostListener } from '../services/host-listeners.js';
import { readHostListeners } from '../services/host-listeners.js';

/**
 * Refuses, before the first action of a pass, edge ports that are not free: one another
 * container publishes (Docker would refuse nothing: the edge binds in the host's network
 * namespace and would fail to listen), or one a host process listens on (a web server already
 * on :80). The edge for these very ports is not asked about: its own listeners are the ones
 * /proc/net shows (the caller skips the check when it exists). docs/ingress.md.
 */
export async function ensureEdgePortsFree(docker: DockerClient, ports: { http: number; https: number }, listeners?: readonly HostListener[]): Promise<void> {
  let containers: Dockerode.ContainerInfo[];
  try {
    containers = await docker.api.listContainers({ all: false });
  } catch (err) {
    throw dockerError(err, 'listing the ports published on the host');
  }
  const wanted = [ports.http, ports.https];
  for (const port of wanted) {
    const holder = containers.find((c) => c.Ports.some((x) => x.PublicPort === port && x.Type === 'tcp'));
    if (!holder) continue;
    const app = holder.Labels[L.app];
    const who = `container ${holder.Names[0]?.replace(/^\//, '') ?? holder.Id.slice(0, 12)}${app ? ` (berth app ${app})` : ''}`;
    throw new BerthError('CONFLICT', `port ${port}/TCP for the edge is already published on this host by ${who}; nothing on the host was changed`, {
      port,
      protocol: 'TCP',
      hint: 'free that port, or choose other edge ports with --edge-http-port/--edge-https-port, then apply again (objects apply listed stay recorded, and are served once the edge can start)',
    });
  }
  const found = listeners ?? (await readHostListeners());
  for (const port of wanted) {
    const l = found.find((x) => x.protocol === 'TCP' && x.port === port);
    if (!l) continue;
    const listener = l.address.includes(':') ? `[${l.address}]:${l.port}` : `${l.address}:${l.port}`;
    throw new BerthError('CONFLICT', `port ${port}/TCP for the edge is in use on this host: a host process listens on ${listener}; nothing on the host was changed`, {
      port,
      protocol: 'TCP',
      listener,
      hint: 'stop the host service that listens on it, or choose other edge ports with --edge-http-port/--edge-https-port, then apply again (objects apply listed stay recorded, and are served once the edge can start)',
    });
  }
}

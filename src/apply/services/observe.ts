import type Dockerode from 'dockerode';
import type { DockerState, ObservedDns, ObservedService } from '../../plan/observed.js';
import { L, parseJson } from '../labels.js';
import { dockerNames } from '../names.js';
import { SL } from './containers.js';
import { hostDirOf } from './host-status.js';
import { DNS_CONFIG_DIR, PROXY_CONFIG_DIR } from '../images/dataplane.js';
import { own } from '../../model/own.js';

/**
 * The data-plane containers among what `observeDocker` listed: one ObservedService per proxy
 * (with its address on every namespace network it is attached to) and one ObservedDns per
 * namespace DNS server. What they run (status.json) is read separately, only by passes that
 * may write configurations (runtime/services.ts), from where the list says their config volume is.
 */
export function observeServiceContainers(app: string, containers: readonly Dockerode.ContainerInfo[]): { services: ObservedService[]; dns: ObservedDns[] } {
  const services: ObservedService[] = [];
  const dns: ObservedDns[] = [];
  const hostRules: Array<{ namespace: string; name: string; containerId: string; state: DockerState; specHash: string; hostDir?: string }> = [];
  const prefix = `${dockerNames.network(app, '')}`;
  for (const c of containers) {
    const role = c.Labels[L.role];
    if (role !== 'proxy' && role !== 'dns') continue;
    const namespace = c.Labels[L.namespace] ?? 'default';
    const networks: Record<string, string> = {};
    for (const [net, info] of Object.entries(c.NetworkSettings?.Networks ?? {})) {
      if (net.startsWith(prefix) && info.IPAddress) networks[net.slice(prefix.length)] = info.IPAddress;
    }
    const ip = own(networks, namespace);
    const hostDir = hostDirOf(c.Mounts, role === 'dns' ? DNS_CONFIG_DIR : PROXY_CONFIG_DIR);
    const base = { namespace, containerId: c.Id, state: c.State as DockerState, specHash: c.Labels[L.specHash] ?? '', ...(ip ? { ip } : {}), ...(hostDir ? { hostDir } : {}) };
    if (role === 'dns') dns.push(base);
    else if (c.Labels[SL.mode] === 'host-rules') hostRules.push({ ...base, name: c.Labels[L.name] ?? '' });
    else services.push({ ...base, name: c.Labels[L.name] ?? '', nodePorts: parseJson(c.Labels[SL.nodePorts]) ?? {}, networks });
  }
  for (const h of hostRules) {
    const s = services.find((x) => x.namespace === h.namespace && x.name === h.name);
    const entry = { containerId: h.containerId, state: h.state, specHash: h.specHash, ...(h.hostDir ? { hostDir: h.hostDir } : {}) };
    // A fast path whose proxy is gone still belongs to its Service: it is planned (and pruned) with it.
    if (s) s.hostRules = entry;
    else services.push({ namespace: h.namespace, name: h.name, containerId: '', state: 'dead', specHash: '', nodePorts: {}, networks: {}, hostRules: entry });
  }
  const byKey = (a: { namespace: string; name?: string }, b: { namespace: string; name?: string }) => (`${a.namespace}/${a.name ?? ''}` < `${b.namespace}/${b.name ?? ''}` ? -1 : 1);
  return { services: services.sort(byKey), dns: dns.sort(byKey) };
}

import type Dockerode from 'dockerode';
import type { DnsPlan, NetworkAttachment, ProxyPlan } from '../../plan/service-actions.js';
import { BerthError } from '../../model/errors.js';
import type { DockerClient } from '../docker.js';
import { dockerError, isNotFound } from '../docker.js';
import { DNS_CONFIG_DIR, IMAGE_IPTABLES_DIR, PROXY_CONFIG_DIR } from '../images/dataplane.js';
import { isOwned, L, ownedFilter, ownerLabels } from '../labels.js';
import { dockerNames } from '../names.js';
import type { PodContext } from '../pod.js';
import { readHostListeners } from './host-listeners.js';
import { configVolumeMount } from './host-status.js';

/** Labels of data-plane containers beyond the ownership ones. */
export const SL = {
  /** Service port name → node port, as published (JSON). */
  nodePorts: 'berth.node-ports',
  image: 'berth.dataplane-image',
  /** `host-rules` on the NodePort fast path container of a Service. */
  mode: 'berth.dataplane-mode',
} as const;

export function hostRulesContainerName(app: string, namespace: string, service: string): string {
  return dockerNames.serviceHostRules(app, namespace, service);
}

/** The DNS container of a namespace (apply/names.ts keeps it apart from every pod's names). */
export function dnsContainerName(app: string, namespace: string): string {
  return dockerNames.dns(app, namespace);
}

/** Stop timeout of a proxy: its own grace (5 s) to let connections finish, plus a margin. */
const PROXY_STOP_SECONDS = 7;

/**
 * The proxy of a Service: the data-plane image running proxy.js on the Service's namespace
 * network (its address there is the ClusterIP) and on every other namespace network of the app
 * (so `<svc>.<ns>` works across namespaces), with NET_ADMIN in its own network namespace for
 * kernel forwarding, restarted by Docker whatever happens to berth. The first configuration is
 * uploaded before the start, so the proxy never serves without its endpoints.
 */
export async function createProxy(ctx: PodContext, plan: ProxyPlan): Promise<void> {
  try {
    await makeProxy(ctx, plan);
  } catch (err) {
    // A Service whose proxy cannot be made keeps nothing of itself on the host: a host fast path
    // left from an earlier pass would go on taking the published ports' traffic (a port a host
    // process now listens on included) for a Service that is not there. The next pass starts
    // over: proxy first, then the fast path (plan/services.ts).
    await removeHostRules(ctx, plan).catch(() => undefined);
    throw err;
  }
}

async function makeProxy(ctx: PodContext, plan: ProxyPlan): Promise<void> {
  await ensureHostPortsFree(ctx, plan);
  const image = await ctx.images.dataplane();
  const [own, ...others] = ownFirst(plan.networks, plan.namespace);
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const p of plan.publish) {
    const k = `${p.port}/${p.protocol.toLowerCase()}`;
    exposed[k] = {};
    (bindings[k] ??= []).push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
  }
  let container: Dockerode.Container;
  try {
    container = await ctx.docker.api.createContainer({
      name: dockerNames.serviceProxy(ctx.app, plan.namespace, plan.name),
      Image: image,
      Cmd: ['node', '/app/proxy.js', '--config-dir', PROXY_CONFIG_DIR, '--poll-ms', '200', '--status-ms', '500', '--kernel', 'auto', '--iptables-dir', IMAGE_IPTABLES_DIR],
      Labels: {
        ...ownerLabels(ctx.app, plan.namespace, 'Service', plan.name, 'proxy'),
        [L.controller]: plan.key,
        [L.specHash]: plan.specHash,
        [SL.nodePorts]: JSON.stringify(plan.nodePorts),
        [SL.image]: image,
      },
      ExposedPorts: exposed,
      StopTimeout: PROXY_STOP_SECONDS,
      HostConfig: {
        NetworkMode: dockerNames.network(ctx.app, plan.namespace),
        RestartPolicy: { Name: 'unless-stopped' },
        Mounts: [configVolumeMount(ctx.app, plan.namespace, PROXY_CONFIG_DIR)],
        PortBindings: bindings,
        // Kernel forwarding: DNAT rules in the proxy's own network namespace only.
        CapAdd: ['NET_ADMIN'],
        Sysctls: { 'net.ipv4.ip_forward': '1' },
      },
      NetworkingConfig: { EndpointsConfig: { [dockerNames.network(ctx.app, own!.namespace)]: { Aliases: own!.aliases } } },
    });
  } catch (err) {
    throw dockerError(err, `creating the proxy of service ${plan.namespace}/${plan.name}`);
  }
  try {
    for (const n of others) await connect(ctx.docker, container.id, ctx.app, n);
    await ctx.dataplane.writer.writeNow(ctx, container.id, 'proxy', plan.config);
    await container.start();
  } catch (err) {
    // Half made: remove it, so the next pass starts over instead of adopting a broken proxy.
    await container.remove({ force: true, v: true }).catch(() => undefined);
    ctx.dataplane.writer.forgetContainer(container.id);
    throw err instanceof BerthError ? err : dockerError(err, `starting the proxy of service ${plan.namespace}/${plan.name}`);
  }
}

/**
 * The NodePort fast path of a Service: proxy.js --host-rules in the host's network namespace
 * with NET_ADMIN there, forwarding the published TCP ports of the host's own addresses straight
 * to the ready endpoints with kernel rules (docs/services.md). Docker's publishing to the proxy
 * stays underneath: it serves 127.0.0.1 and whatever these rules do not catch. On SIGTERM the
 * program removes its rules, so this container is always stopped, never killed (removeDataplaneContainer).
 */
export async function createHostRules(ctx: PodContext, plan: ProxyPlan): Promise<void> {
  await ensureHostPortsFree(ctx, plan);
  const image = await ctx.images.dataplane();
  let container: Dockerode.Container;
  try {
    container = await ctx.docker.api.createContainer({
      name: hostRulesContainerName(ctx.app, plan.namespace, plan.name),
      Image: image,
      Cmd: ['node', '/app/proxy.js', '--config-dir', PROXY_CONFIG_DIR, '--poll-ms', '200', '--status-ms', '500', '--host-rules', `${ctx.app}/${plan.namespace}/${plan.name}`, '--iptables-dir', IMAGE_IPTABLES_DIR],
      Labels: {
        ...ownerLabels(ctx.app, plan.namespace, 'Service', plan.name, 'proxy'),
        [L.controller]: plan.key,
        [L.specHash]: plan.specHash,
        [SL.mode]: 'host-rules',
        [SL.image]: image,
      },
      StopTimeout: 10,
      // Host PID namespace: the program marks its rules with its host PID, and removes rule
      // sets whose owner is gone (a fast path killed without its shutdown).
      HostConfig: { NetworkMode: 'host', PidMode: 'host', RestartPolicy: { Name: 'unless-stopped' }, CapAdd: ['NET_ADMIN'], Mounts: [configVolumeMount(ctx.app, plan.namespace, PROXY_CONFIG_DIR)] },
    });
  } catch (err) {
    throw dockerError(err, `creating the host fast path of service ${plan.namespace}/${plan.name}`);
  }
  try {
    await ctx.dataplane.writer.writeNow(ctx, container.id, 'proxy', plan.config);
    await container.start();
  } catch (err) {
    await container.remove({ force: true, v: true }).catch(() => undefined);
    ctx.dataplane.writer.forgetContainer(container.id);
    throw dockerError(err, `starting the host fast path of service ${plan.namespace}/${plan.name}`);
  }
}

/**
 * Refuses, before anything of the Service exists, a host port that is not free for it:
 *
 * - one another container already publishes (another app's Service, a Compose project): Docker
 *   would only refuse it when the proxy starts;
 * - one a process of the host listens on (TCP) or is bound to (UDP): the host fast path's DNAT
 *   rules would take that port's traffic on every non-loopback address from the process that
 *   serves it (issue 11), and Docker's own refusal comes only when the proxy starts.
 *
 * The Service's own proxy does not count, nor what it publishes: Docker's docker-proxy listens
 * on the host for each published port, which is the Service's own publication (a fast path made
 * beside a running proxy, a proxy replaced while its old one still runs). Only on exactly the
 * address it publishes on: a host process on another address of the same port is a conflict.
 */
async function ensureHostPortsFree(ctx: PodContext, plan: ProxyPlan): Promise<void> {
  if (plan.publish.length === 0) return;
  let containers: Dockerode.ContainerInfo[];
  try {
    containers = await ctx.docker.api.listContainers({ all: false });
  } catch (err) {
    throw dockerError(err, 'listing the ports published on the host');
  }
  // The Service's own proxy is known by its labels, not its name: one made before names
  // changed (apply/names.ts) is still its own.
  const own = (c: Dockerode.ContainerInfo) =>
    isOwned(c.Labels, ctx.app) && c.Labels[L.role] === 'proxy' && c.Labels[SL.mode] !== 'host-rules' && c.Labels[L.namespace] === plan.namespace && c.Labels[L.name] === plan.name;
  const service = `${plan.namespace}/${plan.name}`;
  for (const p of plan.publish) {
    const holder = containers.find((c) => !own(c) && c.Ports.some((x) => x.PublicPort === p.hostPort && x.Type === p.protocol.toLowerCase()));
    if (!holder) continue;
    const app = holder.Labels[L.app];
    const who = `container ${holder.Names[0]?.replace(/^\//, '') ?? holder.Id.slice(0, 12)}${app ? ` (berth app ${app})` : ''}`;
    throw new BerthError('CONFLICT', `port ${p.hostPort}/${p.protocol} of service ${service} is already published on this host by ${who}; nothing of the service was created`, {
      service,
      port: p.hostPort,
      hint: 'choose another nodePort (or leave it out to have one allocated), or free that port',
    });
  }
  // Address and port: docker-proxy binds exactly the HostIp Docker was given, and a listener on
  // any other address of the same port is a host process's, not the Service's (issue 11).
  const ownPublished = new Set(containers.filter(own).flatMap((c) => c.Ports.flatMap((x) => (x.PublicPort && x.IP ? [listenerKey(x.IP, x.PublicPort, x.Type)] : []))));
  const listeners = await readHostListeners();
  for (const p of plan.publish) {
    const listener = listeners.find((l) => l.port === p.hostPort && l.protocol === p.protocol && !ownPublished.has(listenerKey(l.address, l.port, l.protocol)));
    if (!listener) continue;
    const nodePort = Object.values(plan.nodePorts).includes(p.hostPort);
    const what = nodePort ? `nodePort ${p.hostPort}/${p.protocol}` : `port ${p.hostPort}/${p.protocol} (LoadBalancer)`;
    const verb = p.protocol === 'TCP' ? 'listens on' : 'is bound to';
    throw new BerthError('CONFLICT', `${what} of service ${service} is in use on this host: a host process ${verb} ${formatEndpoint(listener.address, listener.port)}; nothing of the service was created`, {
      service,
      port: p.hostPort,
      protocol: p.protocol,
      listener: formatEndpoint(listener.address, listener.port),
      hint: nodePort
        ? 'choose another nodePort (or leave it out to have one allocated), or stop the host service that listens on it'
        : "choose another port for the Service, or stop the host service that listens on it",
    });
  }
}

function listenerKey(address: string, port: number, protocol: string): string {
  return `${formatEndpoint(address, port)}/${protocol.toLowerCase()}`;
}

function formatEndpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Stops and removes the host fast path of a Service, if it has one (found by its labels). */
async function removeHostRules(ctx: PodContext, plan: ProxyPlan): Promise<void> {
  let found: Dockerode.ContainerInfo[];
  try {
    found = await ctx.docker.api.listContainers({ all: true, filters: ownedFilter(ctx.app, `${L.role}=proxy`, `${SL.mode}=host-rules`, `${L.namespace}=${plan.namespace}`, `${L.name}=${plan.name}`) });
  } catch (err) {
    throw dockerError(err, `listing the host fast path of service ${plan.namespace}/${plan.name}`);
  }
  for (const c of found) await removeDataplaneContainer(ctx, c.Id, `the host fast path of service ${plan.namespace}/${plan.name}`);
}

/** The DNS server of a namespace (headless, ExternalName, SRV; docs/services.md). */
export async function createDns(ctx: PodContext, plan: DnsPlan): Promise<string | undefined> {
  const image = await ctx.images.dataplane();
  let container: Dockerode.Container;
  try {
    container = await ctx.docker.api.createContainer({
      name: dnsContainerName(ctx.app, plan.namespace),
      Image: image,
      Cmd: ['node', '/app/dns.js', '--config-dir', DNS_CONFIG_DIR, '--poll-ms', '200', '--status-ms', '1000'],
      Labels: { ...ownerLabels(ctx.app, plan.namespace, 'Namespace', plan.namespace, 'dns'), [L.controller]: plan.key, [L.specHash]: plan.specHash, [SL.image]: image },
      StopTimeout: 2,
      HostConfig: { NetworkMode: dockerNames.network(ctx.app, plan.namespace), RestartPolicy: { Name: 'unless-stopped' }, Mounts: [configVolumeMount(ctx.app, plan.namespace, DNS_CONFIG_DIR)] },
    });
  } catch (err) {
    throw dockerError(err, `creating the DNS server of namespace ${plan.namespace}`);
  }
  try {
    await ctx.dataplane.writer.writeNow(ctx, container.id, 'dns', plan.config);
    await container.start();
    const info = await container.inspect();
    return info.NetworkSettings.Networks[dockerNames.network(ctx.app, plan.namespace)]?.IPAddress || undefined;
  } catch (err) {
    await container.remove({ force: true, v: true }).catch(() => undefined);
    ctx.dataplane.writer.forgetContainer(container.id);
    throw dockerError(err, `starting the DNS server of namespace ${plan.namespace}`);
  }
}

/**
 * Stops (the proxy lets open connections finish for its grace period) and removes an owned
 * data-plane container, with the anonymous volume of its config dir (host-status.ts).
 */
export async function removeDataplaneContainer(ctx: Pick<PodContext, 'docker' | 'app' | 'dataplane'>, containerId: string, what: string): Promise<void> {
  const c = ctx.docker.api.getContainer(containerId);
  try {
    const info = await c.inspect();
    if (!isOwned(info.Config.Labels, ctx.app)) throw new BerthError('NOT_OWNED', `container ${info.Name} is not owned by berth app ${ctx.app}`, { container: info.Name });
    if (info.State.Running) await c.stop({ t: info.Config.Labels[L.role] === 'proxy' ? PROXY_STOP_SECONDS + 3 : 2 }).catch((err: unknown) => {
      if ((err as { statusCode?: number }).statusCode !== 304) throw err;
    });
    await c.remove({ force: true, v: true });
  } catch (err) {
    if (isNotFound(err)) return;
    throw err instanceof BerthError ? err : dockerError(err, `removing ${what}`);
  } finally {
    ctx.dataplane.writer.forgetContainer(containerId);
  }
}

export async function connect(docker: DockerClient, containerId: string, app: string, n: NetworkAttachment): Promise<void> {
  try {
    await docker.api.getNetwork(dockerNames.network(app, n.namespace)).connect({ Container: containerId, EndpointConfig: { Aliases: n.aliases } });
  } catch (err) {
    // Already attached (a concurrent pass, or a retry after a timeout): fine.
    if ((err as { statusCode?: number }).statusCode === 403 && /already/.test(String((err as Error).message))) return;
    throw dockerError(err, `attaching container ${containerId.slice(0, 12)} to namespace ${n.namespace}`);
  }
}

export async function disconnect(docker: DockerClient, containerId: string, app: string, namespace: string): Promise<void> {
  try {
    await docker.api.getNetwork(dockerNames.network(app, namespace)).disconnect({ Container: containerId, Force: true });
  } catch (err) {
    if (isNotFound(err)) return;
    throw dockerError(err, `detaching container ${containerId.slice(0, 12)} from namespace ${namespace}`);
  }
}

function ownFirst(networks: readonly NetworkAttachment[], namespace: string): NetworkAttachment[] {
  const own = networks.find((n) => n.namespace === namespace);
  if (!own) throw new BerthError('INTERNAL', `proxy plan for namespace ${namespace} does not join its own network`);
  return [own, ...networks.filter((n) => n !== own)];
}

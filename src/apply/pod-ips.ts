import type Dockerode from 'dockerode';
import type { Cidr } from '../model/ipv4.js';
import { parseCidr, parseIpv4, podAddresses, podRangeFits } from '../model/ipv4.js';
import { dockerError, dockerMessage, endpointIpamAddress } from './docker.js';
import { isPodOwner, L } from './labels.js';
import { dockerNames } from './names.js';
import type { DockerClient } from './docker.js';

/** What reading a network needs of a pass's PodContext (which holds PodIps: no import back). */
interface PodContext {
  docker: DockerClient;
  app: string;
}

/**
 * Pod addresses of single-container pods (plan/pod-shape.ts). The pod's one container owns its
 * network namespace, so Docker would give it whatever address is free at each start: a stopped
 * container's address goes to the next one started on the network (dockerd 20.10), and the pod's
 * IP would change under a restart. Instead berth claims an address for the pod from the upper
 * half of the namespace network's subnet (its `berth.pod-range`, apply/network.ts), where Docker
 * never allocates by itself, records the claim in the store and asks Docker for exactly that
 * address (`IPAMConfig.IPv4Address`) each time the pod's container is created. The claim holds
 * until the pod is deleted.
 */

/** The store's side (runtime/store/pod-ips.ts): claims in one write transaction each. */
export interface PodIpBook {
  claimPodIp(req: { app: string; network: string; pod: string; first: number; last: number; taken: ReadonlySet<string> }): string | undefined;
  /** With `held`, only the claim the deleted pod held (runtime/store/pod-ips.ts HeldClaim). */
  releasePodIp(network: string, pod: string, held?: { before: number; ip?: string }): boolean;
  releaseNetworkPodIps(network: string): number;
  listPodIps(network: string): Array<{ pod: string; ip: string }>;
}

/**
 * A namespace network as one pass saw it: its pod range, and who holds each address seen on it
 * (by pod key, '' for a holder that is no pod of this app). Read once per network per pass: it
 * can only miss what another process started since, which Docker's "Address already in use"
 * then tells (claimPodAddress retries), and what it over-counts (a pod deleted since) costs
 * only an address skipped in this pass.
 */
export interface NetworkView {
  name: string;
  range?: { first: number; last: number };
  holders: Map<string, string>;
  /**
   * Pods (by key) that hold their claim: a single-container pod's container is on the network,
   * or the pod claimed its address in this pass.
   */
  singles: Set<string>;
}

export interface PodIps {
  book: PodIpBook;
  /** This pass's views, by namespace (see NetworkView). */
  views: Map<string, Promise<NetworkView>>;
}

/** The pod-address side of a pass's PodContext. */
export function podIps(book: PodIpBook): PodIps {
  return { book, views: new Map() };
}

export function networkView(ctx: PodContext, ips: PodIps, namespace: string): Promise<NetworkView> {
  let view = ips.views.get(namespace);
  if (!view) {
    view = readNetworkView(ctx, namespace);
    // A failed read is not remembered: the next pod asks again.
    view.catch(() => ips.views.delete(namespace));
    ips.views.set(namespace, view);
  }
  return view;
}

async function readNetworkView(ctx: PodContext, namespace: string): Promise<NetworkView> {
  const name = dockerNames.network(ctx.app, namespace);
  let net: Dockerode.NetworkInspectInfo;
  let containers: Dockerode.ContainerInfo[];
  try {
    // Stopped containers too: a stopped single pod's address is its own, though Docker lists
    // it on the network only while the container runs.
    [net, containers] = await Promise.all([ctx.docker.api.getNetwork(name).inspect(), ctx.docker.api.listContainers({ all: true, filters: { network: [name] } })]);
  } catch (err) {
    throw dockerError(err, `reading the addresses in use on network ${name}`);
  }
  const cidr = trustedPodRange(net);
  const holders = new Map<string, string>();
  const singles = new Set<string>();
  const holderOf = (labels: Record<string, string> | undefined) =>
    labels?.[L.app] === ctx.app && labels[L.namespace] !== undefined && labels[L.name] !== undefined && labels[L.kind] === 'Pod' ? `${labels[L.namespace]}/${labels[L.name]}` : '';
  for (const c of containers) {
    for (const ip of [endpointIpamAddress(c, name), c.NetworkSettings?.Networks?.[name]?.IPAddress]) if (ip) holders.set(ip, holderOf(c.Labels));
    if (isPodOwner(c.Labels) && c.Labels[L.role] === 'container' && holderOf(c.Labels)) singles.add(holderOf(c.Labels));
  }
  for (const ep of Object.values(net.Containers ?? {})) {
    const ip = ep.IPv4Address?.split('/')[0];
    if (ip && !holders.has(ip)) holders.set(ip, '');
  }
  return { name, ...(cidr ? { range: podAddresses(cidr) } : {}), holders, singles };
}

/**
 * The network's pod range, when its label is one to trust (model/ipv4.ts podRangeFits): else
 * none, and its pods get sandboxes, whose addresses Docker assigns.
 */
function trustedPodRange(net: Dockerode.NetworkInspectInfo): Cidr | undefined {
  const label = net.Labels?.[L.podRange];
  const range = label ? parseCidr(label) : undefined;
  const config = (net.IPAM?.Config ?? []).find((c) => c.Subnet !== undefined && parseCidr(c.Subnet) !== undefined);
  const subnet = config?.Subnet ? parseCidr(config.Subnet) : undefined;
  if (!range || !subnet) return undefined;
  const ipRange = config?.IPRange ? parseCidr(config.IPRange) : undefined;
  const gateway = config?.Gateway ? parseIpv4(config.Gateway) : undefined;
  return podRangeFits(range, { subnet, ...(ipRange ? { ipRange } : {}), ...(gateway !== undefined ? { gateway } : {}) }) ? range : undefined;
}

/**
 * The pod's address: the one it holds, else a new claim. Undefined when the network has no pod
 * range or every address of it is taken (the pod then gets a sandbox, plan/pod-shape.ts).
 */
export async function claimPodAddress(ctx: PodContext, ips: PodIps, pod: { namespace: string; name: string }): Promise<string | undefined> {
  const view = await networkView(ctx, ips, pod.namespace);
  if (!view.range) return undefined;
  const key = `${pod.namespace}/${pod.name}`;
  const taken = new Set([...view.holders].filter(([, holder]) => holder !== key).map(([ip]) => ip));
  const request = { app: ctx.app, network: view.name, pod: key, ...view.range, taken };
  let ip = ips.book.claimPodIp(request);
  if (ip === undefined && releaseForgotten(ips, view) > 0) ip = ips.book.claimPodIp(request);
  if (ip !== undefined) {
    view.holders.set(ip, key);
    view.singles.add(key);
  }
  return ip;
}

/**
 * A full range may hold claims of pods that are gone without being deleted through berth (their
 * one container removed by hand, and their controller made another pod), or that are sandbox
 * pods now (a pod of that name made the sandbox way by an older berth or after a failure): claims
 * of pods with no single-container pod's container on the network and none claimed in this
 * pass. They are given up only when the range is full, so a bare pod waiting to be made again
 * under its name keeps its address as long as there is room. How many were released.
 */
function releaseForgotten(ips: PodIps, view: NetworkView): number {
  let released = 0;
  for (const c of ips.book.listPodIps(view.name)) if (!view.singles.has(c.pod) && ips.book.releasePodIp(view.name, c.pod)) released++;
  return released;
}

/**
 * Docker refused the address: a container the store does not know of holds it (the store was
 * lost or restored from an older backup). Counted as taken for the rest of the pass, and the
 * pod's claim of it given up, so the next claim picks another.
 */
export async function addressInUse(ctx: PodContext, ips: PodIps, pod: { namespace: string; name: string }, ip: string): Promise<void> {
  const view = await networkView(ctx, ips, pod.namespace);
  view.holders.set(ip, '');
  ips.book.releasePodIp(view.name, `${pod.namespace}/${pod.name}`);
}

/** Docker's words when the address asked for is held by another endpoint. */
export function isAddressInUse(err: unknown): boolean {
  return /address already in use/i.test(dockerMessage(err));
}

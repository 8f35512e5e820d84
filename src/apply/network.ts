import { BerthError } from '../model/errors.js';
import type { Cidr } from '../model/ipv4.js';
import { randomBytes } from 'node:crypto';
import { formatCidr, formatIpv4, overlaps, parseCidr, splitSubnet } from '../model/ipv4.js';
import { dockerError, dockerMessage, isConflict, isNotFound } from './docker.js';
import { isOwned, L, ownerLabels } from './labels.js';
import { dockerNames } from './names.js';
import type { DockerClient } from './docker.js';

/** What making a network needs of a pass's PodContext. */
export interface NetworkContext {
  docker: DockerClient;
  app: string;
}

/** Subnets tried before a namespace network is made without a pod range (see createNetwork). */
const SUBNET_ATTEMPTS = 8;

/**
 * The largest prefix length (smallest subnet) worth splitting: a /24 leaves Docker 126 addresses
 * and pods 127. Smaller, the network is made without a pod range.
 */
const MAX_SPLIT_PREFIX = 24;

/**
 * Makes a namespace network, idempotently and without racing anyone: two passes (or two
 * namespaces of one pass) may make networks at once, and nothing here ever removes a network
 * it did not make itself.
 *
 * Its subnet is the one Docker would choose for any network: Docker alone knows its address
 * pools (`default-address-pools`) and skips pools that overlap the host's routes and
 * nameservers, which it does not check for a subnet given to it. So a short-lived probe network
 * (berth's labels, no IPAM config) is made, its subnet read and the probe removed, and the
 * namespace network is then made with that subnet split in two: Docker allocates from the lower
 * half (IPRange: sandboxes, proxies, DNS, relays), berth assigns single-container pods' addresses
 * from the upper half (apply/pod-ips.ts), recorded in the `berth.pod-range` label. When a network
 * made meanwhile took the subnet (Docker: "Pool overlaps"), the probe is asked again, a bounded
 * number of times. A subnet that is not IPv4 or smaller than a /24, or no luck within the
 * attempts, and the network is made as before, Docker choosing; its pods keep their sandboxes.
 *
 * A name conflict is a network that exists: used as it is if it is this app's (whichever berth
 * made it, and whether or not it has a pod range), refused if it is not.
 */
export async function createNetwork(ctx: NetworkContext, namespace: string): Promise<void> {
  const name = dockerNames.network(ctx.app, namespace);
  const labels = ownerLabels(ctx.app, namespace, 'Namespace', namespace, 'network');
  for (let attempt = 0; attempt <= SUBNET_ATTEMPTS; attempt++) {
    const subnet = attempt < SUBNET_ATTEMPTS ? await probeSubnet(ctx, name) : undefined;
    try {
      if (!subnet) {
        const made = await ctx.docker.api.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: labels });
        if ((await lostRace(ctx, made.id, name)) === 'name') await useExisting(ctx, name);
        return;
      }
      const { gateway, docker, pods } = splitSubnet(subnet);
      const made = await ctx.docker.api.createNetwork({
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Labels: { ...labels, [L.podRange]: formatCidr(pods) },
        IPAM: { Driver: 'default', Config: [{ Subnet: formatCidr(subnet), IPRange: formatCidr(docker), Gateway: formatIpv4(gateway) }] },
      });
      const lost = await lostRace(ctx, made.id, name, subnet);
      if (lost === undefined) return;
      if (lost === 'name') return useExisting(ctx, name);
    } catch (err) {
      if (isConflict(err)) return useExisting(ctx, name);
      if (subnet && isPoolOverlap(err)) continue;
      throw dockerError(err, `creating network ${name}`);
    }
  }
}

/**
 * The subnet Docker gives a new network now, read from a probe network made and removed at once:
 * undefined when it is not one worth splitting (not IPv4, or smaller than a /24), and the
 * network is then made the old way. The probe carries berth's ownership labels but no namespace,
 * so no pass takes it for a namespace network, and it is removed whatever happens between.
 */
async function probeSubnet(ctx: NetworkContext, name: string): Promise<Cidr | undefined> {
  const probe = `${name}_probe_${randomBytes(4).toString('hex')}`;
  let id: string;
  try {
    id = (await ctx.docker.api.createNetwork({ Name: probe, Driver: 'bridge', CheckDuplicate: true, Labels: { [L.managed]: 'true', [L.app]: ctx.app, [L.role]: 'network-probe' } })).id;
  } catch (err) {
    throw dockerError(err, `creating network ${probe}, made only to learn which subnet Docker gives network ${name}`);
  }
  let subnet: Cidr | undefined;
  let failure: unknown;
  try {
    const net = await ctx.docker.api.getNetwork(id).inspect();
    subnet = (net.IPAM?.Config ?? []).map((c) => (c.Subnet ? parseCidr(c.Subnet) : undefined)).find((c) => c !== undefined);
  } catch (err) {
    failure = dockerError(err, `inspecting network ${probe}, made only to learn which subnet Docker gives network ${name}`);
  }
  // Removed whatever the inspect said: a probe left behind would hold a subnet for nothing.
  try {
    await ctx.docker.api.getNetwork(id).remove();
  } catch (err) {
    if (!isNotFound(err))
      throw new BerthError('DOCKER_ERROR', `could not remove network ${probe}, made only to learn a subnet: ${dockerMessage(err)}`, {
        doing: `removing network ${probe}`,
        hint: `remove it with: docker network rm ${probe}`,
      });
  }
  if (failure) throw failure;
  return subnet && subnet.prefix <= MAX_SPLIT_PREFIX ? subnet : undefined;
}

/**
 * dockerd 20.10 checks neither a duplicate name (CheckDuplicate) nor an overlapping subnet
 * atomically: two networks created at the same moment may both be made (seen in
 * test/e2e/single-pods.test.ts). Every maker therefore looks once its network exists, and
 * the older of two networks that share a name or overlap wins (Created, then Id: every maker
 * agrees). A maker that lost removes the network it just made itself, which nothing uses yet
 * (this call has not returned), and never another's: the name is then the winner's, or it
 * tries another subnet.
 */
export async function lostRace(ctx: NetworkContext, id: string, name: string, subnet?: Cidr): Promise<'name' | 'subnet' | undefined> {
  let nets: Awaited<ReturnType<typeof ctx.docker.api.listNetworks>>;
  try {
    nets = await ctx.docker.api.listNetworks();
  } catch (err) {
    throw dockerError(err, 'listing the networks of the Docker engine');
  }
  const mine = nets.find((n) => n.Id === id);
  const older = (n: (typeof nets)[number]) => mine !== undefined && (createdNs(n.Created) < createdNs(mine.Created) || (createdNs(n.Created) === createdNs(mine.Created) && n.Id < mine.Id));
  const sameName = nets.some((n) => n.Id !== id && n.Name === name && older(n));
  const overlapping = nets.some((n) => n.Id !== id && older(n) && subnet !== undefined && (n.IPAM?.Config ?? []).some((c) => c.Subnet !== undefined && overlapsCidr(c.Subnet, subnet)));
  if (!sameName && !overlapping) return undefined;
  try {
    await ctx.docker.api.getNetwork(id).remove();
  } catch (err) {
    throw dockerError(err, `removing network ${name}, made at the same moment as another that keeps its ${sameName ? 'name' : 'subnet'}`);
  }
  return sameName ? 'name' : 'subnet';
}

/** Docker's Created (RFC 3339 with up to 9 fraction digits, trailing zeros dropped) in ns, comparable across networks. */
export function createdNs(text: string | undefined): bigint {
  const m = /^(.*?:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(text ?? '');
  const ms = m ? Date.parse(`${m[1]}${m[3]}`) : NaN;
  if (!m || Number.isNaN(ms)) return 0n;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0').slice(0, 9));
}

function overlapsCidr(text: string, c: Cidr): boolean {
  const other = parseCidr(text);
  return other !== undefined && overlaps(other, c);
}

async function useExisting(ctx: NetworkContext, name: string): Promise<void> {
  let labels: Record<string, string> | undefined;
  try {
    labels = (await ctx.docker.api.getNetwork(name).inspect()).Labels;
  } catch (err) {
    throw dockerError(err, `inspecting network ${name}`);
  }
  if (!isOwned(labels, ctx.app))
    throw new BerthError('NOT_OWNED', `network ${name} exists but was not created by berth app ${ctx.app}`, {
      network: name,
      hint: 'remove or rename that network, or use another --app',
    });
}

/** dockerd's refusal of a subnet another network has ("Pool overlaps with other one on this address space"). */
function isPoolOverlap(err: unknown): boolean {
  return /overlaps/i.test(dockerMessage(err));
}
